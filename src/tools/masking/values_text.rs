//! Helm values as YAML text (`helm.values`, an ApplicationSet's `elementsYaml`), masked line by
//! line. No YAML parser: the text may not even be valid YAML, and a parse error must not drop
//! the mask. Each line is placed in what the lines before it opened; the value of a key that
//! looks like a credential becomes `***`, with every line that continues it:
//!
//! - a value on the key's line, and lines deeper than the key (a plain scalar continued on the
//!   next lines, `password: abc` then `  def`);
//! - a block below the key (`password: |`, a map under `credentials:`, a list under `tokens:`,
//!   an indentation-less `- item` list beside the key);
//! - a quoted scalar left open at the end of the line, up to its closing quote;
//! - an explicit key (`? password`, then `: value`), and any explicit key that is not a plain
//!   name (a block or flow key cannot be judged, so its value is hidden);
//! - a flow collection (`{…}` or `[…]`, on one line or several) holding a credential key.
//!
//! A Secret written out in the text (a chart's `extraObjects`, a strategic-merge patch, a
//! manifest in a ConfigMap) holds credentials under keys of any name: the `data` and
//! `stringData` of any map beside `kind: Secret` are hidden whole ([`secret_columns`]).
//!
//! Lines inside an ordinary block scalar (`config.yaml: |`) are text, but a credential key in them
//! (YAML quoted as text) is still masked. When a line fits nowhere (not a key, not an item, and
//! not deeper than the value it would continue), or a quote or flow is never closed, the text is
//! not YAML this reading understands and it is hidden whole.

use super::{MASK, flow, names_a_credential};

/// `text` with every credential value masked, or [`MASK`] alone when it cannot be read safely.
pub fn mask_yaml(text: &str) -> String {
    masked_if_yaml(text).unwrap_or_else(|| MASK.to_owned())
}

/// `text` with every credential value masked, or none when it is not YAML this reading
/// understands (a line that fits nowhere, a quote or flow never closed).
pub fn masked_if_yaml(text: &str) -> Option<String> {
    let text = other_line_breaks_as_line_feeds(text);
    // A value anchored here and aliased under a credential's name below (`&dbpass …`, then
    // `password: *dbpass`): hidden where it is written, before the alias's line is masked.
    let text = crate::tools::scrub::hide_aliased(&text);
    let (columns, kind_lines) = secret_columns(&text);
    let mut masker = Masker {
        secret_columns: columns,
        ..Masker::default()
    };
    for line in text.split('\n') {
        masker.line(line)?;
    }
    if masker.open_quote.is_some() || masker.open_flow.is_some() {
        return None;
    }
    // A Secret this reading did not find (its kind on the next line, a block scalar or an
    // alias, escapes): the word is there, and so is its data, unhidden.
    let (secrets, data) = secret_words(&text);
    if data && secrets > kind_lines + masker.secrets_in_flows {
        return Some(MASK.to_owned());
    }
    Some(masker.out.join("\n"))
}

/// Whether `text` says `Secret`, and `data` or `stringData` (escapes resolved).
pub(super) fn mentions_secret_data(text: &str) -> bool {
    let (secrets, data) = secret_words(text);
    secrets > 0 && data
}

/// How often `text` says `Secret` as a word, and whether it says `data` or `stringData`, with
/// YAML's escapes resolved (`"Secr\x65t"`).
fn secret_words(text: &str) -> (usize, bool) {
    let resolved = without_escapes(text);
    let words = || resolved.split(|c: char| !c.is_ascii_alphanumeric());
    (
        words().filter(|w| *w == "Secret").count(),
        words().any(|w| matches!(w, "data" | "stringData")),
    )
}

/// `text` with every `\xNN`, `\uNNNN` and `\UNNNNNNNN` escape written as its character.
fn without_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let digits = match rest.as_bytes().get(1) {
            Some(b'x') => 2,
            Some(b'u') => 4,
            Some(b'U') => 8,
            _ => 0,
        };
        let decoded = rest
            .get(2..2 + digits)
            .filter(|hex| digits > 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|hex| char::from_u32(u32::from_str_radix(hex, 16).ok()?));
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[2 + digits..];
            }
            None => {
                out.push('\\');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// YAML as Helm reads it (go-yaml) ends a line at a carriage return that no line feed follows,
/// and at U+0085 (NEL), U+2028 and U+2029; this reading splits at line feeds, so each of these
/// becomes one. The text means the same to Helm.
fn other_line_breaks_as_line_feeds(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let breaks = |(i, ch): (usize, char)| match ch {
        '\r' => bytes.get(i + 1) != Some(&b'\n'),
        '\u{85}' | '\u{2028}' | '\u{2029}' => true,
        _ => false,
    };
    if !text.char_indices().any(breaks) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, ch) in text.char_indices() {
        out.push(if breaks((i, ch)) { '\n' } else { ch });
    }
    std::borrow::Cow::Owned(out)
}

#[derive(Default)]
struct Masker {
    out: Vec<String>,
    /// A credential key's indentation: the deeper lines below it are its value.
    hiding_under: Option<usize>,
    /// An ordinary key's block scalar: the deeper lines below it are its text.
    block_under: Option<usize>,
    /// The indentation a line that is no key must exceed to continue the value before it.
    floor: Option<usize>,
    /// A quoted scalar left open at the end of a line: its quote, and whether it is a
    /// credential's value.
    open_quote: Option<(u8, bool)>,
    open_flow: Option<OpenFlow>,
    /// After `? key`: the indentation of the `?` and whether the key looks like a credential.
    explicit_key: Option<(usize, bool)>,
    /// Where the keys of a Secret's maps start ([`secret_columns`]).
    secret_columns: Vec<usize>,
    /// How often the flow collections read so far say `Secret` (they are judged as objects).
    secrets_in_flows: usize,
}

/// A flow collection spread over lines, until its brackets close.
struct OpenFlow {
    /// What stands before the collection on its first line (`key:`), and where that line is.
    head: String,
    /// The first line up to where the collection opens (the head, a tag, blanks).
    before: String,
    first: usize,
    secret: bool,
    text: String,
    scan: FlowScan,
}

impl Masker {
    /// Places one line; none when it fits nowhere.
    fn line(&mut self, line: &str) -> Option<()> {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let content = &line[indent..];
        if let Some((quote, secret)) = self.open_quote {
            if closing_quote(line.as_bytes(), quote).is_some() {
                self.open_quote = None;
            }
            self.push_hidden_if(secret, line, indent);
            return Some(());
        }
        if let Some(mut flow) = self.open_flow.take() {
            flow.scan.feed(line);
            flow.text.push(' ');
            flow.text.push_str(line);
            self.out.push(line.to_owned());
            if flow.scan.depth > 0 {
                self.open_flow = Some(flow);
            } else {
                self.close_flow(flow);
            }
            return Some(());
        }
        if content.trim().is_empty() {
            self.out.push(line.to_owned());
            return Some(());
        }
        if let Some(parent) = self.hiding_under {
            if indent > parent || (indent == parent && is_item(content)) {
                self.push_hidden_if(true, line, indent);
                return Some(());
            }
            self.hiding_under = None;
        }
        if content.starts_with('#') {
            self.out.push(line.to_owned());
            return Some(());
        }
        if let Some(parent) = self.block_under {
            if indent > parent {
                self.block_text(line, indent, content);
                return Some(());
            }
            self.block_under = None;
        }
        self.structure(line, indent, content)
    }

    /// A line of an ordinary block scalar: text, in which a `key: value` line whose key looks
    /// like a credential still hides its value and what is deeper.
    fn block_text(&mut self, line: &str, indent: usize, content: &str) {
        let (item, entry) = item_entry(content);
        match split_key(entry) {
            Some((key, value))
                if names_a_credential(key) || self.holds_secret_data(key, indent + item) =>
            {
                let head = &line[..indent + item + key_span(entry)];
                self.hiding_under = Some(indent + item);
                self.out.push(with_mask(head, value));
            }
            _ => {
                let masked = text_with_flow_masked(line, indent + item);
                if masked != line {
                    self.secrets_in_flows += secret_words(line).0;
                }
                self.out.push(masked);
            }
        }
    }

    fn structure(&mut self, line: &str, indent: usize, content: &str) -> Option<()> {
        if let Some(rest) = content
            .strip_prefix("---")
            .or_else(|| content.strip_prefix("..."))
        {
            // A document marker; one followed by content (a root scalar) is not read here.
            let rest = rest.trim_start();
            if !(rest.is_empty() || rest.starts_with('#')) || indent > 0 {
                return None;
            }
            *self = Masker {
                out: std::mem::take(&mut self.out),
                secret_columns: std::mem::take(&mut self.secret_columns),
                ..Masker::default()
            };
            self.out.push(line.to_owned());
            return Some(());
        }
        if indent == 0 && content.starts_with('%') {
            // A directive (`%YAML 1.2`).
            self.out.push(line.to_owned());
            return Some(());
        }
        let (item, entry) = item_entry(content);
        let at = indent + item;
        if entry.is_empty() {
            // `-` alone: the item's value is below.
            self.floor = Some(indent);
            self.out.push(line.to_owned());
            return Some(());
        }
        if let Some(key) = entry
            .strip_prefix('?')
            .filter(|k| k.is_empty() || k.starts_with(' '))
        {
            let key = key.trim();
            let secret =
                !is_plain_name(key) || names_a_credential(key) || self.holds_secret_data(key, at);
            self.explicit_key = Some((at, secret));
            self.floor = Some(at);
            self.out.push(line.to_owned());
            return Some(());
        }
        if let Some(value) = entry
            .strip_prefix(':')
            .filter(|v| v.is_empty() || v.starts_with(' '))
        {
            // The value of an explicit key; without one it is not YAML.
            let (key_at, secret) = self.explicit_key.take().filter(|(k, _)| *k == at)?;
            self.floor = Some(key_at);
            self.value(line, &line[..at + 1], key_at, value, secret);
            return Some(());
        }
        // A flow collection is a value (an item's, or the document's), not a key.
        let Some((key, value)) = split_key(entry).filter(|_| !entry.starts_with(['{', '['])) else {
            return self.scalar_line(line, indent, item, entry);
        };
        self.floor = Some(at);
        let head = &line[..at + key_span(entry)];
        let secret = names_a_credential(key) || self.holds_secret_data(key, at);
        self.value(line, head, at, value, secret);
        Some(())
    }

    /// A line that is no key: an item's value, the continuation of a value above, or a flow
    /// collection or quoted scalar starting.
    fn scalar_line(&mut self, line: &str, indent: usize, item: usize, entry: &str) -> Option<()> {
        let continues = self.floor.is_some_and(|floor| indent > floor);
        // A document may be one flow collection (values written as JSON).
        let root_flow = self.floor.is_none() && entry.starts_with(['{', '[']);
        if item == 0 && !continues && !root_flow {
            return None;
        }
        if item > 0 {
            self.floor = Some(indent);
        }
        if item > 0 || entry.starts_with(['{', '[', '"', '\'']) {
            self.value(line, &line[..indent + item], indent + item, entry, false);
        } else {
            self.out.push(line.to_owned());
        }
        Some(())
    }

    /// What follows a key (`head` is the line up to and with its colon), or an item's value.
    fn value(&mut self, line: &str, head: &str, key_at: usize, value: &str, secret: bool) {
        let bare = without_properties(value.trim());
        if let Some(quote @ (b'"' | b'\'')) = bare.bytes().next()
            && closing_quote(&bare.as_bytes()[1..], quote).is_none()
        {
            self.open_quote = Some((quote, secret));
            if secret {
                self.hiding_under = Some(key_at);
            }
            self.out.push(if secret {
                with_mask(head, value)
            } else {
                line.to_owned()
            });
            return;
        }
        if bare.starts_with(['{', '[']) {
            let mut scan = FlowScan::default();
            scan.feed(bare);
            let starts_at = line[head.len()..]
                .find(bare)
                .map_or(line.len(), |at| head.len() + at);
            if scan.depth > 0 {
                self.open_flow = Some(OpenFlow {
                    head: head.to_owned(),
                    before: line[..starts_at.min(line.len())].to_owned(),
                    first: self.out.len(),
                    secret,
                    text: bare.to_owned(),
                    scan,
                });
                self.out.push(line.to_owned());
                return;
            }
            self.secrets_in_flows += secret_words(bare).0;
            let read = (!secret && starts_at < line.len())
                .then(|| flow::mask_flow(&line[starts_at..], super::mask_secrets))
                .flatten();
            match read {
                Some(masked) => self.out.push(format!("{}{masked}", &line[..starts_at])),
                None if secret || flow_holds_credential(bare) => {
                    self.out.push(with_mask(head, value));
                }
                None => self.out.push(line.to_owned()),
            }
            return;
        }
        if secret {
            self.hiding_under = Some(key_at);
            self.out.push(with_mask(head, value));
            return;
        }
        if bare.starts_with(['|', '>']) {
            self.block_under = Some(key_at);
        }
        self.out.push(line.to_owned());
    }

    /// A flow collection closed: what the rules for objects hide in it ([`flow`]), or, when it
    /// is no collection that reading understands, every line of it if it holds a credential.
    fn close_flow(&mut self, flow: OpenFlow) {
        self.secrets_in_flows += secret_words(&flow.text).0;
        if !flow.secret {
            let lines = &self.out[flow.first..];
            let text = format!(
                "{}\n{}",
                &lines[0][flow.before.len()..],
                lines[1..].join("\n")
            );
            if let Some(masked) = flow::mask_flow(&text, super::mask_secrets) {
                for (line, masked) in self.out[flow.first..].iter_mut().zip(masked.split('\n')) {
                    *line = masked.to_owned();
                }
                self.out[flow.first].insert_str(0, &flow.before);
                return;
            }
        }
        if !(flow.secret || flow_holds_credential(&flow.text)) {
            return;
        }
        self.out[flow.first] = masked(&flow.head);
        for line in &mut self.out[flow.first + 1..] {
            let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
            *line = format!("{}{MASK}", &line[..indent]);
        }
    }

    /// Whether `key` at column `at` is a Secret's `data` or `stringData`.
    fn holds_secret_data(&self, key: &str, at: usize) -> bool {
        // A quoted key with escapes may spell either (`"stringD\x61ta"`), and a merge key
        // (`<<: {stringData: …}`) brings them in.
        (matches!(key, "data" | "stringData" | "<<") || key.contains('\\'))
            && self.secret_columns.contains(&at)
    }

    fn push_hidden_if(&mut self, secret: bool, line: &str, indent: usize) {
        if secret && !line.trim().is_empty() {
            self.out.push(format!("{}{MASK}", &line[..indent]));
        } else {
            self.out.push(line.to_owned());
        }
    }
}

/// The columns at which a `kind: Secret` key stands, in any document of the text: the keys of
/// that map (its `data`, `stringData`) start there too. A ConfigMap's `data` at the same column
/// elsewhere in the text is hidden with them: a harmless value hidden costs less than a
/// credential shown.
fn secret_columns(text: &str) -> (Vec<usize>, usize) {
    let (mut columns, mut lines) = (Vec::new(), 0);
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let (item, entry) = item_entry(&line[indent..]);
        // Key and value as YAML reads them: quotes and escapes resolved (`"k\x69nd"`), a tag
        // or anchor left out (`kind: !!str Secret`).
        let span = key_span(entry);
        let read = |text: &str| flow::scalar(without_properties(text.trim())).map(|(t, _)| t);
        if span == 0 || !read(&entry[..span - 1]).is_some_and(|k| k.eq_ignore_ascii_case("kind")) {
            continue;
        }
        if read(&entry[span..]).as_deref() == Some("Secret") {
            lines += 1;
            if !columns.contains(&(indent + item)) {
                columns.push(indent + item);
            }
        }
    }
    (columns, lines)
}

/// Whether an explicit key (`? key`) is a plain name that can be judged: not empty (the key is
/// on the lines below), not a block scalar, flow collection, quoted scalar, alias or tagged or
/// anchored node, and not a block sequence or another explicit key or value (`? - a`, `? ? a`,
/// `? : a`), whose text may spread over the lines below.
fn is_plain_name(key: &str) -> bool {
    let indicator_alone = |mark: char| {
        key.strip_prefix(mark)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    };
    !key.is_empty()
        && !key.starts_with(['|', '>', '[', '{', '&', '*', '!', '"', '\'', '#'])
        && !['-', '?', ':'].into_iter().any(indicator_alone)
}

/// `head ***`, or `head` alone when there was no value on the line.
fn with_mask(head: &str, value: &str) -> String {
    if value.trim().is_empty() {
        head.to_owned()
    } else {
        masked(head)
    }
}

/// `head ***` (`***` alone, indented, when the head is only indentation or a dash).
fn masked(head: &str) -> String {
    if head.is_empty() || head.ends_with(' ') {
        format!("{head}{MASK}")
    } else {
        format!("{head} {MASK}")
    }
}

/// Whether a line is a list item (`- x`, or `-` alone).
fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// How far the item dashes of a line reach (`- - key: v`), and what follows them.
fn item_entry(content: &str) -> (usize, &str) {
    let mut entry = content;
    while let Some(rest) = entry
        .strip_prefix("- ")
        .or(if entry == "-" { Some("") } else { None })
    {
        entry = rest.trim_start_matches([' ', '\t']);
    }
    (content.len() - entry.len(), entry)
}

/// A value without its anchor and tag (`&a !!str "x"` is `"x"`).
fn without_properties(value: &str) -> &str {
    let mut value = value;
    while value.starts_with(['&', '!']) {
        match value.find([' ', '\t']) {
            Some(space) => value = value[space..].trim_start(),
            None => return "",
        }
    }
    value
}

/// Where a quoted scalar opened before `text` closes in it: `"` ends at an unescaped `"`, `'` at a
/// `'` that is not doubled.
fn closing_quote(bytes: &[u8], quote: u8) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The brackets of a flow collection, counted over lines, outside quotes and comments.
#[derive(Default)]
struct FlowScan {
    depth: usize,
    quote: Option<u8>,
}

impl FlowScan {
    fn feed(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match self.quote {
                Some(q) => match closing_quote(&bytes[i..], q) {
                    Some(end) => {
                        self.quote = None;
                        i += end;
                    }
                    None => return,
                },
                None => match b {
                    // A quote opens a scalar only where one can start (`it's` is plain text).
                    b'"' | b'\''
                        if i == 0
                            || matches!(bytes[i - 1], b' ' | b'\t' | b'{' | b'[' | b',' | b':') =>
                    {
                        self.quote = Some(b);
                    }
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                    b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') => return,
                    _ => {}
                },
            }
            i += 1;
        }
    }
}

/// A line of text (a block scalar's) from the first flow collection after `from` on: what the
/// rules for objects hide in it, or, when it is none [`flow`] reads, all of it if it holds a
/// credential key (`db: {password: …}` in a config file).
fn text_with_flow_masked(line: &str, from: usize) -> String {
    let Some(at) = line[from..].find(['{', '[']).map(|at| from + at) else {
        return line.to_owned();
    };
    match flow::mask_flow(&line[at..], super::mask_secrets) {
        Some(masked) => format!("{}{masked}", &line[..at]),
        None if flow_holds_credential(&line[at..]) => format!("{}{MASK}", &line[..at]),
        None => line.to_owned(),
    }
}

/// Whether a flow collection's text has a key that looks like a credential, or says `Secret`
/// (a Secret holds its data under keys of any name).
fn flow_holds_credential(flow: &str) -> bool {
    secret_words(flow).0 > 0
        || flow
            .split([',', '{', '}', '[', ']'])
            .filter_map(|piece| split_key(piece.trim()))
            .any(|(key, _)| names_a_credential(key))
}

/// `key: value` of one YAML line (key unquoted or quoted), or none.
fn split_key(entry: &str) -> Option<(&str, &str)> {
    let span = key_span(entry);
    if span == 0 {
        return None;
    }
    let key = entry[..span - 1].trim().trim_matches(['"', '\'']);
    Some((key, &entry[span..]))
}

/// How far `key:` reaches in a line (the colon included), 0 when the line holds no key.
fn key_span(entry: &str) -> usize {
    if entry.starts_with('#') {
        return 0;
    }
    // A key ends at the first `: ` (or a `:` ending the line) outside quotes.
    let mut quote = None;
    let bytes = entry.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b':')
                if bytes
                    .get(i + 1)
                    .is_none_or(|n| matches!(n, b' ' | b'\t' | b'\r')) =>
            {
                return i + 1;
            }
            _ => {}
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_hidden(values: &str, secrets: &[&str], kept: &[&str]) {
        let masked = mask_yaml(values);
        for secret in secrets {
            assert!(!masked.contains(secret), "{secret} in\n{masked}");
        }
        for line in kept {
            assert!(masked.contains(line), "{line:?} missing in\n{masked}");
        }
    }

    #[test]
    fn a_secret_written_out_loses_its_data_whatever_the_keys_are_named() {
        // A strategic-merge patch, and a chart's `extraObjects` list.
        assert_hidden(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  conn: D-1\n  user: D-2\ndata:\n  x: D-3\ntype: Opaque\n",
            &["D-1", "D-2", "D-3"],
            &[
                "kind: Secret",
                "  name: db",
                "type: Opaque",
                "stringData:\n  ***",
            ],
        );
        assert_hidden(
            "extraObjects:\n  - apiVersion: v1\n    kind: \"Secret\"  # for the app\n    data:\n      db: D-4\n  - kind: ConfigMap\n    metadata:\n      name: c\nreplicas: 2\n",
            &["D-4"],
            &["kind: ConfigMap", "name: c", "replicas: 2"],
        );
        // Without a Secret, a ConfigMap's data stays.
        assert_hidden(
            "kind: ConfigMap\ndata:\n  mode: prod\n",
            &[],
            &["mode: prod"],
        );
        // In a block scalar (a manifest kept as text).
        assert_hidden(
            "manifest: |\n  kind: Secret\n  data:\n    db: D-5\nafter: kept\n",
            &["D-5"],
            &["after: kept"],
        );
    }

    #[test]
    fn a_flow_collection_in_a_config_file_loses_its_credentials() {
        assert_hidden(
            "config.yaml: |\n  db: {password: B-1, host: db.local}\n  cache: [{token: B-2}]\n  odd: {a: &x 1, secret: B-3} # c\n",
            &["B-1", "B-2", "B-3"],
            &["host: db.local", "config.yaml: |"],
        );
    }

    /// The thirteenth review: a Secret as a flow map, or its kind tagged or escaped.
    #[test]
    fn a_secret_in_any_spelling_loses_its_data() {
        assert_hidden(
            "items:\n- {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {conn: S-1}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n",
            &["S-1"],
            &["name: db", "kind: ConfigMap"],
        );
        assert_hidden(
            "apiVersion: v1\nkind: !!str Secret\nmetadata:\n  name: db\nstringData:\n  conn: S-2\n",
            &["S-2"],
            &["name: db"],
        );
        assert_hidden(
            "apiVersion: v1\n\"k\\x69nd\": \"Secr\\x65t\"\nstringData:\n  conn: S-3\n",
            &["S-3"],
            &[],
        );
    }

    /// The fifteenth review: a Secret this reading cannot find in its lines, or written as a
    /// flow map it cannot read, hides the text (or the flow) whole.
    #[test]
    fn a_secret_not_found_in_its_lines_hides_the_text() {
        for text in [
            "apiVersion: v1\nkind:\n  Secret\nmetadata:\n  name: db\nstringData:\n  conn: S-4\n",
            "apiVersion: v1\nkind: >-\n  Secret\nstringData:\n  conn: S-5\n",
            "metadata:\n  labels:\n    k: &k Secret\nkind: *k\nstringData:\n  conn: S-6\n",
            "kind:\n  \"Secr\\x65t\"\ndata:\n  conn: S-7\n",
        ] {
            assert_eq!(mask_yaml(text), MASK, "{text}");
        }
        assert_hidden(
            "apiVersion: v1\nkind: Secret\n? stringData\n:\n  conn: S-8\n",
            &["S-8"],
            &["kind: Secret"],
        );
        assert_hidden(
            "apiVersion: v1\nkind: Secret\n<<: {stringData: {conn: S-9}}\n",
            &["S-9"],
            &["kind: Secret"],
        );
        assert_hidden(
            "items:\n- {apiVersion: v1, kind: Secret, stringData: {conn: S-10}}  # db\n- {kind: ConfigMap, data: {a: b}}\n",
            &["S-10"],
            &["kind: ConfigMap"],
        );
        // A ConfigMap that names no Secret keeps its data.
        assert_hidden("kind: ConfigMap\ndata:\n  a: kept\n", &[], &["a: kept"]);
    }

    #[test]
    fn a_carriage_return_ends_a_line_as_it_does_for_helm() {
        let masked = mask_yaml("image: app\rpassword: P-1\r\nuser: u");
        assert!(!masked.contains("P-1"), "{masked}");
        assert!(
            masked.contains("image: app") && masked.contains("user: u"),
            "{masked}"
        );
    }

    /// The seventeenth review (L1): NEL, U+2028 and U+2029 end a line for go-yaml too.
    #[test]
    fn other_line_breaks_end_a_line_as_they_do_for_helm() {
        for sep in ["\u{85}", "\u{2028}", "\u{2029}"] {
            let values = format!(
                "replicas: 1{sep}db:{sep}  password: |{sep}    first P-1 line{sep}    P-2{sep}user: u"
            );
            let masked = mask_yaml(&values);
            assert!(
                !masked.contains("P-1") && !masked.contains("P-2"),
                "{masked}"
            );
            assert_eq!(
                masked,
                "replicas: 1\ndb:\n  password: ***\n    ***\n    ***\nuser: u"
            );
        }
        // What is no credential keeps its words, on the lines they were broken into.
        let kept = "title: a\u{2028}  b\nnote: c\u{85}d: e";
        assert_eq!(mask_yaml(kept), "title: a\n  b\nnote: c\nd: e");
    }

    #[test]
    fn helm_values_text_keeps_its_shape_and_loses_its_credentials() {
        let values = "replicaCount: 2\nimage:\n  tag: v1.2.3\ndb:\n  host: db.internal\n  password: hunter2-db\n  \"apiKey\": 'k-123'\nauth:\n  user: admin\n  pass: p-456\ntls.key: |\n  -----BEGIN KEY-----\n  MIIE-secret\nafter: kept\nusers:\n  - name: a\n    token: t-789\n  # token: in a comment stays\nprivateKey:\n- line-a\n- line-b\nredis: {host: r, password: FLOW-PW}\nlast: value";
        assert_hidden(
            values,
            &[
                "hunter2-db",
                "k-123",
                "p-456",
                "MIIE-secret",
                "t-789",
                "line-a",
                "admin",
                "FLOW-PW",
            ],
            &[
                "replicaCount: 2",
                "  tag: v1.2.3",
                "  host: db.internal",
                "  password: ***",
                "  \"apiKey\": ***",
                "after: kept",
                "  - name: a",
                "    token: ***",
                "last: value",
            ],
        );
        assert_eq!(mask_yaml(values).lines().count(), values.lines().count());
    }

    #[test]
    fn a_credential_continued_on_the_next_lines_is_hidden_with_them() {
        assert_hidden(
            "db:\n  passphrase: first-half\n    SECOND-HALF\n  host: db\n",
            &["first-half", "SECOND-HALF"],
            &["  passphrase: ***", "  host: db"],
        );
        // Quoted scalars run to their closing quote, at any indentation.
        assert_hidden(
            "password: \"QUOTED-1\n  QUOTED-2\nQUOTED-3\"\nnext: 1",
            &["QUOTED-1", "QUOTED-2", "QUOTED-3"],
            &["password: ***", "next: 1"],
        );
        assert_hidden(
            "token: 'it''s\n  SINGLE-2'\nnext: 1",
            &["it''s", "SINGLE-2"],
            &["next: 1"],
        );
        // A block whose text starts with `#` is text, not a comment.
        assert_hidden(
            "sshKey: |\n  # HASH-LINE\n  BODY\nnext: 1",
            &["HASH-LINE", "BODY"],
            &["next: 1"],
        );
        // Anchors and tags do not hide what follows them.
        assert_hidden(
            "secret: &s !!str \"TAGGED-1\n  TAGGED-2\"\ncopy: *s",
            &["TAGGED-1", "TAGGED-2"],
            &["copy: *s"],
        );
    }

    #[test]
    fn explicit_keys_are_judged_like_any_key() {
        assert_hidden(
            "? password\n: EXPLICIT-1\n? host\n: db.internal\n",
            &["EXPLICIT-1"],
            &[": db.internal"],
        );
        // A key that cannot be judged by its name hides its value.
        assert_hidden(
            "? |\n  pass\n  word\n: EXPLICIT-2\n? [a, b]\n: EXPLICIT-3\n",
            &["EXPLICIT-2", "EXPLICIT-3"],
            &[],
        );
        assert_hidden(
            "list:\n  - ? apiKey\n    : EXPLICIT-4\n",
            &["EXPLICIT-4"],
            &["list:"],
        );
    }

    #[test]
    fn an_explicit_key_that_is_a_sequence_or_spreads_below_hides_its_value() {
        assert_hidden(
            "db:\n  ? - primary\n    - replica\n  : SEQ-1\n  host: db\n",
            &["SEQ-1"],
            &["    - replica", "  host: db"],
        );
        assert_hidden("? -\n  - a\n: SEQ-2\n", &["SEQ-2"], &[]);
        assert_hidden("?\n  user\n: SEQ-3\n", &["SEQ-3"], &[]);
        assert_hidden("? ? a\n  : b\n: SEQ-4\n", &["SEQ-4"], &[]);
        // A plain name that starts with a dash is a name, judged as any.
        assert_hidden(
            "? -primary\n: db.internal\n? -token\n: SEQ-5\n",
            &["SEQ-5"],
            &[": db.internal"],
        );
    }

    #[test]
    fn flow_collections_over_several_lines_are_hidden_when_they_hold_a_credential() {
        assert_hidden(
            "db: {user: a,\n  password:\n    FLOW-1}\nkeep: {a: 1,\n  b: 2}\n",
            &["FLOW-1"],
            &["keep: {a: 1,", "  b: 2}"],
        );
        assert_hidden(
            "users: [\n  {name: x, token: FLOW-2},\n  {name: y, \"it's\": 1}\n]\nz: 1",
            &["FLOW-2"],
            &["z: 1"],
        );
        assert_hidden(
            "{\n  \"db\": {\n    \"password\": \"JSON-1\"\n  }\n}\n",
            &["JSON-1"],
            &[],
        );
    }

    #[test]
    fn config_files_in_block_scalars_keep_their_text_and_lose_their_credentials() {
        assert_hidden(
            "config.yaml: |\n  server {\n    listen 80;\n  }\n  database:\n    password: BLOCK-1\n  plain text line\nafter: 1",
            &["BLOCK-1"],
            &[
                "  server {",
                "    listen 80;",
                "  plain text line",
                "after: 1",
            ],
        );
    }

    /// The fourteenth review: a flow map holding a password beside an image hid the image.
    #[test]
    fn a_flow_collection_loses_only_what_the_object_rules_hide() {
        let masked = mask_yaml(
            "image: {password: hunter2, repository: evil.example.com/miner}\nenv:\n  - {name: DB_PASSWORD, value: \"a,b\"}\nlist: [\n  {apiKey: k1},\n  {tag: v2}]\nodd: {a: !!str b, token: t1}\n",
        );
        assert_eq!(
            masked,
            "image: {password: ***, repository: evil.example.com/miner}\nenv:\n  - {name: DB_PASSWORD, value: ***}\nlist: [\n  {apiKey: ***},\n  {tag: v2}]\nodd: ***\n"
        );
    }

    #[test]
    fn text_that_cannot_be_placed_is_hidden_whole() {
        for values in [
            // A value at the key's own indentation: not YAML, so nothing says where it ends.
            "password:\nHUNTER2\n",
            "db:\n  password: a\n  HUNTER2\n",
            "password: \"never closed HUNTER2\n",
            "creds: {user: a, HUNTER2\n",
            ": HUNTER2\n",
            "--- HUNTER2\n",
            "just a scalar HUNTER2",
        ] {
            assert_eq!(mask_yaml(values), MASK, "{values}");
        }
    }

    /// Texts made of the pieces the reading reacts to, in every order: none makes it panic, and
    /// the answer keeps every line or is the mask alone.
    #[test]
    fn any_mix_of_yaml_pieces_keeps_its_lines_or_is_hidden_whole() {
        const PIECES: [&str; 22] = [
            "\n", "\n  ", "\n    ", "- ", "-", "? ", ": ", ":", "password", "a", "{", "}", "[",
            "]", ",", "\"", "'", "|", "#", "---", "é", "&x ",
        ];
        for text in crate::testing::mixes(&PIECES, 16, 20_000) {
            let masked = mask_yaml(&text);
            assert!(
                masked == MASK || masked.split('\n').count() == text.split('\n').count(),
                "{text:?} became {masked:?}"
            );
        }
    }

    #[test]
    fn ordinary_yaml_stays_as_written() {
        for values in [
            "a: 1\nb:\n  c: [1, 2]\n  d: {e: f}\n",
            "desc: a long\n  text that goes on\nnext: 1",
            "---\nitems:\n-\n  name: x\n- - nested\n...\n",
            "%YAML 1.2\n---\nk: v\n",
            "note: \"multi\n  line\"\nk: 'it''s'\n",
            "",
        ] {
            assert_eq!(mask_yaml(values), values, "{values}");
        }
    }
}

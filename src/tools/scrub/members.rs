//! Credentials as members of structured text that a message quotes (a config file, a log line
//! that is JSON, a manifest), found by the member's name ([`names::credential`]):
//!
//! - quoted names: `"password": "…"` (JSON, also escaped inside JSON), `'password': '…'`
//!   (Python), `"db password": …`; a string, a number or a bare word, also on the next line;
//! - bare names: `password: …` and `DB_PASSWORD: …` (YAML, and `name: value` in prose): to the
//!   end of the line when the name begins it, else one word; a YAML block scalar (`key: |`)
//!   with its indented lines;
//! - XML elements: `<password>…</password>`, and an element an attribute names
//!   (`<entry key="password">…</entry>`, `<string name="api_key">…</string>`);
//! - Jsonnet's hidden fields: `password:: '…'`;
//! - name/value pairs: `{"name": "DB_PASSWORD", "value": "…"}` and its YAML form (a container's
//!   `env`, Helm `parameters`): the `value` after a `name` or `key` that looks like a credential,
//!   or after a JSON patch operation's `path` that ends at one (`path: /stringData/password`).
//!
//! A bare `key: …` is kept: YAML uses it for selectors, tolerations and references to a
//! Secret's key, whose values name things rather than hold them.

use super::headers::reads_as_a_list;
use super::names;
use super::reading::{ends_value, unit, word_may_start};
use super::spans::{
    closing_quote, is_break, line_end_from, line_start_of, name_byte, past_break,
    previous_line_end, skip_blank, skip_spaces, value,
};
use crate::tools::masking::{is_pair_name, is_pair_value, last_named_segment, names_a_place};

/// The longest quoted name read as one: longer quoted text is prose, not a member's name.
const LONGEST_QUOTED_NAME: usize = 128;

/// A member read from text: where its name and its value are.
struct Member {
    name: (usize, usize),
    /// The name as its escapes read (`"\u0070assword"` is `password`), when it holds any.
    decoded: Option<String>,
    value: Option<(usize, usize)>,
    /// Where the member ends (after a quoted value's closing quote).
    end: usize,
}

impl Member {
    fn name<'a>(&'a self, bytes: &'a [u8]) -> &'a str {
        match &self.decoded {
            Some(decoded) => decoded,
            None => std::str::from_utf8(&bytes[self.name.0..self.name.1]).unwrap_or(""),
        }
    }
}

/// A credential-named member at `i` (see [the module](self)): its value's span.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if let Some(found) = element(bytes, i) {
        return Some(found);
    }
    let member = member_at(bytes, i)?;
    // A pair's name field may itself read as a credential's name (`ParameterKey: DBPassword`,
    // `"key": "password"`): what it names is not secret, the value beside it is.
    if let Some(found) = pair_value(bytes, &member) {
        return Some(found);
    }
    let name = member.name(bytes);
    let bare_key = is_bare(bytes, &member) && name.eq_ignore_ascii_case("key");
    // `ParameterKey`, `headerKey`: the field that names an entry, whatever its value.
    let names_an_entry = is_pair_name(name) && !name.eq_ignore_ascii_case("key");
    if names::credential(name)
        && !bare_key
        && !names_an_entry
        && !names_a_place(name)
        && !names_a_key_beside_its_reference(bytes, &member)
    {
        return member.value.or_else(|| list_value(bytes, &member));
    }
    if member.value.is_some() {
        let parent = parent_name(bytes, &member);
        if under_secrets_only_member(parent) || under_credential_member(bytes, &member, parent) {
            return member.value;
        }
    }
    value_before_its_name(bytes, &member)
}

/// The items of a list that a credential-named member holds (`tokens: [a, b]`, `{"apiKeys":
/// ["a"]}`, `tokens:` then `- a` lines): from the first item to the last, when every item is
/// a plain value (a list of maps has members judged on their own).
fn list_value(bytes: &[u8], member: &Member) -> Option<(usize, usize)> {
    let at = skip_blank(bytes, member.end);
    let open = (at < bytes.len()).then(|| unit(bytes, at))?;
    // Go's `[]string{"…"}`: the items inside the braces.
    let go_slice = bytes[at..].starts_with(b"[]");
    let (open, at) = if go_slice {
        let brace = at + bytes[at..].iter().take(32).position(|b| *b == b'{')?;
        (unit(bytes, brace), brace)
    } else {
        (open, at)
    };
    if open.ch == b'[' || (go_slice && open.ch == b'{') {
        let close = if go_slice { b'}' } else { b']' };
        let start = at + open.len;
        let mut end = start;
        while end < bytes.len() && end - start < LONGEST_LIST {
            let u = unit(bytes, end);
            match u.ch {
                c if c == close => return inside_outer_quotes(bytes, start, end),
                b'[' | b'{' | b'\n' | b'\r' => return None,
                _ => end += u.len,
            }
        }
        return None;
    }
    block_list(bytes, member)
}

/// The span `start..end` without the quote opening its first item and the one closing its
/// last (`["a", "b"]` becomes `["***"]`: still JSON).
fn inside_outer_quotes(bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let first = skip_blank(bytes, start);
    let trimmed_end = start + bytes[start..end].trim_ascii_end().len();
    let (mut start, mut end) = (first, trimmed_end);
    if start < end {
        let open = unit(bytes, start);
        let closes = (start + open.len..end).rev().find(|at| {
            let u = unit(bytes, *at);
            u.len == open.len && u.ch == open.ch && *at + u.len == end
        });
        if matches!(open.ch, b'"' | b'\'') && closes.is_some() {
            start += open.len;
            end = closes.unwrap_or(end);
        }
    }
    (end > start).then_some((start, end))
}

/// The most bytes of a flow list read as one credential's list.
const LONGEST_LIST: usize = 2048;

/// `tokens:` ending its line, then `- a` items on the lines below: from the first item's value
/// to the end of the last item, when no item holds a member (`- name: x`).
fn block_list(bytes: &[u8], member: &Member) -> Option<(usize, usize)> {
    if !is_bare(bytes, member) || !is_break(bytes, member.end) {
        return None;
    }
    let name_indent = member.name.0 - line_start_of(bytes, member.name.0);
    let mut line = past_break(bytes, member.end);
    let (mut start, mut end) = (None, None);
    while line < bytes.len() {
        let indent = bytes[line..].iter().take_while(|b| **b == b' ').count();
        let content = line + indent;
        if indent < name_indent || !bytes[content..].starts_with(b"- ") {
            break;
        }
        let line_end = line_end_from(bytes, content);
        let item = &bytes[content + 2..line_end];
        if item.windows(2).any(|w| w == b": ") || item.ends_with(b":") {
            return None;
        }
        start.get_or_insert(content + 2);
        end = Some(line_end);
        if !is_break(bytes, line_end) {
            break;
        }
        line = past_break(bytes, line_end);
    }
    Some((start?, end?)).filter(|(start, end)| end > start)
}

/// Names of members that describe a credential rather than hold it, beside the one that does
/// under a credential-named map (`token: {description: …, default: …}`).
const DESCRIBING: [&str; 10] = [
    "description",
    "required",
    "type",
    "name",
    "kind",
    "enabled",
    "create",
    "optional",
    "deprecationMessage",
    "items",
];

/// Whether `member` holds a plain value directly in a map named like a credential
/// (`credentials:` then `primary: …`; `{"password": {"value": …}}`; a GitHub Actions input
/// `token:` with its `default:`), and describes nothing ([`DESCRIBING`]): what such a map
/// holds is the credential under another name.
fn under_credential_member(bytes: &[u8], member: &Member, parent: Option<&str>) -> bool {
    let Some((start, end)) = member.value else {
        return false;
    };
    let own = member.name(bytes);
    let value = &bytes[start..end];
    let literal = [&b"null"[..], b"true", b"false", b"~"].contains(&value)
        || value.iter().all(u8::is_ascii_digit);
    if literal || names_a_place(own) || DESCRIBING.iter().any(|d| own.eq_ignore_ascii_case(d)) {
        return false;
    }
    parent.is_some_and(|name| {
        names::credential(name)
            && !names_a_place(name)
            && !SECRETS_ONLY.iter().any(|s| name.eq_ignore_ascii_case(s))
    })
}

/// How far around a member its sibling is looked for.
const SIBLING_REACH: usize = 200;

/// An ExternalSecret's `secretKey: DB_PASSWORD` beside its `remoteRef`: the name of the key
/// the operator writes, not a credential (elsewhere, as MinIO's or S3's, a `secretKey` is one).
fn names_a_key_beside_its_reference(bytes: &[u8], member: &Member) -> bool {
    if member.name(bytes) != "secretKey" {
        return false;
    }
    let around = &bytes[member.name.0.saturating_sub(SIBLING_REACH)
        ..(member.end + SIBLING_REACH).min(bytes.len())];
    around
        .windows(10)
        .any(|w| w.starts_with(b"remoteRef") && matches!(w[9], b':' | b'"' | b'\\' | b'\'' | b'&'))
}

/// Members whose every value is a secret whatever its name, by the design of what reads them:
/// Grafana's `secureJsonData` (a datasource's `httpHeaderValue1` is named only by its sibling
/// `jsonData.httpHeaderName1`).
const SECRETS_ONLY: [&str; 1] = ["secureJsonData"];

/// The longest comment after a literal's opening parenthesis read past.
const COMMENT_AFTER_PAREN_MOST: usize = 256;

/// How far back the member holding another is looked for: a few lines (it is looked for at
/// every member, so not far).
const FARTHEST_PARENT: usize = 512;

/// Whether the member holding another (`parent`, see [`parent_name`]) is named in
/// [`SECRETS_ONLY`].
fn under_secrets_only_member(parent: Option<&str>) -> bool {
    parent.is_some_and(|name| SECRETS_ONLY.iter().any(|s| name.eq_ignore_ascii_case(s)))
}

/// The name of the member that holds `member`: inside its `{…}` (JSON, a YAML flow map) or in
/// the block indented below its `name:` line (YAML).
fn parent_name<'a>(bytes: &'a [u8], member: &Member) -> Option<&'a str> {
    brace_parent(bytes, member.name.0).or_else(|| block_parent(bytes, member.name.0))
}

/// The name before the `{` that opens the map holding the byte at `at`: `"parent": {` or
/// `parent: {`, quotes as written or escaped.
fn brace_parent(bytes: &[u8], at: usize) -> Option<&str> {
    let floor = at.saturating_sub(FARTHEST_PARENT);
    let mut depth = 0usize;
    let mut open = None;
    for p in (floor..at).rev() {
        match bytes[p] {
            b'}' | b']' => depth += 1,
            b'{' | b'[' if depth > 0 => depth -= 1,
            b'{' => {
                open = Some(p);
                break;
            }
            b'[' => return None,
            _ => {}
        }
    }
    let mut end = open?;
    // Back over spaces and the colon, then the quote closing the name (`"`, `\"`, `&quot;`).
    while end > floor && matches!(bytes[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
        end -= 1;
    }
    if end == floor || bytes[end - 1] != b':' {
        return None;
    }
    end -= 1;
    while end > floor && matches!(bytes[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    loop {
        if end > floor && matches!(bytes[end - 1], b'"' | b'\'' | b'\\') {
            end -= 1;
        } else if bytes[floor..end].ends_with(b"&quot;") {
            end -= 6;
        } else {
            break;
        }
    }
    let start = bytes[floor..end]
        .iter()
        .rposition(|b| !name_byte(*b))
        .map_or(floor, |p| floor + p + 1);
    std::str::from_utf8(&bytes[start..end]).ok()
}

/// The name of the `name:` line that a YAML block member at `name_at` is indented under.
fn block_parent(bytes: &[u8], name_at: usize) -> Option<&str> {
    if !begins_line(bytes, name_at) {
        return None;
    }
    let line_start = line_start_of(bytes, name_at);
    let indent = |line: &[u8]| line.iter().take_while(|b| matches!(b, b' ' | b'-')).count();
    let own = indent(&bytes[line_start..name_at]);
    if own == 0 {
        return None;
    }
    let floor = name_at.saturating_sub(FARTHEST_PARENT);
    let mut start = line_start;
    while start > floor {
        let end = previous_line_end(bytes, start)?;
        start = line_start_of(bytes, end).max(floor);
        let line = &bytes[start..end];
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if indent(line) >= own {
            continue;
        }
        let content = line[indent(line)..].trim_ascii_end();
        let name = content.strip_suffix(b":")?;
        return name
            .iter()
            .all(|b| name_byte(*b))
            .then(|| std::str::from_utf8(name).ok())
            .flatten();
    }
    None
}

/// `{"value": "…", "name": "DB_PASSWORD"}` and its YAML form: the pair written value first.
fn value_before_its_name(bytes: &[u8], member: &Member) -> Option<(usize, usize)> {
    let name = member.name(bytes);
    if !is_pair_value(name) {
        return None;
    }
    let mut previous_end = member.end;
    for _ in 0..SIBLINGS_MOST {
        let next = sibling_after(bytes, previous_end)?;
        let names = next.name(bytes);
        if names_the_pair(names) {
            let (start, end) = next.value?;
            let named = std::str::from_utf8(&bytes[start..end]).ok()?;
            if names_a_credential_pair(names, named) {
                return member.value;
            }
            // A field that only says the entry's kind (`type: string`) sits between the value
            // and its name; the name itself decides.
            if !names.eq_ignore_ascii_case("type") {
                return None;
            }
        }
        if next.end <= previous_end {
            return None;
        }
        previous_end = next.end;
    }
    None
}

/// The member of the same map after one that ends at `previous_end`: past the closing quote,
/// the comma, the line break and the indentation; none where the map ends or the next item of
/// a YAML list starts.
fn sibling_after(bytes: &[u8], previous_end: usize) -> Option<Member> {
    let mut at = previous_end;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if !(u.ch.is_ascii_whitespace() || matches!(u.ch, b',' | b'"' | b'\'')) {
            break;
        }
        at += u.len;
    }
    if at >= bytes.len() || bytes[at..].starts_with(b"- ") {
        return None;
    }
    // Back onto the quote that opens the next name, if it is quoted.
    member_at(bytes, quote_before(bytes, previous_end, at).unwrap_or(at))
}

/// The member (quoted or bare name) starting at `i`.
fn member_at(bytes: &[u8], i: usize) -> Option<Member> {
    if i >= bytes.len() {
        return None;
    }
    quoted_member(bytes, i).or_else(|| bare_member(bytes, i))
}

fn is_bare(bytes: &[u8], member: &Member) -> bool {
    name_byte(bytes[member.name.0])
}

/// Whether a member names a pair: a field of the same names as in structured objects
/// ([`is_pair_name`]: `name`, `Key`, Keycloak's `type`, CloudFormation's `ParameterKey`,
/// `variable`, `header`…), or a JSON patch operation's `path` (`{"op": "add", "path":
/// "/stringData/password", "value": …}`).
fn names_the_pair(member: &str) -> bool {
    member.eq_ignore_ascii_case("path") || is_pair_name(member)
}

/// Whether the member naming a pair (`name`, or `path`) says with `named` that the pair holds a
/// credential: a credential's name, or a JSON pointer ending at one ([`last_named_segment`]).
fn names_a_credential_pair(member: &str, named: &str) -> bool {
    let judged = |name: &str| names::credential(name) && !names_a_place(name);
    if member.eq_ignore_ascii_case("path") {
        last_named_segment(named).is_some_and(|segment| judged(&segment))
    } else {
        judged(named)
    }
}

/// How many members after a pair's name are looked at for its value.
const SIBLINGS_MOST: usize = 4;

/// `{"name": "DB_PASSWORD", "value": "…"}`: when `member` names a pair ([`names_the_pair`]) and
/// its value looks like a credential's name, the value of the first member holding a pair's
/// value ([`is_pair_value`]: `value`, a Tekton parameter's `default`, a plugin's `string`) among
/// the next few of the same map (`{"name": …, "type": "string", "default": …}`).
fn pair_value(bytes: &[u8], member: &Member) -> Option<(usize, usize)> {
    let name = member.name(bytes);
    if !names_the_pair(name) {
        return None;
    }
    let (start, end) = member.value?;
    let named = std::str::from_utf8(&bytes[start..end]).ok()?;
    if !names_a_credential_pair(name, named) {
        return None;
    }
    let mut previous_end = member.end;
    for _ in 0..SIBLINGS_MOST {
        let next = sibling_after(bytes, previous_end)?;
        let next_name = next.name(bytes);
        if is_pair_value(next_name) {
            return next.value;
        }
        if ["name", "key"]
            .iter()
            .any(|n| next_name.eq_ignore_ascii_case(n))
            || next.end <= previous_end
        {
            return None;
        }
        previous_end = next.end;
    }
    None
}

/// The last quote between `from` and `to`, as a unit's start: the opening quote of a quoted
/// name that the separator skipping passed over.
fn quote_before(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    let mut at = from;
    let mut last = None;
    while at < to {
        let u = unit(bytes, at);
        if matches!(u.ch, b'"' | b'\'') {
            last = Some(at);
        }
        at += u.len;
    }
    last
}

/// `"name": value` or `'name': value` with the opening quote at `i`.
fn quoted_member(bytes: &[u8], i: usize) -> Option<Member> {
    let open = unit(bytes, i);
    if !matches!(open.ch, b'"' | b'\'') {
        return None;
    }
    let name_start = i + open.len;
    let mut at = name_start;
    let mut decoded = String::new();
    let mut escaped = false;
    loop {
        if at >= bytes.len() || at - name_start > LONGEST_QUOTED_NAME {
            return None;
        }
        let u = unit(bytes, at);
        if u.ch == b'\n' || u.ch == b'\r' {
            return None;
        }
        if u.ch == open.ch && u.len == open.len {
            break;
        }
        escaped |= u.escaped;
        decoded.push(if u.ch.is_ascii() {
            char::from(u.ch)
        } else {
            '?'
        });
        at += u.len;
    }
    let name = (name_start, at);
    let decoded = escaped.then_some(decoded);
    at = skip_spaces(bytes, at + open.len);
    // Jsonnet's computed field name: `["password"]:: …`.
    if i > 0 && bytes[i - 1] == b'[' && bytes.get(at) == Some(&b']') {
        at = skip_spaces(bytes, at + 1);
    }
    // `:` (JSON, Python, YAML), `=>` (Ruby's `inspect`, Perl's `Data::Dumper`) or ` = ` (TOML).
    let rest = &bytes[at.min(bytes.len())..];
    // A call's first two arguments: `define('DB_PASSWORD', '…')`, `add("x-api-key", "…")`;
    // the name written as code (`add("password", "is required")` is a validation message).
    let as_code = bytes[name.0..name.1]
        .iter()
        .any(|b| !b.is_ascii_lowercase());
    let first_argument = as_code && bytes[..i].trim_ascii_end().ends_with(b"(");
    let separator_len = if rest.starts_with(b"=>") {
        2
    } else if let Some(len) = jsonnet_separator(rest) {
        len
    } else if first_argument && rest.starts_with(b",") {
        let value_at = skip_spaces(bytes, at + 1);
        if !bytes
            .get(value_at)
            .is_some_and(|b| matches!(b, b'"' | b'\''))
        {
            return None;
        }
        1
    } else if rest.starts_with(b"= ") || rest.starts_with(b"=\"") {
        1
    } else {
        let colon = (at < bytes.len()).then(|| unit(bytes, at))?;
        if colon.ch != b':' {
            return None;
        }
        colon.len
    };
    at = skip_blank(bytes, at + separator_len);
    let (value, end) = member_value(bytes, at, open.len);
    Some(Member {
        name,
        decoded,
        value,
        end,
    })
}

/// A member's value at `at` after a quoted name: a quoted string (inside its quotes), a number,
/// or a bare word; nothing for `null`, `true`, `false`, an object or a list (their members are
/// judged on their own).
fn member_value(bytes: &[u8], at: usize, quote_len: usize) -> (Option<(usize, usize)>, usize) {
    if at >= bytes.len() {
        return (None, at);
    }
    let first = unit(bytes, at);
    if matches!(first.ch, b'"' | b'\'') {
        let inner = at + first.len;
        let close = closing_quote(bytes, inner, first.ch, first.len);
        let end = (close + first.len).min(bytes.len());
        return ((close > inner).then_some((inner, close)), end);
    }
    if let Some(action) = template_action(bytes, at) {
        return reaching(Some(action), at);
    }
    if matches!(first.ch, b'{' | b'[') {
        return (None, at);
    }
    let mut end = at;
    while end < bytes.len() {
        let u = unit(bytes, end);
        if ends_value(bytes, end, u, 0) || matches!(u.ch, b',' | b'}' | b']') {
            break;
        }
        end += u.len;
    }
    // After a quoted name, a number (JSON), or a bare word only where a quoted value could stand
    // (`"password": hunter2` in YAML); `"db-credentials" : secret "x" not found` is prose.
    let word = &bytes[at..end];
    let literal = [&b"null"[..], b"true", b"false"].contains(&word);
    let number = word
        .first()
        .is_some_and(|b| b.is_ascii_digit() || *b == b'-');
    // A quote written as the name's quotes were: the end of a string holding the member is
    // written one level up.
    let next = end + bytes[end..].iter().take_while(|b| **b == b' ').count();
    let then_quote = (next < bytes.len())
        .then(|| unit(bytes, next))
        .is_some_and(|u| matches!(u.ch, b'"' | b'\'') && u.len == quote_len);
    let value = end > at && !literal && (number || !then_quote);
    (value.then_some((at, end)), end)
}

/// `name: value` with a bare name at `i`: YAML, and the same shape in prose. The value is the
/// rest of the line when the name begins its line (after indentation and a list's `- `), else
/// one word; a quoted value is read inside its quotes; `name: |` takes the block below it.
fn bare_member(bytes: &[u8], i: usize) -> Option<Member> {
    let starts_name = bytes[i].is_ascii_alphabetic() || bytes[i] == b'_';
    // `Secret/default/api-token: …` is a resource's path before its message.
    let in_path = i > 0 && bytes[i - 1] == b'/';
    if !starts_name || in_path || !word_may_start(bytes, i, name_byte) {
        return None;
    }
    let name_len = bytes[i..].iter().take_while(|b| name_byte(**b)).count();
    let name = (i, i + name_len);
    let mut at = skip_odd_spaces(bytes, i + name_len);
    // Go's `var password string = "…"`: a string type between the name and its `=`.
    let declared = bytes[..i].ends_with(b"var ") || bytes[..i].ends_with(b"const ");
    if let Some(typed) = ["string ", "[]byte "]
        .iter()
        .find(|t| declared && bytes[at.min(bytes.len())..].starts_with(t.as_bytes()))
    {
        at = skip_spaces(bytes, at + typed.len());
    }
    // Jsonnet's `password+: …` and `password+:: …` add to a field as `:` sets it.
    if bytes.get(at) == Some(&b'+') && bytes.get(at + 1) == Some(&b':') {
        at += 1;
    }
    // Ruby's `:password=>"…"`, Perl's `password => '…'`, R's `password <- "…"`.
    let rest = &bytes[at.min(bytes.len())..];
    if rest.starts_with(b"=>") || rest.starts_with(b"<- ") {
        return Some(bare_word(bytes, name, skip_spaces(bytes, at + 2)));
    }
    // A fullwidth colon (`：`) reads as one.
    if bytes[at.min(bytes.len())..].starts_with("：".as_bytes()) {
        return Some(bare_word(
            bytes,
            name,
            skip_odd_spaces(bytes, at + "：".len()),
        ));
    }
    // PHP's `print_r`: `[password] => value`.
    if i > 0 && bytes[i - 1] == b'[' && bytes.get(at) == Some(&b']') {
        let arrow = skip_spaces(bytes, at + 1);
        if bytes[arrow..].starts_with(b"=>") {
            return Some(bare_word(bytes, name, skip_spaces(bytes, arrow + 2)));
        }
    }
    let colon = (at < bytes.len()).then(|| unit(bytes, at))?;
    if colon.ch != b':' && colon.ch != b'=' {
        return None;
    }
    at += colon.len;
    // Go's `password := "…"` is an assignment ([`super::assignments`]), not a member.
    if colon.ch == b':' && bytes.get(at) == Some(&b'=') {
        return None;
    }
    // Jsonnet's hidden and forced fields: `password:: '…'`, `password::: '…'`.
    if colon.ch == b':' {
        let more = bytes[at..]
            .iter()
            .take(2)
            .take_while(|b| **b == b':')
            .count();
        if bytes
            .get(at + more)
            .is_some_and(|b| *b == b' ' || *b == b'\t')
        {
            at += more;
        }
    }
    // A no-break space after the colon reads as a space.
    if colon.ch == b':' && bytes[at.min(bytes.len())..].starts_with("\u{a0}".as_bytes()) {
        return Some(bare_word(bytes, name, skip_odd_spaces(bytes, at)));
    }
    // YAML and prose put a space after the colon; `scheme:rest` and `ns:name` are not members.
    // Go's `%+v` does not (`{Username:deploy Password:…}`), but its field names are capitalised;
    // an XML attribute (`key="…"`) takes a quote after its `=`.
    let gap = (at < bytes.len()).then(|| unit(bytes, at));
    let spaced = gap.is_none_or(|u| matches!(u.ch, b' ' | b'\t' | b'\n' | b'\r'));
    // Without the space: Go's `%+v` fields are capitalised, and inside `{…}` or `map[…]` (its
    // `%v`) any name is a field; a `.properties` line begins with its name.
    let unspaced_field = colon.ch == b':'
        && (bytes[i].is_ascii_uppercase() || inside_brackets(bytes, i) || begins_line(bytes, i));
    let attribute = colon.ch == b'=' && gap.is_some_and(|u| matches!(u.ch, b'"' | b'\''));
    if !(spaced || unspaced_field || attribute) {
        return None;
    }
    at = past_anchor_and_tag(bytes, skip_gap(bytes, at));
    if let Some(assigned) = typed_declaration(bytes, at) {
        at = assigned;
    }
    let (value, end) = if at >= bytes.len() {
        (None, at)
    } else if is_break(bytes, at) {
        // A YAML scalar continued on the next line; else code assigning a literal there
        // (Java's `String PASSWORD =`, then `"…";` indented by any amount): the literal.
        let literal = skip_gap(bytes, past_break(bytes, at));
        match next_line_value(bytes, i, at) {
            None if colon.ch == b'=' => match literal_quote(bytes, literal) {
                Some(quote) => member_value(bytes, quote, 0),
                None => reaching(None, at),
            },
            continued => reaching(continued, at),
        }
    } else {
        let first = unit(bytes, at);
        if matches!(first.ch, b'"' | b'\'') {
            member_value(bytes, at, first.len)
        } else if colon.ch == b'=' {
            // A literal with a prefix (C#'s `@"…"`, Python's `r"…"`), or in parentheses
            // (`(` then the literal on the next line, as the formatter `black` wraps it).
            let quote = match first.ch {
                b'(' => {
                    let mut inner = skip_gap(bytes, at + 1);
                    // A comment after `(` (`DB_PASSWORD = (  # db`) runs to the line's end,
                    // read within bounds.
                    if bytes.get(inner) == Some(&b'#') {
                        let bound = bytes.len().min(inner + COMMENT_AFTER_PAREN_MOST);
                        inner = (inner..bound)
                            .find(|p| is_break(bytes, *p))
                            .unwrap_or(inner);
                    }
                    let inner = if is_break(bytes, inner) {
                        skip_gap(bytes, past_break(bytes, inner))
                    } else {
                        inner
                    };
                    literal_quote(bytes, inner)
                }
                _ => literal_quote(bytes, at),
            };
            match quote {
                Some(quote) => member_value(bytes, quote, 0),
                None => return None,
            }
        } else if let Some(action) = template_action(bytes, at) {
            reaching(Some(action), at)
        } else if matches!(first.ch, b'{' | b'[') {
            // `{…}` and `[…]`: a flow map or list, whose members are judged on their own (a
            // list of plain values under a credential's name is read by [`list_value`]).
            (None, at)
        } else if matches!(first.ch, b'|' | b'>') {
            reaching(block_scalar(bytes, i, at + first.len), at)
        } else if begins_line(bytes, i) {
            reaching(rest_of_line(bytes, at), at)
        } else {
            reaching(value(bytes, at, false, 0), at)
        }
    };
    // `passCredentials: true`, `auth.enabled: false`: a switch, no credential; nor is the
    // approval question's line for a switch changed (`false → true`, `(absent) → true`).
    let switch = |text: &[u8]| {
        text.split(|b| *b == b' ')
            .filter(|w| !w.is_empty())
            .all(|word| {
                matches!(word, b"true" | b"false" | b"null" | b"(absent)") || word == "→".as_bytes()
            })
    };
    // Only a switch the line ends at (or a list or map goes on after): `password: true "x"`
    // is no switch.
    let ends_there = |end: usize| {
        let next = skip_spaces(bytes, end);
        next >= bytes.len() || matches!(bytes[next], b'\n' | b'\r' | b',' | b'}' | b']')
    };
    let value = match value {
        Some((start, end)) if switch(&bytes[start..end]) && ends_there(end) => None,
        // A switch word and more after it: all of the line is hidden.
        Some((start, end)) if switch(&bytes[start..end]) => {
            let line_end = (end..bytes.len())
                .find(|p| matches!(bytes[*p], b'\n' | b'\r'))
                .unwrap_or(bytes.len());
            Some((start, line_end))
        }
        other => other,
    };
    Some(Member {
        name,
        decoded: None,
        value,
        end,
    })
}

/// The length of a Jsonnet field's separator at the start of `rest` (`::`, `:::`, `+:`, `+::`,
/// `+:::`), when it is one a plain `:` is not.
fn jsonnet_separator(rest: &[u8]) -> Option<usize> {
    let plus = usize::from(rest.first() == Some(&b'+'));
    let colons = rest[plus..]
        .iter()
        .take(3)
        .take_while(|b| **b == b':')
        .count();
    (colons > 0 && (plus == 1 || colons > 1)).then_some(plus + colons)
}

/// The opening quote of a string literal at `at`, after the prefix of at most two letters some
/// languages put before it (C#'s verbatim `@"…"` and interpolated `$"…"`, Python's `r'…'`,
/// `b"…"`, `f"…"`).
fn literal_quote(bytes: &[u8], at: usize) -> Option<usize> {
    let prefix = bytes
        .get(at..)?
        .iter()
        .take(2)
        .take_while(|b| {
            matches!(
                b,
                b'@' | b'$' | b'r' | b'R' | b'b' | b'B' | b'f' | b'F' | b'u' | b'U'
            )
        })
        .count();
    let quote = at + prefix;
    (quote < bytes.len() && matches!(unit(bytes, quote).ch, b'"' | b'\'')).then_some(quote)
}

/// Past spaces and tabs, as written or escaped (`password:\tP` inside a JSON string).
pub(super) fn skip_gap(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let u = unit(bytes, at);
        if !matches!(u.ch, b' ' | b'\t') {
            break;
        }
        at += u.len;
    }
    at
}

/// Past a YAML anchor (`&pw `) and a tag (`!!str `) before a value: they are not the value.
fn past_anchor_and_tag(bytes: &[u8], mut at: usize) -> usize {
    for marker in [b'&', b'!'] {
        if bytes.get(at) != Some(&marker) {
            continue;
        }
        let word = bytes[at..]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace())
            .count();
        let after = at + word;
        if bytes.get(after) == Some(&b' ') {
            at = skip_gap(bytes, after);
        }
    }
    at
}

/// Whether `i` stands inside an open `{` or `[` on its line (Go's `%v` of a struct or a map).
fn inside_brackets(bytes: &[u8], i: usize) -> bool {
    let mut depth = 0i32;
    for b in bytes[i.saturating_sub(300)..i].iter().rev() {
        match b {
            b'\n' | b'\r' => break,
            b'}' | b']' => depth -= 1,
            b'{' | b'[' => depth += 1,
            _ => {}
        }
        if depth > 0 {
            return true;
        }
    }
    false
}

/// A value found (or not) from `at`, with where the member ends.
fn reaching(value: Option<(usize, usize)>, at: usize) -> (Option<(usize, usize)>, usize) {
    (value, value.map_or(at, |(_, end)| end))
}

/// Past spaces, tabs, no-break and ideographic spaces.
fn skip_odd_spaces(bytes: &[u8], mut at: usize) -> usize {
    while let Some(len) = ["\u{a0}", "\u{3000}", " ", "\t"]
        .iter()
        .find(|s| bytes[at.min(bytes.len())..].starts_with(s.as_bytes()))
        .map(|s| s.len())
    {
        at += len;
    }
    at
}

/// A member of the bare name `name` whose value is the one word at `at`.
fn bare_word(bytes: &[u8], name: (usize, usize), at: usize) -> Member {
    let (value, end) = reaching(value(bytes, at, false, 0), at);
    // `Authorization => Bearer …`: the word is a scheme, the credential follows it.
    let value = value.map(|(start, word_end)| {
        let quoted = start > 0 && matches!(bytes[start - 1], b'"' | b'\'');
        match super::headers::after_scheme(bytes, start, word_end) {
            Some(credential_end) if !quoted => (start, credential_end),
            _ => (start, word_end),
        }
    });
    let end = value.map_or(end, |(_, value_end)| value_end.max(end));
    Member {
        name,
        decoded: None,
        value,
        end,
    }
}

/// `password:` ending its line with a plain value on the next line, indented deeper than the
/// name (YAML continues the scalar there): that line. Not when the next line is a key or a list
/// item (the name then holds a map or a list, whose members are judged on their own).
pub(super) fn next_line_value(
    bytes: &[u8],
    name_at: usize,
    line_break: usize,
) -> Option<(usize, usize)> {
    let name_indent = name_at - line_start_of(bytes, name_at);
    let next = past_break(bytes, line_break);
    let indent = bytes[next.min(bytes.len())..]
        .iter()
        .take_while(|b| **b == b' ')
        .count();
    let start = next + indent;
    let end = line_end_from(bytes, start);
    let line = bytes.get(start..end)?;
    let is_key = line.windows(2).any(|w| w == b": ") || line.ends_with(b":");
    let deeper = indent > name_indent;
    (deeper && !line.is_empty() && !is_key && !line.starts_with(b"- ")).then_some((start, end))
}

/// Whether the name at `i` is the first thing on its line: before it only indentation and a
/// list's `- `, back to a line break (as written or escaped) or the start of the text.
fn begins_line(bytes: &[u8], i: usize) -> bool {
    let mut at = i;
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t' | b'-') {
        at -= 1;
    }
    at == 0
        || matches!(bytes[at - 1], b'\n' | b'\r')
        || (at >= 2 && bytes[at - 2] == b'\\' && matches!(bytes[at - 1], b'n' | b'r'))
}

/// From `start` to the end of its line (or a quote, which ends a value quoted as a whole),
/// trailing spaces left out.
/// A typed declaration's type at `at` (Rust's `let token: &str = "…"`, TypeScript's
/// `token: string = "…"`, Kotlin's `val password: String = "…"`): where the value assigned
/// after its ` = ` starts. Only a string type counts (`password: hunter2 = x` keeps its
/// value), as written in those languages: the credential is what follows it.
fn typed_declaration(bytes: &[u8], at: usize) -> Option<usize> {
    const STRING_TYPES: [&str; 8] = [
        "str",
        "string",
        "String",
        "[]byte",
        "SecretString",
        "CharSequence",
        "char*",
        "any",
    ];
    let line_end = bytes[at..]
        .iter()
        .take(64)
        .position(|b| matches!(b, b'\n' | b'\r' | b'='))
        .map(|n| at + n)?;
    if bytes[line_end] != b'='
        || matches!(bytes.get(line_end + 1), Some(b'=' | b'>'))
        || !matches!(bytes.get(line_end.wrapping_sub(1)), Some(b' ' | b'\t'))
    {
        return None;
    }
    let written = std::str::from_utf8(&bytes[at..line_end]).ok()?.trim();
    let bare = written
        .trim_start_matches('&')
        .trim_start_matches("'static ")
        .trim_start_matches("const ")
        .trim_start_matches('*')
        .trim_end_matches('?');
    let bare = bare
        .strip_prefix("Option<")
        .and_then(|inner| inner.strip_suffix('>'))
        .unwrap_or(bare);
    // `&str` is read as a YAML anchor before this: then nothing is left of the type.
    if !(written.is_empty() || STRING_TYPES.contains(&bare)) {
        return None;
    }
    // The value built from a literal (`String::from("…")`, `"…".to_string()` reads as is): the
    // literal is what is assigned.
    let mut assigned = skip_spaces(bytes, line_end + 1);
    // A long value is often written on the next line (Kotlin's `val password: String =`, then
    // the literal indented below it).
    if let Some(b'\n' | b'\r') = bytes.get(assigned) {
        let crlf = bytes[assigned] == b'\r' && bytes.get(assigned + 1) == Some(&b'\n');
        assigned = skip_spaces(bytes, assigned + 1 + usize::from(crlf));
    }
    let constructor = bytes[assigned..bytes.len().min(assigned + LONGEST_CONSTRUCTOR)]
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'<' | b'>')))
        .filter(|n| *n > 0 && bytes[assigned + n] == b'(');
    Some(constructor.map_or(assigned, |n| assigned + n + 1))
}

/// The longest constructor read before a literal (`String::from(`).
const LONGEST_CONSTRUCTOR: usize = 32;

/// A Helm or Go template action at `at` (`{{ "…" | b64enc }}`, `{{ default "…" .Values.x }}`):
/// what a credential's name is given is what it renders, literals included, so the whole
/// action is its value, to its closing `}}` or the end of the line. Not a flow map.
fn template_action(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let open = unit(bytes, at);
    let second = at + open.len;
    if open.ch != b'{' || second >= bytes.len() || unit(bytes, second).ch != b'{' {
        return None;
    }
    // To its `}}`, on the lines below too (at most `TEMPLATE_MOST` bytes); unclosed by then, to
    // the end of its first line.
    const TEMPLATE_MOST: usize = 512;
    let bound = bytes.len().min(at + TEMPLATE_MOST);
    let first_line_end = (at..bound)
        .find(|p| matches!(bytes[*p], b'\n' | b'\r'))
        .unwrap_or(bound);
    let mut end = second + unit(bytes, second).len;
    loop {
        if end >= bytes.len() || end >= at + TEMPLATE_MOST {
            return Some((at, first_line_end));
        }
        let u = unit(bytes, end);
        end += u.len;
        if u.ch == b'}' && end < bytes.len() && unit(bytes, end).ch == b'}' {
            end += unit(bytes, end).len;
            break;
        }
    }
    Some((at, end))
}

fn rest_of_line(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut at = start;
    let mut end = start;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if matches!(u.ch, b'\n' | b'\r' | b'"' | b'\'' | b'`') {
            break;
        }
        at += u.len;
        if !matches!(u.ch, b' ' | b'\t') {
            end = at;
        }
    }
    (end > start && !reads_as_a_list(&bytes[start..end])).then_some((start, end))
}

/// The lines of a YAML block scalar (`password: |`, `key: >-`) whose indicator ends before
/// `after_indicator`, for the name at `name_at`: every following line indented more than the
/// name, or blank. Raw line breaks only.
pub(super) fn block_scalar(
    bytes: &[u8],
    name_at: usize,
    after_indicator: usize,
) -> Option<(usize, usize)> {
    let header_end = line_end_from(bytes, after_indicator);
    if !is_break(bytes, header_end) {
        return None;
    }
    let indicator_rest = &bytes[after_indicator..header_end];
    let only_modifiers = indicator_rest
        .iter()
        .all(|b| matches!(b, b'-' | b'+' | b' ' | b'\t' | b'\r') || b.is_ascii_digit());
    if !only_modifiers {
        return None;
    }
    let name_indent = name_at - line_start_of(bytes, name_at);
    let mut at = past_break(bytes, header_end);
    // The mask keeps the first line's indentation, so the block still reads as YAML.
    let first = at + bytes[at..].iter().take_while(|b| **b == b' ').count();
    let mut end = first;
    while at < bytes.len() {
        let line_end = line_end_from(bytes, at);
        let line = &bytes[at..line_end];
        let indent = line.iter().take_while(|b| **b == b' ').count();
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if !blank && indent <= name_indent {
            break;
        }
        if !blank {
            end = line_end;
        }
        if !is_break(bytes, line_end) {
            break;
        }
        at = past_break(bytes, line_end);
    }
    (end > first).then_some((first, end))
}

/// `<name>value</name>` with the `<` at `i` (as written or escaped): the value, when the
/// element's name looks like a credential.
fn element(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let open = unit(bytes, i);
    if open.ch != b'<' {
        return None;
    }
    let name_start = i + open.len;
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| name_byte(**b) || **b == b':')
        .count();
    let name = std::str::from_utf8(&bytes[name_start..name_start + name_len]).ok()?;
    if name_len == 0 {
        return None;
    }
    let mut close_at = name_start + name_len;
    while close_at < bytes.len() && close_at - name_start < 300 {
        let u = unit(bytes, close_at);
        if u.ch == b'>' || u.ch == b'<' {
            break;
        }
        close_at += u.len;
    }
    let close = (close_at < bytes.len()).then(|| unit(bytes, close_at))?;
    if close.ch != b'>' || bytes[close_at - 1] == b'/' {
        return None;
    }
    // The element's name may carry a namespace (`wsse:Password`); or an attribute names what
    // it holds (Java's `<entry key="password">`, Android's `<string name="api_key">`).
    let local = name.rsplit(':').next().unwrap_or(name);
    let mut start = close_at + close.len;
    if ["key", "name"]
        .iter()
        .any(|n| local.eq_ignore_ascii_case(n))
        && let Some(found) = named_by_sibling(bytes, start)
    {
        return Some(found);
    }
    let attributes = &bytes[name_start + name_len..close_at];
    if !(names::credential(local) || named_by_attribute(attributes)) {
        return None;
    }
    // `<setting name="ApiKey"><value>…</value></setting>`: the value in the one element inside.
    if !names::credential(local)
        && bytes[start..].starts_with(b"<")
        && !bytes[start..].starts_with(b"</")
        && !bytes[start..].starts_with(b"<![")
    {
        let inner_close = start + bytes[start..].iter().take(64).position(|b| *b == b'>')?;
        start = inner_close + 1;
    }
    content(bytes, start)
}

/// The text of an element from `start`, after its start tag: up to the next tag, or what a
/// `<![CDATA[…]]>` holds whole, `<` included.
fn content(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    if bytes[start..].starts_with(b"<![CDATA[") {
        let inner = start + 9;
        let end = bytes[inner..]
            .windows(3)
            .position(|w| w == b"]]>")
            .map_or(bytes.len(), |p| inner + p);
        return (end > inner).then_some((inner, end));
    }
    let mut end = start;
    while end < bytes.len() {
        let u = unit(bytes, end);
        if u.ch == b'<' {
            break;
        }
        end += u.len;
    }
    (end > start).then_some((start, end))
}

/// `<key>password</key><value>…</value>` with `start` after `<key>` (Java's Properties XML,
/// Spring's `<map>`, a plist's `<key>…</key><string>…</string>`, `<name>…</name><value>…`
/// of Hadoop's configuration): the next sibling element's text, when the key's names a
/// credential. As written or escaped (`\u003c`), line breaks and comments between.
fn named_by_sibling(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let (name_start, name_end) = content(bytes, start)?;
    let named = std::str::from_utf8(&bytes[name_start..name_end])
        .ok()?
        .trim();
    if !names::credential(named) || names_a_place(named) {
        return None;
    }
    // Past `</key>` and any comments after it, then the sibling's start tag (not an end tag,
    // a comment or `<x/>`).
    let after_lt = |at: usize| {
        let lt = bytes
            .get(at)
            .map(|_| unit(bytes, at))
            .filter(|u| u.ch == b'<')?;
        bytes.get(at + lt.len).map(|_| unit(bytes, at + lt.len).ch)
    };
    if after_lt(name_end) != Some(b'/') {
        return None;
    }
    let end_tag = tag_close(bytes, name_end)?;
    let mut open = skip_blank(bytes, end_tag + unit(bytes, end_tag).len);
    while let Some(end) = comment_end(bytes, open) {
        open = skip_blank(bytes, end);
    }
    if after_lt(open).is_none_or(|c| matches!(c, b'/' | b'!' | b'?')) {
        return None;
    }
    let open_close = tag_close(bytes, open)?;
    if bytes[open_close - 1] == b'/' {
        return None;
    }
    content(bytes, open_close + unit(bytes, open_close).len)
}

/// Where the XML comment (`<!-- … -->`, its `<` and `>` as written or escaped) opened at `at`
/// ends: within 300 bytes.
fn comment_end(bytes: &[u8], at: usize) -> Option<usize> {
    let lt = bytes
        .get(at)
        .map(|_| unit(bytes, at))
        .filter(|u| u.ch == b'<')?;
    let body = at + lt.len + 3;
    if !bytes[at + lt.len..].starts_with(b"!--") {
        return None;
    }
    let mut p = body;
    while p < bytes.len() && p - at < 300 {
        let u = unit(bytes, p);
        if u.ch == b'>' && p >= body + 2 && bytes[..p].ends_with(b"--") {
            return Some(p + u.len);
        }
        p += u.len;
    }
    None
}

/// Where the `>` that closes the tag opened at `at` is (as written or escaped): within 300
/// bytes, and before another `<`.
fn tag_close(bytes: &[u8], at: usize) -> Option<usize> {
    let mut p = at + unit(bytes, at).len;
    while p < bytes.len() && p - at < 300 {
        let u = unit(bytes, p);
        match u.ch {
            b'>' => return Some(p),
            b'<' => return None,
            _ => p += u.len,
        }
    }
    None
}

/// Whether the attributes of an element's start tag name a credential by `name` or `key`
/// (`key="db.password"`), and not where one is kept.
fn named_by_attribute(attributes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(attributes);
    let lower = text.to_ascii_lowercase();
    ["name", "key"].iter().any(|attribute| {
        lower.match_indices(attribute).any(|(at, _)| {
            let after_space = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
            // `key="…"`, `Name="…"`, `key = "…"`; the quotes may be escaped (`key=\"…\"`
            // inside a JSON string).
            let Some(rest) = text[at + attribute.len()..].trim_start().strip_prefix('=') else {
                return false;
            };
            let rest = rest.trim_start().trim_start_matches('\\');
            let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
                return false;
            };
            let named = rest[1..].split(quote).next().unwrap_or("");
            let named = named.trim_end_matches('\\');
            after_space && names::credential(named) && !names_a_place(named)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[credential]).into_owned()
    }

    #[test]
    fn json_members_named_like_credentials_are_masked() {
        let cases = [
            (
                r#"{"level":"info","token":"T-1","user":"app"}"#,
                r#"{"level":"info","token":"***","user":"app"}"#,
            ),
            (
                r#"{"db": {"password" : "P \"2\""}}"#,
                r#"{"db": {"password" : "***"}}"#,
            ),
            // A JSON log line quoted in JSON: the value ends at its own quote.
            (
                r#"{\"apiKey\":\"K-3 \\\"x\\\"\",\"n\":1}"#,
                r#"{\"apiKey\":\"***\",\"n\":1}"#,
            ),
            (r#"{"pin_password": 8675309}"#, r#"{"pin_password": ***}"#),
            (r#"{"tokenizer":"x"}"#, r#"{"tokenizer":"***"}"#),
            ("{'password': 'P-4'}", "{'password': '***'}"),
            (r#"{"db password": "P-5"}"#, r#"{"db password": "***"}"#),
            ("{\"password\":\n  \"P-6\"}", "{\"password\":\n  \"***\"}"),
            (
                r#"{\"password\":\n  \"P-7\"}"#,
                r#"{\"password\":\n  \"***\"}"#,
            ),
            (r#"{"secret": P-8, "n": 1}"#, r#"{"secret": ***, "n": 1}"#),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            r#"{"token": null, "secret": true, "password": {"a": 1}}"#,
            r#"["password", "token"]"#,
            r#"{"message": "the password was wrong"}"#,
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn yaml_and_prose_members_named_like_credentials_are_masked() {
        let cases = [
            ("password: P-1", "password: ***"),
            (
                "db:\n  DB_PASSWORD: P 2 x\n  user: app",
                "db:\n  DB_PASSWORD: ***\n  user: app",
            ),
            ("- apikey: P-3 # note", "- apikey: ***"),
            (
                "failed: token: T-4, retrying",
                "failed: token: *** retrying",
            ),
            ("password: 'P 5' # q", "password: '***' # q"),
            (
                r"conf: x\npassword: P-6\nuser: u",
                r"conf: x\npassword: ***\nuser: u",
            ),
            (
                "tls:\n  privateKey: |\n    LINE1\n    LINE2\n  cert: c",
                "tls:\n  privateKey: |\n    ***\n    ***\n  cert: c",
            ),
            ("Token: expired", "Token: ***"),
            ("password:\u{a0}P-10", "password:\u{a0}***"),
            ("password： P-11", "password： ***"),
            (
                "{Username:deploy Password:P-7 Insecure:false}",
                "{Username:deploy Password:*** Insecure:false}",
            ),
            (
                "db:\n  password:\n    P-8\n  user: u",
                "db:\n  password:\n    ***\n  user: u",
            ),
            (r#"{"\u0070assword": "P-9"}"#, r#"{"\u0070assword": "***"}"#),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "tolerations:\n- key: node-role\n  operator: Exists",
            "secretKeyRef:\n  name: db\n  key: password",
            "tokenRef:\n  name: scm",
            "secretName: db-credentials",
            "auth-mode: oidc",
            "secretKeyRef: {name: db, key: password}",
            "see secret:default/db",
            "authorization failed: permission denied",
            "password:",
            "password: ***",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn every_value_under_grafanas_secure_json_data_is_masked() {
        for (dirty, clean) in [
            (
                r#"{"jsonData": {"httpHeaderName1": "X-Api-Key"}, "secureJsonData": {"httpHeaderValue1": "V-1", "other": "V-2"}, "url": "u"}"#,
                r#"{"jsonData": {"httpHeaderName1": "X-Api-Key"}, "secureJsonData": {"httpHeaderValue1": "***", "other": "***"}, "url": "u"}"#,
            ),
            (
                "datasources:\n- name: loki\n  jsonData:\n    httpHeaderName1: X-Scope-OrgID\n  secureJsonData:\n    httpHeaderValue1: V-3\n\n    tlsCACert: V-4\n  url: https://loki",
                "datasources:\n- name: loki\n  jsonData:\n    httpHeaderName1: X-Scope-OrgID\n  secureJsonData:\n    httpHeaderValue1: ***\n\n    tlsCACert: ***\n  url: https://loki",
            ),
            (
                r#"{\"secureJsonData\":{\"httpHeaderValue2\":\"V-5\"}}"#,
                r#"{\"secureJsonData\":{\"httpHeaderValue2\":\"***\"}}"#,
            ),
            (
                r#"secureJsonData: {"httpHeaderValue1": "V-6"}"#,
                r#"secureJsonData: {"httpHeaderValue1": "***"}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            r#"{"jsonData": {"httpHeaderName1": "X-Api-Key", "timeout": 30}}"#,
            "jsonData:\n  httpHeaderName1: X-Scope-OrgID\nsecureJsonFields:\n  httpHeaderValue1: true",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn an_external_secrets_key_name_stays_and_other_secret_keys_go() {
        for text in [
            "data:\n- secretKey: DB_PASSWORD\n  remoteRef:\n    key: prod/db\n    property: password",
            r#"{"data":[{"remoteRef":{"key":"prod/db"},"secretKey":"DB_PASSWORD"}]}"#,
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
        assert_eq!(
            masked("minio:\n  accessKey: admin\n  secretKey: S-1"),
            "minio:\n  accessKey: ***\n  secretKey: ***"
        );
    }

    #[test]
    fn json_quoted_with_html_entities_loses_its_credentials() {
        assert_eq!(
            masked(
                "<pre>{&quot;user&quot;:&quot;app&quot;,&quot;password&quot;:&quot;P-1&quot;}</pre>"
            ),
            "<pre>{&quot;user&quot;:&quot;app&quot;,&quot;password&quot;:&quot;***&quot;}</pre>"
        );
        assert_eq!(
            masked("{&#34;token&#34;: &#34;T-2&#34;}"),
            "{&#34;token&#34;: &#34;***&#34;}"
        );
    }

    #[test]
    fn pairs_with_fields_between_and_other_value_names_lose_their_values() {
        for (dirty, clean) in [
            (
                r#"{"name": "DB_PASSWORD", "type": "string", "value": "P-1"}"#,
                r#"{"name": "DB_PASSWORD", "type": "string", "value": "***"}"#,
            ),
            (
                "- name: DB_PASSWORD\n  kind: literal\n  value: P-2",
                "- name: DB_PASSWORD\n  kind: literal\n  value: ***",
            ),
            (
                "params:\n- name: api-token\n  type: string\n  default: P-3",
                "params:\n- name: api-token\n  type: string\n  default: ***",
            ),
            (
                r#"{"name": "db-password", "string": "P-4"}"#,
                r#"{"name": "db-password", "string": "***"}"#,
            ),
            (
                r#"[{"type": "password", "value": "P-5", "temporary": false}]"#,
                r#"[{"type": "password", "value": "***", "temporary": false}]"#,
            ),
            // Keys in alphabetical order, as a serializer writes them.
            (
                r#"{"default":"P-6","name":"api-token","type":"string"}"#,
                r#"{"default":"***","name":"api-token","type":"string"}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "- name: LOG_LEVEL\n  type: string\n  default: debug",
            "- name: DB_PASSWORD\n  valueFrom: {}\n- name: MODE\n  value: prod",
            r#"{"type": "ClusterIP", "value": "x"}"#,
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn lists_and_maps_under_a_credential_name_lose_their_values() {
        for (dirty, clean) in [
            (
                "tokens:\n  - T-1\n  - T-2\nx: 1",
                "tokens:\n  - ***\n  ***\nx: 1",
            ),
            ("apiKeys: [K-1, K-2]", "apiKeys: [***]"),
            (r#"{"tokens": ["T-3"]}"#, r#"{"tokens": ["***"]}"#),
            (r#"{"tokens": ["T-4", "T-5"]}"#, r#"{"tokens": ["***"]}"#),
            (
                r#"{"password": {"value": "P-1"}}"#,
                r#"{"password": {"value": "***"}}"#,
            ),
            (
                "credentials:\n  primary: P-2\n",
                "credentials:\n  primary: ***\n",
            ),
            (
                "inputs:\n  token:\n    description: the token\n    default: T-4",
                "inputs:\n  token:\n    description: the token\n    default: ***",
            ),
            (
                r#"http.Header{"X-Vault-Token":[]string{"T-5"}}"#,
                r#"http.Header{"X-Vault-Token":[]string{"***"}}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "auth:\n  enabled: true\n  type: oidc",
            "valueFrom:\n  secretKeyRef:\n    name: db\n    key: password",
            "secret:\n  create: true\n  replicas: 2",
            "ports: [8080, 9090]",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn escaped_blocks_and_odd_separators_are_read() {
        for (dirty, clean) in [
            (
                r#"{"yaml":"db:\n  password: |\n    P-1\n  user: app\n"}"#,
                r#"{"yaml":"db:\n  password: |\n    ***\n  user: app\n"}"#,
            ),
            (
                r#"{"yaml":"db:\n  password:\n    P-2\n  user: app"}"#,
                r#"{"yaml":"db:\n  password:\n    ***\n  user: app"}"#,
            ),
            (r#""password:\tP-3""#, r#""password:\t***""#),
            ("x password: &pw P-4", "x password: &pw ***"),
            ("x password: !!str P-5", "x password: !!str ***"),
            ("password\u{a0}: P-6", "password\u{a0}: ***"),
            (
                "{:user=>\"app\", :password=>\"P-7\"}",
                "{:user=>\"app\", :password=>\"***\"}",
            ),
            (
                "(user => 'app', password => 'P-8')",
                "(user => 'app', password => '***')",
            ),
            ("password <- \"P-9\"", "password <- \"***\""),
            (
                "define( 'DB_PASSWORD', 'P-10' );",
                "define( 'DB_PASSWORD', '***' );",
            ),
            (r#"\"db password\": P-11""#, r#"\"db password\": ***""#),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "define('WP_DEBUG', false);",
            "log(\"password\", \"is required\")x",
            "ci-token: p, proj:default:ci-token, applications, sync, default/*, allow",
            "Secret/default/db-credentials: Secret is invalid",
            "{Image:ghcr.io/org/token-service:2.0.7 Name:api}",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn pairs_spelled_as_in_structured_objects_lose_their_values() {
        for (dirty, clean) in [
            (
                "- ParameterKey: DBPassword\n  ParameterValue: P-1",
                "- ParameterKey: DBPassword\n  ParameterValue: ***",
            ),
            (
                r#"{"Name": "DB_PASSWORD", "Value": "P-2"}"#,
                r#"{"Name": "DB_PASSWORD", "Value": "***"}"#,
            ),
            (
                "- variable: db_password\n  value: P-3",
                "- variable: db_password\n  value: ***",
            ),
            (
                "headers:\n- header: X-Api-Key\n  value: P-4",
                "headers:\n- header: X-Api-Key\n  value: ***",
            ),
            (
                r#"{"id": "client_secret", "text": "P-5"}"#,
                r#"{"id": "client_secret", "text": "***"}"#,
            ),
            (
                r#"{"defaultValue": "P-6", "paramName": "api_token"}"#,
                r#"{"defaultValue": "***", "paramName": "api_token"}"#,
            ),
            // The thirty-sixth review (P2): a kind's field between the value and its name.
            (
                "- description: the key\n  value: P-7\n  type: string\n  name: api_key\n",
                "- description: the key\n  value: ***\n  type: string\n  name: api_key\n",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "- ParameterKey: InstanceType\n  ParameterValue: t3.micro",
            "- variable: region\n  value: eu-west-1",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn name_value_pairs_lose_the_value_of_a_credential() {
        let cases = [
            (
                r#"{"name":"DB_PASSWORD","value":"P-1"}"#,
                r#"{"name":"DB_PASSWORD","value":"***"}"#,
            ),
            (
                r#"env: [{"name": "API_TOKEN", "value": "T-2"}, {"name": "MODE", "value": "prod"}]"#,
                r#"env: [{"name": "API_TOKEN", "value": "***"}, {"name": "MODE", "value": "prod"}]"#,
            ),
            (
                "env:\n- name: DB_PASSWORD\n  value: P-3\n- name: MODE\n  value: prod",
                "env:\n- name: DB_PASSWORD\n  value: ***\n- name: MODE\n  value: prod",
            ),
            (
                r#"{\"name\":\"secret.key\",\"value\":\"P-4\"}"#,
                r#"{\"name\":\"secret.key\",\"value\":\"***\"}"#,
            ),
            (
                "- value: P-7\n  name: DB_PASSWORD",
                "- value: ***\n  name: DB_PASSWORD",
            ),
            (
                r#"{"value":"P-8","name":"API_TOKEN"}"#,
                r#"{"value":"***","name":"API_TOKEN"}"#,
            ),
            (
                r#"<add key="DbPassword" value="P-5"/>"#,
                r#"<add key="DbPassword" value="***"/>"#,
            ),
            (
                r#"<property name="password" value="P-6"/>"#,
                r#"<property name="password" value="***"/>"#,
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn dumps_of_other_languages_lose_their_credentials() {
        for (dirty, clean) in [
            (
                "map[database:map[password:P-1 user:app]]",
                "map[database:map[password:*** user:app]]",
            ),
            (
                "cfg={user:app password:P-2 insecure:false}",
                "cfg={user:app password:*** insecure:false}",
            ),
            (
                "spring.datasource.password:P-3",
                "spring.datasource.password:***",
            ),
            (
                r#"{"user"=>"app", "password"=>"P-4"}"#,
                r#"{"user"=>"app", "password"=>"***"}"#,
            ),
            (
                "Array ( [password] => P-5 [user] => app )",
                "Array ( [password] => *** [user] => app )",
            ),
            (
                "$VAR1 = { 'password' => 'P-6' };",
                "$VAR1 = { 'password' => '***' };",
            ),
            (
                "[database]\n\"password\" = \"P-9\"",
                "[database]\n\"password\" = \"***\"",
            ),
            (
                r#"<wsse:Password Type="x#PasswordText">P-7</wsse:Password>"#,
                r#"<wsse:Password Type="x#PasswordText">***</wsse:Password>"#,
            ),
            (
                "<password><![CDATA[P<8]]></password>",
                "<password><![CDATA[***]]></password>",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "see secret:default/db now",
            "<password/> none",
            "time 10:30",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn xml_elements_an_attribute_names_and_jsonnet_hidden_fields_are_masked() {
        for (dirty, clean) in [
            (
                r#"<entry key="db.password">X-1</entry>"#,
                r#"<entry key="db.password">***</entry>"#,
            ),
            (
                r#"<string name="api_key"><![CDATA[X-2]]></string>"#,
                r#"<string name="api_key"><![CDATA[***]]></string>"#,
            ),
            (
                r#"<setting name="ApiKey" serializeAs="String"><value>X-3</value></setting>"#,
                r#"<setting name="ApiKey" serializeAs="String"><value>***</value></setting>"#,
            ),
            (
                r#"{"m": "<entry key=\"token\">X-4</entry>"}"#,
                r#"{"m": "<entry key=\"token\">***</entry>"}"#,
            ),
            (
                "{ password:: 'X-5', user: 'app' }",
                "{ password:: '***', user: 'app' }",
            ),
            ("{ apiToken::: \"X-6\" }", "{ apiToken::: \"***\" }"),
            ("password+:: 'X-9',", "password+:: '***',"),
            ("'password':: 'X-10',", "'password':: '***',"),
            ("[\"password\"]:: 'X-11',", "[\"password\"]:: '***',"),
            (
                r#"<Parameter Name="password">X-7</Parameter>"#,
                r#"<Parameter Name="password">***</Parameter>"#,
            ),
            (
                r#"<entry key = "api_token">X-8</entry>"#,
                r#"<entry key = "api_token">***</entry>"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            r#"<string name="app_name">Shop</string>"#,
            r#"<entry key="password_file">/run/pw</entry>"#,
            "std::string password::hash(x)",
        ] {
            assert_eq!(masked(kept), kept, "{kept}");
        }
    }

    /// Java's Properties XML and Spring's maps, plists and Hadoop's configuration name a value
    /// by the element before it.
    #[test]
    fn xml_values_a_sibling_element_names_are_masked() {
        for (dirty, clean) in [
            (
                "<entry><key>password</key><value>X-1</value></entry>",
                "<entry><key>password</key><value>***</value></entry>",
            ),
            (
                "<dict>\n  <key>ApiToken</key>\n  <string>X-2</string>\n</dict>",
                "<dict>\n  <key>ApiToken</key>\n  <string>***</string>\n</dict>",
            ),
            (
                "<property><name>fs.s3a.secret.key</name><value>X-3</value></property>",
                "<property><name>fs.s3a.secret.key</name><value>***</value></property>",
            ),
            (
                "<entry><key>db.password</key><value><![CDATA[X-4]]></value></entry>",
                "<entry><key>db.password</key><value><![CDATA[***]]></value></entry>",
            ),
            (
                r#"{"m": "\u003ckey\u003etoken\u003c/key\u003e\u003cvalue\u003eX-5\u003c/value\u003e"}"#,
                r#"{"m": "\u003ckey\u003etoken\u003c/key\u003e\u003cvalue\u003e***\u003c/value\u003e"}"#,
            ),
            (
                "é<entry><key>password</key><value>日本</value></entry>ü",
                "é<entry><key>password</key><value>***</value></entry>ü",
            ),
            (
                "<key>password</key><!-- c --><value>X-6</value>",
                "<key>password</key><!-- c --><value>***</value>",
            ),
            (
                "<key>token</key>\n  <!-- é <b> -->\n  <!---->\n  <string>X-7</string>",
                "<key>token</key>\n  <!-- é <b> -->\n  <!---->\n  <string>***</string>",
            ),
            (
                r#"{"m": "\u003ckey\u003etoken\u003c/key\u003e\u003c!-- c --\u003e\u003cvalue\u003eX-8\u003c/value\u003e"}"#,
                r#"{"m": "\u003ckey\u003etoken\u003c/key\u003e\u003c!-- c --\u003e\u003cvalue\u003e***\u003c/value\u003e"}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            "<property><name>app.name</name><value>shop</value></property>",
            "<property><name>password_file</name><value>/run/pw</value></property>",
            "<property><name>password</name><value/></property>",
            "<property><name>password</name></property><value>v</value>",
        ] {
            assert_eq!(masked(kept), kept, "{kept}");
        }
        for text in [
            "<key>password",
            "<key>password<",
            "<key>password</key",
            "<key>password</key>",
            "<key>password</key><",
            "<key>password</key><value",
            "<key>password</key><value>",
            "<name>tokén</name>é<é>é",
            "<key>password</key>\u{200B}<value>日本</value>",
            "<key>password</key>\\u003c",
            "<key>password</key><!--",
            "<key>password</key><!-->",
            "<key>password</key><!-- é --",
            "<key>password</key><!-- é -->",
            "<key>password</key><!-- é --><",
            "<key>password</key>\\u003c!-- é --\\u003e",
        ] {
            let _ = masked(text);
        }
    }

    /// The fifteenth review's XML shapes: each loses its value.
    #[test]
    fn xml_values_named_by_a_sibling_in_any_spelling_are_masked() {
        for dirty in [
            "<key>password</key>\n<value>R15x01</value>",
            "<key>password</key> <string>R15x02</string>",
            "<name>db.password</name><value>R15x03</value>",
            "<entry><key>api_key</key><value><![CDATA[R15x04]]></value></entry>",
            "<entry><key>password</key><value type=\"string\">R15x05</value></entry>",
            "<key>password</key><!-- c --><value>R15x06</value>",
            "<Key>Password</Key><Value>R15x07</Value>",
            "<key>password</key><!-- a --> <!-- b -->\n<value>R15x08</value>",
            "<key> password </key><value>R15x09</value>",
            "<key>password</key><value>R15x10 and more</value>",
            "<dict><key>APIToken</key><string>R15x11</string></dict>",
        ] {
            let clean = masked(dirty);
            assert!(!clean.contains("R15"), "{dirty} -> {clean}");
        }
        for kept in [
            "<name>app</name><!-- c --><value>shop</value>",
            "<name>password</name><!-- c --></property><value>v</value>",
        ] {
            assert_eq!(masked(kept), kept, "{kept}");
        }
    }

    #[test]
    fn xml_elements_named_like_credentials_are_masked() {
        assert_eq!(
            masked("<user>u</user><password>P-1</password>"),
            "<user>u</user><password>***</password>"
        );
        assert_eq!(
            masked(r"\u003capiKey\u003eK-2\u003c/apiKey\u003e"),
            r"\u003capiKey\u003e***\u003c/apiKey\u003e"
        );
        for text in [
            "<password></password>",
            "<password><a/></password>",
            "a < b",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        for text in [
            "\"",
            "'",
            "\"token\"",
            "\"token\":",
            "\"token\": \"",
            "\\\"token\\\":\\\"",
            "<",
            "<a",
            "<token>",
            "token: |",
            "token: |\n",
            "token: |\n  x",
            "token: >x\n",
            "name: token",
            "\"name\": \"token\",",
            "key:",
            "é: é",
            "tokén: x",
        ] {
            let _ = masked(text);
        }
    }

    /// The seventeenth review (T1, P1): a template action given to a credential's name is its
    /// value, literals and all; a switch after such a name (`passCredentials: true`) is shown.
    #[test]
    fn a_template_action_is_a_value_and_a_switch_is_no_credential() {
        for (dirty, secret) in [
            ("password: {{ \"R17t01x\" | b64enc | quote }}", "R17t01x"),
            (
                "apiKey: {{ default \"R17t02x\" .Values.apiKey }}",
                "R17t02x",
            ),
            (
                "DB_PASSWORD: {{ .Values.db.password | default \"R17t03x\" }}",
                "R17t03x",
            ),
            ("render: token: {{ \"R17t04x\" }}", "R17t04x"),
            ("{\"password\": {{ \"R17t05x\" }}}", "R17t05x"),
            ("password: {{ \"R17t06x\"", "R17t06x"),
        ] {
            let clean = super::super::without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty} → {clean}");
        }
        for kept in [
            "spec.source.helm.passCredentials: false → true",
            "auth.enabled: false",
            "password: null",
        ] {
            assert_eq!(super::super::without_credentials(kept), kept);
        }
    }

    /// The twenty-second review (L2): a Java or Go declaration with its literal on the next
    /// line, and Go's `var name string = …`.
    #[test]
    fn a_declarations_literal_on_the_next_line_is_masked() {
        for (dirty, clean) in [
            (
                "private static final String PASSWORD =\n    \"R22l2ja\";",
                "private static final String PASSWORD =\n    \"***\";",
            ),
            (
                "String dbPassword =\n\t\"R22l2jb\";",
                "String dbPassword =\n\t\"***\";",
            ),
            (
                "var dbPassword string =\n  \"R22l2go\"",
                "var dbPassword string =\n  \"***\"",
            ),
            // Deeper than its name: the whole line, as a YAML scalar continued.
            ("password =\n  \"R22l2jd\" + \"tail\";", "password =\n  ***"),
            (
                "const apiToken string = \"R22l2gc\"",
                "const apiToken string = \"***\"",
            ),
            (
                "{\"src\": \"String dbPassword =\\n\\t\\\"R22l2je\\\";\"}",
                "{\"src\": \"String dbPassword =\\n\\t\\\"***\\\";\"}",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            "String name =\n \"guestbook\";",
            "var name string =\n  \"guestbook\"",
            "password =\n\ngetPassword();",
            "if (password ==\n \"x\")",
            "var password string\n\"not assigned\"",
        ] {
            assert_eq!(masked(kept), kept);
        }
    }

    /// The twenty-third review (L3): a literal in parentheses on the next line (as `black`
    /// wraps Python), and a literal with a prefix (C#'s `@"…"`, Python's `r"…"`).
    #[test]
    fn wrapped_and_prefixed_literals_are_masked() {
        for (dirty, clean) in [
            (
                "DB_PASSWORD = (\n    \"R23m1\"\n)\n",
                "DB_PASSWORD = (\n    \"***\"\n)\n",
            ),
            ("DB_PASSWORD = (\"R23m2\")", "DB_PASSWORD = (\"***\")"),
            (
                "string dbPassword =\n    @\"R23m3\";",
                "string dbPassword =\n    @\"***\";",
            ),
            ("var apiKey = $@\"R23m4\";", "var apiKey = $@\"***\";"),
            ("token = r'R23m5'", "token = r'***'"),
            // The twenty-sixth review (C3): a comment after the parenthesis.
            (
                "DB_PASSWORD = (  # db\n    \"R26m1\"\n)\n",
                "DB_PASSWORD = (  # db\n    \"***\"\n)\n",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty:?}");
        }
        for kept in [
            "password = (x + y)",
            "password = (\n    get_password()\n)",
            "password = bar",
            "token = r",
            "password = (",
            "password = (  # \"not\" this\n    get_password()\n)",
            "password = (  # no break",
        ] {
            assert_eq!(masked(kept), kept, "{kept:?}");
        }
    }
}

//! YAML anchors: a value anchored under an innocent name and aliased under a credential's
//! (`common: &dbpass …` then `password: *dbpass`, as Helm values share one value between
//! charts). The alias names the value a credential, so the anchored value is hidden where it is
//! written.

use std::borrow::Cow;

use super::names;
use crate::tools::masking::{MASK, names_a_place};

/// The most anchors named apart in one text: past them every anchored value is hidden (an
/// attacker padding decoy aliases first does not get the next one through).
const ANCHORS_MOST: usize = 16;

/// The longest anchor name read.
const ANCHOR_NAME_MOST: usize = 128;

/// The anchors a credential's member aliases ([`aliased_as_credentials`]).
struct Aliased<'t> {
    names: Vec<&'t str>,
    /// More than [`ANCHORS_MOST`] are aliased: every anchor counts as one of them.
    every: bool,
}

impl<'t> Aliased<'t> {
    fn holds(&self, name: &str) -> bool {
        !name.is_empty() && (self.every || self.names.contains(&name))
    }

    /// Counts `anchor` as aliased by a credential: false when [`ANCHORS_MOST`] are already
    /// (then every anchor counts).
    fn add(&mut self, anchor: &'t str) -> bool {
        if !self.names.contains(&anchor) {
            if self.names.len() == ANCHORS_MOST {
                self.every = true;
                return false;
            }
            self.names.push(anchor);
        }
        true
    }
}

/// Names of a mapping's member that say only that it holds a value (`{value: *pw}`): what the
/// value is, the name of the list holding the mapping tells.
const VALUE_MEMBERS: [&str; 3] = ["value", "val", "data"];

/// `text` with every scalar anchored by a name that a credential's member aliases hidden: on
/// the anchor's line, or the lines of a block scalar (`&dbpass |`) or a value on the lines
/// after (`&dbpass` ending its line) that are indented under it.
pub fn hide_aliased(text: &str) -> Cow<'_, str> {
    if !text.contains('*') || !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let aliased = aliased_as_credentials(text);
    if aliased.names.is_empty() {
        return Cow::Borrowed(text);
    }
    let (lines, mut spans, mut at) = (lines(text), Vec::new(), 0);
    while at < lines.len() {
        let (line_start, line_end) = lines[at];
        let line = &text[line_start..line_end];
        at += 1;
        let Some((start, end)) = anchored_value(line, &aliased) else {
            continue;
        };
        if start < end {
            spans.push((line_start + start, line_start + end));
            continue;
        }
        // The lines indented under the anchor's member (more than its key, after the dashes
        // of sequence items), blank ones among them, each to its end.
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        while let Some(&(start, end)) = lines.get(at) {
            let inner = &text[start..end];
            let spaces = inner.len() - inner.trim_start_matches(' ').len();
            let content = inner[spaces..].trim_end();
            if !content.is_empty() && spaces <= indent {
                break;
            }
            if !content.is_empty() && content != MASK {
                spans.push((start + spaces, start + spaces + content.len()));
            }
            at += 1;
        }
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let (mut out, mut kept) = (String::with_capacity(text.len()), 0);
    for (start, end) in spans {
        out.push_str(&text[kept..start]);
        out.push_str(MASK);
        kept = end;
    }
    out.push_str(&text[kept..]);
    Cow::Owned(out)
}

/// The `:` right before an alias at `at` (spaces between).
fn colon_before(bytes: &[u8], at: usize) -> Option<usize> {
    let mut key_end = at;
    while key_end > 0 && at - key_end < 16 && matches!(bytes[key_end - 1], b' ' | b'\t') {
        key_end -= 1;
    }
    (key_end > 0 && bytes[key_end - 1] == b':').then(|| key_end - 1)
}

/// Whose list an alias is an item of.
enum Owner {
    /// The member at this `:`.
    Key(usize),
    /// One above the bound read: the alias is taken for a credential's (fail safe).
    Unknown,
}

/// The member whose list holds the alias at `at` as an item: a flow sequence's (`apiKeys: [*k,
/// *j]`, over lines too, read back to its `[`), a block sequence's (`- *pw` under
/// `passwords:`, the nearest line above it less indented, or as indented and not an item,
/// comments passed over), and a list nested in either (`- - *pw`, `-` then `- *pw` below it,
/// `[[*pw]]`, `- [*pw]`). Read back at most [`OWNER_BACK_MOST`] bytes: an owner not found by
/// then is [`Owner::Unknown`].
fn list_owner(bytes: &[u8], at: usize) -> Option<Owner> {
    let floor = at.saturating_sub(OWNER_BACK_MOST);
    // Where the bound cuts the text, what lies above is not known; at its start, nothing is.
    let past_bound = || (floor > 0).then_some(Owner::Unknown);
    let mut at = at;
    loop {
        let mut p = at;
        while p > floor && bytes[p - 1].is_ascii_whitespace() {
            p -= 1;
        }
        if p == floor {
            return past_bound();
        }
        match bytes[p - 1] {
            b'[' | b',' => {
                // The `[` opening the list that holds `at`.
                let Some(open) = opening_before(bytes, p, floor) else {
                    return past_bound();
                };
                // An item of a flow mapping is a member's value, read by its colon.
                if bytes[open] == b'{' {
                    return None;
                }
                if let Some(colon) = colon_before(bytes, open) {
                    return Some(Owner::Key(colon));
                }
                // The list is itself an item (`[[*pw]]`, `- [*pw]`): its owner's.
                at = open;
            }
            b'-' => return block_owner(bytes, p - 1, floor),
            // `password:` with its alias on the line below.
            b':' => return Some(Owner::Key(p - 1)),
            _ => return None,
        }
    }
}

/// The most bytes [`list_owner`] reads back from an alias for its owner.
const OWNER_BACK_MOST: usize = 2048;

/// The owner of the block sequence whose item's dash is at `dash`, read back to `floor`
/// ([`Owner::Unknown`] when that cuts the text before the owner is found).
fn block_owner(bytes: &[u8], dash: usize, floor: usize) -> Option<Owner> {
    let past_bound = || (floor > 0).then_some(Owner::Unknown);
    let line_start = (floor..dash)
        .rev()
        .find(|q| bytes[*q] == b'\n')
        .map_or(floor, |q| q + 1);
    // Only blanks and the dashes of outer items (`- - *pw`) before the item on its line.
    let prefix = &bytes[line_start..dash];
    if !prefix.iter().all(|b| matches!(b, b' ' | b'\t' | b'-')) {
        return None;
    }
    if line_start == floor {
        return past_bound();
    }
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    let mut item_indent = prefix.iter().take_while(|b| blank(b)).count();
    let mut end = line_start;
    while end > floor {
        // The line above, from `start` to its break at `end - 1`.
        let start = (floor..end - 1)
            .rev()
            .find(|q| bytes[*q] == b'\n')
            .map_or(floor, |q| q + 1);
        // A line the bound cuts is not read as the owner.
        if start == floor && floor > 0 {
            return Some(Owner::Unknown);
        }
        let line = &bytes[start..end - 1];
        end = start;
        let indent = line.iter().take_while(|b| blank(b)).count();
        let mut content = line[indent..].trim_ascii_end();
        if content.is_empty() || content[0] == b'#' {
            continue;
        }
        if let Some(comment) = content.windows(2).position(|w| w == b" #") {
            content = content[..comment].trim_ascii_end();
        }
        if indent < item_indent || (indent == item_indent && !content.starts_with(b"-")) {
            // An item whose value is the list below it (`-` alone): that item's owner.
            if content.iter().all(|b| blank(b) || *b == b'-') {
                item_indent = indent;
                continue;
            }
            return (content.last() == Some(&b':'))
                .then_some(Owner::Key(start + indent + content.len() - 1));
        }
    }
    past_bound()
}

/// The anchors a member named like a credential aliases (`password: *dbpass`, in a block or a
/// flow mapping `{password: *dbpass}`, the name quoted or not).
fn aliased_as_credentials(text: &str) -> Aliased<'_> {
    let bytes = text.as_bytes();
    let mut aliased = Aliased {
        names: Vec::new(),
        every: false,
    };
    const OWNERS_READ_MOST: usize = 256;
    let mut owners_read = 0;
    for (at, _) in text.match_indices('*') {
        // An alias follows `: ` or `:`, or is an item of a list a member holds (`- *pw`,
        // `[*pw]`); a `*` elsewhere is no alias (a run of them is passed over without
        // reading). Names are short: each read within a bound, in linear time.
        if at == 0 || !matches!(bytes[at - 1], b' ' | b'\t' | b':' | b'[' | b',') {
            continue;
        }
        let owner = colon_before(bytes, at).map(Owner::Key).or_else(|| {
            // A list's owner is read back over lines: past a bound on how many are looked
            // for, every anchored value is hidden (as past the anchors judged).
            owners_read += 1;
            list_owner(bytes, at)
        });
        if owners_read > OWNERS_READ_MOST {
            aliased.every = true;
            break;
        }
        let anchor_len = bytes[at + 1..]
            .iter()
            .take(ANCHOR_NAME_MOST + 1)
            .take_while(|b| !ends_name(b))
            .count();
        if anchor_len == 0 || anchor_len > ANCHOR_NAME_MOST {
            continue;
        }
        let anchor = &text[at + 1..at + 1 + anchor_len];
        let colon = match owner {
            Some(Owner::Key(colon)) => colon,
            Some(Owner::Unknown) if aliased.add(anchor) => continue,
            Some(Owner::Unknown) => break,
            None => continue,
        };
        let Some((key_start, mut name)) = member_name(text, colon)
            .filter(|(_, name)| !name.is_empty())
            .or_else(|| explicit_key(text, colon))
        else {
            continue;
        };
        if VALUE_MEMBERS.iter().any(|v| name.eq_ignore_ascii_case(v)) {
            // Both readings below are within bounds, counted as one owner read.
            owners_read += 1;
            // `- name: DB_PASSWORD` / `value: *pw` (Kubernetes' `env`, Helm's `extraEnv`):
            // the value is named by its entry's `name` beside it.
            let entry = name
                .eq_ignore_ascii_case("value")
                .then(|| entry_name(text, key_start))
                .flatten()
                .filter(|entry| names::credential(entry) && !names_a_place(entry));
            if let Some(entry) = entry {
                name = entry;
            } else {
                // `passwords: [{value: *pw}]`, `- value: *pw` under `passwords:`: the member
                // of a mapping that is a list's item, named only as a value, is judged by the
                // list's name.
                match mapping_item_owner(bytes, key_start) {
                    Some(Owner::Key(owner)) => match member_name(text, owner) {
                        Some((_, owner)) => name = owner,
                        None => continue,
                    },
                    Some(Owner::Unknown) if aliased.add(anchor) => continue,
                    Some(Owner::Unknown) => break,
                    None => continue,
                }
            }
        }
        if !names::credential(name) || names_a_place(name) {
            continue;
        }
        if !aliased.add(anchor) {
            break;
        }
    }
    aliased
}

/// Whether `b` ends an anchor's or a member's name.
fn ends_name(b: &u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// The name of the member whose `:` is at `colon`, quoted or not, and where it starts.
fn member_name(text: &str, colon: usize) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut key_end = colon;
    while key_end > 0
        && colon - key_end < 32
        && matches!(bytes[key_end - 1], b'"' | b'\'' | b'\\' | b' ' | b'\t')
    {
        key_end -= 1;
    }
    let key_len = bytes[..key_end]
        .iter()
        .rev()
        .take(ANCHOR_NAME_MOST + 1)
        .take_while(|b| !ends_name(b) && !matches!(b, b'"' | b'\'' | b'\\'))
        .count();
    let start = key_end - key_len;
    (key_len <= ANCHOR_NAME_MOST).then(|| (start, &text[start..key_end]))
}

/// YAML's explicit key (`? password` on its line, then `: *pw` on the next): the key's name
/// and where it starts, when the `:` at `colon` starts its line (past its indentation).
fn explicit_key(text: &str, colon: usize) -> Option<(usize, &str)> {
    let bytes = text.as_bytes();
    let floor = colon.saturating_sub(ANCHOR_NAME_MOST + 16);
    let indent = bytes[floor..colon]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let line_start = colon - indent;
    if line_start <= floor || bytes[line_start - 1] != b'\n' {
        return None;
    }
    let above_end = line_start - 1 - usize::from(bytes[..line_start - 1].ends_with(b"\r"));
    let above_start = bytes[floor..above_end]
        .iter()
        .rposition(|b| *b == b'\n')
        .map(|q| floor + q + 1)?;
    let above = &text[above_start..above_end];
    let key = above.trim_start().strip_prefix("? ")?;
    let key = unquote(key.split(" #").next().unwrap_or(key));
    let start = key.as_ptr() as usize - text.as_ptr() as usize;
    (!key.is_empty()).then_some((start, key))
}

/// The owner of the list whose item is the mapping holding the member whose name starts at
/// `key_start`: a flow mapping's (`- {value: *pw}`, `[{a: 1, value: *pw}]`, read back to its
/// `{`) or a block mapping's first member (`- value: *pw`). None when the mapping is no list's
/// item or the member is not its first in a block.
fn mapping_item_owner(bytes: &[u8], key_start: usize) -> Option<Owner> {
    let floor = key_start.saturating_sub(OWNER_BACK_MOST);
    let mut p = key_start;
    while p > floor && matches!(bytes[p - 1], b' ' | b'\t' | b'"' | b'\'' | b'\\') {
        p -= 1;
    }
    if p == floor {
        return (floor > 0).then_some(Owner::Unknown);
    }
    match bytes[p - 1] {
        b'-' => block_owner(bytes, p - 1, floor),
        b'{' | b',' => match opening_before(bytes, p, floor) {
            Some(open) if bytes[open] == b'{' => list_owner(bytes, open),
            Some(_) => None,
            None => (floor > 0).then_some(Owner::Unknown),
        },
        _ => None,
    }
}

/// The `name` member's value (unquoted) in the mapping holding the member whose name starts
/// at `key_start`: a flow mapping's (`{name: DB_PASSWORD, value: *pw}`, read from its `{`) or
/// a block mapping's, its members as indented as that one (`- name: DB_PASSWORD` then `value:
/// *pw` below, or below it). Read within [`OWNER_BACK_MOST`] bytes each way.
fn entry_name(text: &str, key_start: usize) -> Option<&str> {
    let bytes = text.as_bytes();
    let floor = key_start.saturating_sub(OWNER_BACK_MOST);
    let ceiling = bytes.len().min(key_start + OWNER_BACK_MOST);
    let mut p = key_start;
    while p > floor && matches!(bytes[p - 1], b' ' | b'\t' | b'"' | b'\'' | b'\\') {
        p -= 1;
    }
    if p > floor && matches!(bytes[p - 1], b'{' | b',') {
        let open = opening_before(bytes, p, floor).filter(|open| bytes[*open] == b'{')?;
        // The mapping's members, split at its own commas, up to its `}`.
        let (mut depth, mut member) = (0usize, open + 1);
        for q in open + 1..ceiling {
            match bytes[q] {
                b'[' | b'{' => depth += 1,
                b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b'}' if depth == 0 => {
                    if let Some(name) = named_entry(&text[member..q]) {
                        return Some(name);
                    }
                    if bytes[q] == b'}' {
                        return None;
                    }
                    member = q + 1;
                }
                _ => {}
            }
        }
        return None;
    }
    // A block mapping: the member's column, past the indentation and an item's dash.
    let line_start = bytes[floor..key_start]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(floor, |q| floor + q + 1);
    let key_column = |line: &[u8]| {
        let column = line.iter().take_while(|b| matches!(b, b' ' | b'-')).count();
        (column, line[..column].contains(&b'-'))
    };
    let own = bytes[line_start..key_start]
        .strip_suffix(b"\"")
        .or_else(|| bytes[line_start..key_start].strip_suffix(b"'"))
        .unwrap_or(&bytes[line_start..key_start]);
    if !own.iter().all(|b| matches!(b, b' ' | b'-')) {
        return None;
    }
    let (column, first) = key_column(own);
    let line_text = |start: usize, end: usize| text[start..end].trim_end_matches('\r');
    // The lines above, up to the item's dash (none when this member is the first).
    let mut end = line_start;
    while !first && end > floor {
        let start = bytes[floor..end - 1]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(floor, |q| floor + q + 1);
        let line = line_text(start, end - 1);
        end = start;
        let (at, item) = key_column(line.as_bytes());
        if line.trim().is_empty() || line.trim_start().starts_with('#') || at > column {
            continue;
        }
        if at < column {
            break;
        }
        if let Some(name) = named_entry(&line[at..]) {
            return Some(name);
        }
        if item {
            break;
        }
    }
    // The lines below, up to the next item or a line less indented.
    let mut start = bytes[key_start..ceiling]
        .iter()
        .position(|b| *b == b'\n')
        .map(|q| key_start + q + 1)?;
    while start < ceiling {
        let end = bytes[start..ceiling]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(ceiling, |q| start + q);
        let line = line_text(start, end);
        start = end + 1;
        let (at, item) = key_column(line.as_bytes());
        if line.trim().is_empty() || line.trim_start().starts_with('#') || at > column {
            continue;
        }
        if at < column || item {
            break;
        }
        if let Some(name) = named_entry(&line[at..]) {
            return Some(name);
        }
    }
    None
}

/// The value of a `name: VALUE` member (the name and the value quoted or not, a comment
/// after it passed over); None for any other member.
fn named_entry(member: &str) -> Option<&str> {
    let (key, value) = member.split_once(':')?;
    if unquote(key) != "name" {
        return None;
    }
    let value = value.split(" #").next().unwrap_or(value);
    Some(unquote(value)).filter(|v| !v.is_empty())
}

/// `s` without the spaces around it and its quotes (written or escaped: `\"` in JSON text).
fn unquote(s: &str) -> &str {
    let s = s.trim().trim_matches('\\');
    s.strip_prefix(['"', '\''])
        .and_then(|inner| inner.strip_suffix(['"', '\'']))
        .map_or(s, |inner| inner.trim_end_matches('\\'))
}

/// The `[` or `{` opening the flow collection that holds `p`, past lists and maps closed
/// between, read back to `floor`: None when it is not found by then.
fn opening_before(bytes: &[u8], p: usize, floor: usize) -> Option<usize> {
    let (mut q, mut depth) = (p, 0usize);
    while q > floor {
        q -= 1;
        match bytes[q] {
            b']' | b'}' => depth += 1,
            b'[' | b'{' if depth > 0 => depth -= 1,
            b'[' | b'{' => return Some(q),
            _ => {}
        }
    }
    None
}

/// The lines of `text`, as where each starts and ends: broken by line breaks as written or
/// escaped (`\n` in YAML quoted inside a JSON string, at any depth of quoting).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut lines, mut start, mut at) = (Vec::new(), 0, 0);
    while at < bytes.len() {
        let written = matches!(bytes[at], b'\n' | b'\r');
        let escaped = bytes[at] == b'\\' && {
            let run = bytes[at..]
                .iter()
                .take(16)
                .take_while(|b| **b == b'\\')
                .count();
            matches!(bytes.get(at + run), Some(b'n' | b'r')).then_some(run)
        }
        .is_some();
        if written || escaped {
            lines.push((start, at));
            let run = bytes[at..].iter().take_while(|b| **b == b'\\').count();
            at += if written { 1 } else { run + 1 };
            start = at;
        } else {
            at += 1;
        }
    }
    lines.push((start, bytes.len()));
    lines
}

/// In one line, the scalar after an anchor among `aliased` (`&dbpass R21…`, `&dbpass "R21…"`):
/// its span, inside its quotes when quoted, to the line's end or a comment otherwise; an empty
/// span where the value is on the lines after (a block scalar's `|` or `>-`, or nothing).
fn anchored_value(line: &str, aliased: &Aliased) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(found) = line[from..].find('&') {
        let at = from + found + 1;
        from = at;
        // An anchor's name is short: read at most [`ANCHOR_NAME_MOST`] bytes of it (reading to
        // the next space from every `&` of a long line took quadratic time).
        let name_len = line.as_bytes()[at..]
            .iter()
            .take(ANCHOR_NAME_MOST + 1)
            .take_while(|b| !b.is_ascii_whitespace())
            .count();
        if name_len > ANCHOR_NAME_MOST || !aliased.holds(&line[at..at + name_len]) {
            continue;
        }
        let rest = &line[at + name_len..];
        let start = at + name_len + (rest.len() - rest.trim_start().len());
        let value = &line[start..];
        if let Some(quote) = value.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let inside = &value[1..];
            let end = inside.find(quote).unwrap_or(inside.len());
            let hidden = end == 0 || &inside[..end] == MASK;
            return (!hidden).then_some((start + 1, start + 1 + end));
        }
        let end = value.find(" #").unwrap_or(value.len());
        let value = value[..end].trim_end().trim_end_matches('\\');
        // `|`, `>`, `|-`, `>+2`: a block scalar's header.
        let block = value.starts_with(['|', '>'])
            && value[1..]
                .bytes()
                .all(|b| matches!(b, b'-' | b'+' | b'1'..=b'9'));
        if value.is_empty() || block {
            return Some((start, start));
        }
        return (value != MASK).then_some((start, start + value.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::hide_aliased;

    /// The twenty-third review: an alias as an item of a list a credential's member holds, in a
    /// block or a flow sequence; the same under an innocent name, and a ` - *` or `, *` in
    /// prose, keep the anchored value.
    #[test]
    fn an_alias_listed_under_a_credential_hides_its_anchor() {
        for text in [
            "shared: &pw Hid1\nsentinel:\n  passwords:\n    - *pw\n",
            "a: &pw Hid1\npasswords:\n- *pw\n",
            "common: &k Hid1\nclient:\n  apiKeys: [x, *k]\n",
        ] {
            assert!(!hide_aliased(text).contains("Hid1"), "{text:?}");
        }
        for text in [
            "common: &n Kept\nnames:\n  - *n\nlist: [*n, b]\n",
            "a &b Kept - *b and c, *b e",
        ] {
            assert!(hide_aliased(text).contains("Kept"), "{text:?}");
        }
    }

    /// The twenty-eighth review: an alias as the value of a mapping that is an item of a
    /// credential's list, in a flow or a block mapping; the mapping's other members (a user's
    /// name) and a value listed under an innocent name keep their anchored values.
    #[test]
    fn an_alias_in_a_mapping_listed_under_a_credential_hides_its_anchor() {
        for text in [
            "common: &pw Hid3\npasswords:\n  - {value: *pw}\n",
            "common: &pw Hid3\ncredentials: [{name: admin, value: *pw}]\n",
            "common: &pw Hid3\npasswords:\n  - value: *pw\n",
            "common: &pw Hid3\npasswords:\n  - {\"value\": *pw}\n",
            "common: &pw Hid3\n\"passwords\": [{\"data\": *pw}]\n",
        ] {
            assert!(!hide_aliased(text).contains("Hid3"), "{text:?}");
        }
        for text in [
            "user: &u Kept\ncredentials:\n  - {username: *u, value: x}\n",
            "common: &v Kept\nhosts:\n  - {value: *v}\n",
            "common: &v Kept\nhosts: [{value: *v}]\n",
            "common: &v Kept\npasswords:\n  - {a: {value: *v}}\n",
            "common: &v Kept\nitems:\n  - {value: *v}\npasswords: []\n",
        ] {
            assert!(hide_aliased(text).contains("Kept"), "{text:?}");
        }
        // Long runs of mappings are read within their bounds.
        let long = "password: *a &a\n".to_string() + &"- {value: *b, ".repeat(30_000);
        let _ = hide_aliased(&long);
    }

    /// The twenty-ninth review (N1): an alias as the `value` of an entry whose `name` is a
    /// credential's (Kubernetes' `env`), block or flow, the name above or below; an entry named
    /// otherwise, and a `name` of another entry, keep the anchored value.
    #[test]
    fn an_alias_in_an_entry_named_like_a_credential_hides_its_anchor() {
        for text in [
            "common: &pw Hid4\nenv:\n  - name: DB_PASSWORD\n    value: *pw\n",
            "common: &pw Hid4\nenv:\n  - name: \"API_TOKEN\" # note\n    # x\n    value: *pw\n",
            "common: &pw Hid4\nenv:\n  - value: *pw\n    name: DB_PASSWORD\n",
            "common: &pw Hid4\nenv:\n- name: DB_PASSWORD\n  value: *pw\n",
            "common: &pw Hid4\nenv:\n  - {name: DB_PASSWORD, value: *pw}\n",
            "common: &pw Hid4\nenv: [{\"value\": *pw, \"name\": \"DB_PASSWORD\"}]\n",
        ] {
            assert!(!hide_aliased(text).contains("Hid4"), "{text:?}");
        }
        for text in [
            "common: &l Kept\nenv:\n  - name: LOG_LEVEL\n    value: *l\n",
            "common: &l Kept\nenv:\n  - name: DB_PASSWORD\n    valueFrom: {}\n  - name: HOST\n    value: *l\n",
            "common: &l Kept\nenv:\n  - name: HOST\n    value: *l\n  - name: DB_PASSWORD\n",
            "common: &l Kept\nenv:\n  - {name: HOST, value: *l}\n  - {name: DB_PASSWORD}\n",
            "common: &l Kept\nenv:\n  - name: HOST\n    x:\n      name: DB_PASSWORD\n    value: *l\n",
        ] {
            assert!(hide_aliased(text).contains("Kept"), "{text:?}");
        }
        // Long runs of entries are read within their bounds.
        for long in [
            "password: *a &a\n".to_string() + &"  value: *b\n".repeat(60_000),
            "password: *a &a\n".to_string() + &"{value: *b, ".repeat(60_000),
        ] {
            let _ = hide_aliased(&long);
        }
    }

    /// The twenty-ninth review (N2): an alias under an explicit key (`? password` / `: *pw`);
    /// an explicit key named otherwise keeps its anchored value.
    #[test]
    fn an_alias_under_an_explicit_credential_key_hides_its_anchor() {
        for text in [
            "common: &pw Hid5\n? password\n: *pw\n",
            "common: &pw Hid5\ndb:\n  ? \"apiToken\"\n  : *pw\n",
        ] {
            assert!(!hide_aliased(text).contains("Hid5"), "{text:?}");
        }
        for text in [
            "common: &h Kept\n? host\n: *h\n",
            "common: &h Kept\n? password\n\n x: *h\n",
        ] {
            assert!(hide_aliased(text).contains("Kept"), "{text:?}");
        }
        let long = "password: *a &a\n".to_string() + &"? x\n: *b\n".repeat(60_000);
        let _ = hide_aliased(&long);
    }

    /// The twenty-first review (L1).
    #[test]
    fn a_value_aliased_under_a_credentials_name_is_hidden_where_it_is_anchored() {
        for (dirty, clean) in [
            (
                "common: &dbpass R21l01x\npostgresql:\n  auth:\n    password: *dbpass\n",
                "common: &dbpass ***\npostgresql:\n  auth:\n    password: *dbpass\n",
            ),
            (
                "x: &t \"R21l01y\" # shared\ny:\n  - apiToken: *t",
                "x: &t \"***\" # shared\ny:\n  - apiToken: *t",
            ),
            (
                "a: &p R21l01z # note\nb:\n  password: *p",
                "a: &p *** # note\nb:\n  password: *p",
            ),
        ] {
            assert_eq!(hide_aliased(dirty), clean, "{dirty}");
        }
        // Through every rule, as answers are scrubbed (the alias's own line is hidden too).
        let text = "common: &dbpass R21l01v\ndb:\n  password: *dbpass\n";
        let clean = super::super::without_credentials(text);
        assert!(!clean.contains("R21l01v"), "{clean}");
        // A long line of `&` reads each anchor name within its bound.
        let long = format!("password: *a\n{}", "&".repeat(200_000));
        assert_eq!(hide_aliased(&long), long);
        for kept in [
            "common: &host |\n  db.example.com\npostgresql:\n  host: *host\n",
            "common: &host\n  db.example.com\npostgresql: {host: *host}\n",
            "a: &x y\nb: {username: *x, note: 'a * b'}\n",
            "common: &host db.example.com\npostgresql:\n  host: *host\n",
            "defaults: &d\n  retries: 3\nprod:\n  <<: *d\n",
            "a & b * c",
        ] {
            assert_eq!(hide_aliased(kept), kept);
        }
    }

    /// The twenty-second review (L1): an anchored block scalar, a value on the lines after the
    /// anchor, an alias in a flow mapping, and past the anchors judged by name.
    #[test]
    fn anchored_blocks_next_lines_flow_aliases_and_many_anchors_are_hidden() {
        for (dirty, clean) in [
            (
                "shared: &dbpass |\n  R22l01a\n\n  more\npostgresql:\n  auth:\n    password: *dbpass\n",
                "shared: &dbpass |\n  ***\n\n  ***\npostgresql:\n  auth:\n    password: *dbpass\n",
            ),
            (
                "x:\n  - shared: &p >-\n      R22l01b\n    other: 1\ny: {password: *p}",
                "x:\n  - shared: &p >-\n      ***\n    other: 1\ny: {password: *p}",
            ),
            (
                "shared: &dbpass\n  R22l02b\npostgresql:\n  auth:\n    password: *dbpass\n",
                "shared: &dbpass\n  ***\npostgresql:\n  auth:\n    password: *dbpass\n",
            ),
            (
                "shared: &dbpass R22l03c\nauth: {user: x, \"password\": *dbpass}\n",
                "shared: &dbpass ***\nauth: {user: x, \"password\": *dbpass}\n",
            ),
            (
                "shared: &p R22l03e\npassword:*p\n",
                "shared: &p ***\npassword:*p\n",
            ),
            (
                "shared: &p R22l03d\\n  auth: [{token: *p}]",
                "shared: &p ***\\n  auth: [{token: *p}]",
            ),
        ] {
            assert_eq!(hide_aliased(dirty), clean, "{dirty}");
        }
        // Sixteen decoys aliased first: past them every anchored value is hidden.
        let mut many = String::new();
        for n in 0..16 {
            many.push_str(&format!("d{n}: &d{n} ***\ns{n}: {{password: *d{n}}}\n"));
        }
        let dirty = format!("{many}real: &realpw R22l04d\ndb:\n  password: *realpw\n");
        assert!(!hide_aliased(&dirty).contains("R22l04d"));
        // Long runs of what the rule looks for are read in linear time.
        for long in [
            "password: *a\n".to_string() + &"&a\n".repeat(60_000),
            "password: *a\n".to_string() + &": *".repeat(60_000),
            "password: *a &a ".to_string() + &"*".repeat(200_000),
        ] {
            let _ = hide_aliased(&long);
        }
    }

    /// The twenty-fifth review (L1): nested lists, comments, flow lists over lines or nested,
    /// and an owner far above; past the bound read back, the anchored value is hidden.
    #[test]
    fn nested_commented_multiline_and_far_lists_hide_their_anchor() {
        let pad: String = (0..40).map(|i| format!("  - item-{i:04}\n")).collect();
        let far: String = (0..200).map(|i| format!("  - item-{i:04}\n")).collect();
        for text in [
            "common: &pw Hid2\npasswords:\n  - - *pw\n".to_string(),
            "common: &pw Hid2\npasswords:\n  -\n    - *pw\n".to_string(),
            "common: &pw Hid2\npasswords: # db\n  - *pw\n".to_string(),
            "common: &pw Hid2\npasswords:\n  # the db\n\n  - *pw\n".to_string(),
            "common: &pw Hid2\napiKeys: [\n  a,\n  *pw\n]\n".to_string(),
            "common: &pw Hid2\napiKeys: [[*pw]]\n".to_string(),
            "common: &pw Hid2\napiKeys: [{a: 1}, [x, *pw]]\n".to_string(),
            "common: &pw Hid2\npasswords:\n  - [*pw]\n".to_string(),
            "common: &pw Hid2\npassword:\n  *pw\n".to_string(),
            "passwords:\n- *pw\ncommon: &pw Hid2\n".to_string(),
            format!("common: &pw Hid2\npasswords:\n{pad}  - *pw\n"),
            // Past the bound: not known, so hidden.
            format!("common: &pw Hid2\nhosts:\n{far}  - *pw\n"),
            format!("{}\ncommon: &pw Hid2\nnote: a, *pw\n", "x".repeat(5000)),
        ] {
            assert!(!hide_aliased(&text).contains("Hid2"), "{text:?}");
        }
        for text in [
            "common: &n Kept\nnames:\n  - - *n\n  # passwords:\n  - *n\n".to_string(),
            "common: &n Kept\nnames: # passwords\n  -\n    - *n\nlist: [[*n], {a: [*n]}]\n"
                .to_string(),
            "common: &n Kept\nhosts: [\n  *n\n]\n".to_string(),
            "common: &n Kept\nnote: a - *n and [b, *n\n".to_string(),
            format!("common: &n Kept\nhosts:\n{pad}  - *n\n"),
        ] {
            assert!(hide_aliased(&text).contains("Kept"), "{text:?}");
        }
        // Long runs of what the owner's reading passes over are read within their bounds.
        for long in [
            "password: *a &a\n".to_string() + &"[".repeat(100_000) + " *b",
            "password: *a &a\n".to_string() + &"- ".repeat(100_000) + "*b",
            "password: *a &a\n".to_string() + &"\n".repeat(100_000) + " - *b",
            "password: *a &a é\n".to_string() + &"é, *".repeat(30_000),
        ] {
            let _ = hide_aliased(&long);
        }
    }
}

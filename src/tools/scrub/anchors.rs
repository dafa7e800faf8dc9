//! YAML anchors: a value anchored under an innocent name and aliased under a credential's
//! (`common: &dbpass …` then `password: *dbpass`, as Helm values share one value between
//! charts). The alias names the value a credential, so the anchored value is hidden where it is
//! written.

use std::borrow::Cow;

use super::names;
use crate::tools::masking::{MASK, names_a_place};

/// The most anchors judged in one text.
const ANCHORS_MOST: usize = 16;

/// The longest anchor name read.
const ANCHOR_NAME_MOST: usize = 128;

/// `text` with every scalar anchored by a name that a credential's member aliases hidden.
pub fn hide_aliased(text: &str) -> Cow<'_, str> {
    if !text.contains('*') || !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let aliased = aliased_as_credentials(text);
    if aliased.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut spans = Vec::new();
    for (line_start, line_end) in lines(text) {
        if let Some(value) = anchored_value(&text[line_start..line_end], &aliased) {
            spans.push((line_start + value.0, line_start + value.1));
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

/// The anchors a member named like a credential aliases (`password: *dbpass`).
fn aliased_as_credentials(text: &str) -> Vec<&str> {
    let mut aliased = Vec::new();
    for (start, end) in lines(text) {
        let line = text[start..end].trim_start().trim_start_matches("- ");
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim().trim_matches(['"', '\'', '\\']);
        let Some(anchor) = value.trim().strip_prefix('*') else {
            continue;
        };
        let anchor = anchor.split_whitespace().next().unwrap_or("");
        if !anchor.is_empty()
            && names::credential(name)
            && !names_a_place(name)
            && !aliased.contains(&anchor)
            && aliased.len() < ANCHORS_MOST
        {
            aliased.push(anchor);
        }
    }
    aliased
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
/// its span, inside its quotes when quoted, to the line's end or a comment otherwise.
fn anchored_value(line: &str, aliased: &[&str]) -> Option<(usize, usize)> {
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
        if name_len > ANCHOR_NAME_MOST {
            continue;
        }
        if !aliased.contains(&&line[at..at + name_len]) {
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
        let hidden = value.is_empty() || value == MASK;
        return (!hidden).then_some((start, start + value.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::hide_aliased;

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
            "common: &host db.example.com\npostgresql:\n  host: *host\n",
            "defaults: &d\n  retries: 3\nprod:\n  <<: *d\n",
            "a & b * c",
        ] {
            assert_eq!(hide_aliased(kept), kept);
        }
    }
}

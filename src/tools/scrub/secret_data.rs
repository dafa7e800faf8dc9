//! A Kubernetes Secret written out in a message: a manifest Argo CD, `kubectl` or an admission
//! webhook quotes in an error (`Secret.v1 "db" {"kind":"Secret",…,"data":{"conn":"…"}} is
//! invalid`, `failed to apply manifest:` then the YAML), or a YAML flow that did not convert
//! (`{kind: Secret, data: {conn: …}}`). A Secret's data is credentials whatever its keys are
//! called (`conn`, `DATABASE_URL`), so in a text that names a Secret the whole value of every
//! `data` and `stringData` member is hidden: a `{…}` map (JSON, escaped JSON or a YAML flow)
//! and a YAML block (the lines deeper than the key).

use super::reading::unit;

/// The longest map read as one Secret's data.
const DATA_MOST: usize = 64 * 1024;

/// The value of a `data` or `stringData` member whose name starts at `i`, in a text that names a
/// Secret as a word (`kind: Secret`, `Secret.v1`, `Secret/db`): the caller asks
/// [`names_a_secret`] once for the whole text.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let (name_end, quoted) = data_name(bytes, i)?;
    let colon = skip_spaces(bytes, name_end);
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let at = skip_spaces(bytes, colon + 1);
    if at < bytes.len() && unit(bytes, at).ch == b'{' {
        return map_at(bytes, at);
    }
    if quoted {
        return None;
    }
    block_below(bytes, i, at)
}

/// Where the name `data` or `stringData` that starts at `i` ends (after its closing quote,
/// plain or escaped), and whether it was quoted.
fn data_name(bytes: &[u8], i: usize) -> Option<(usize, bool)> {
    let first = unit(bytes, i);
    let (start, quoted) = if matches!(first.ch, b'"' | b'\'') {
        (i + first.len, true)
    } else {
        let after_escaped_break = i >= 2 && break_len(bytes, i - 2) == 2;
        let after_word = i > 0
            && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
            && !after_escaped_break;
        if after_word {
            return None;
        }
        (i, false)
    };
    let name = ["stringData", "data"]
        .into_iter()
        .find(|name| bytes[start..].starts_with(name.as_bytes()))?;
    let end = start + name.len();
    if !quoted {
        let word_goes_on = bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        return (!word_goes_on).then_some((end, false));
    }
    if end >= bytes.len() {
        return None;
    }
    let close = unit(bytes, end);
    (close.ch == first.ch && close.escaped == first.escaped).then_some((end + close.len, true))
}

/// Whether `bytes` says `Secret` as a word (not `SecretName`, `secretRef`).
pub fn names_a_secret(bytes: &[u8]) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    bytes.windows(6).enumerate().any(|(at, window)| {
        window == b"Secret"
            && (at == 0 || !word(bytes[at - 1]))
            && bytes.get(at + 6).is_none_or(|b| !word(*b))
    })
}

/// The inside of the `{…}` opening at `at`, to its closing brace (braces inside quoted strings
/// do not count), or to the text's end (at most [`DATA_MOST`] bytes) when it never closes.
fn map_at(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    let open = unit(bytes, at);
    let start = at + open.len;
    let limit = bytes.len().min(start + DATA_MOST);
    let (mut p, mut depth, mut quote) = (start, 1usize, None);
    while p < limit {
        let u = unit(bytes, p);
        match (quote, u.ch) {
            (Some(escaped), b'"') if u.escaped == escaped => quote = None,
            (Some(_), _) => {}
            (None, b'"') => quote = Some(u.escaped),
            (None, b'{') => depth += 1,
            (None, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return (p > start).then_some((start, p));
                }
            }
            _ => {}
        }
        p += u.len;
    }
    (limit > start).then_some((start, limit))
}

/// A YAML block under the key starting at `key` whose line ends at `rest` (nothing but spaces
/// or a comment after the colon): the lines after it that are deeper than the key, blank lines
/// among them included. Lines end at a line feed as written or escaped (`\n`: YAML quoted in
/// JSON, a webhook's answer or a log line).
fn block_below(bytes: &[u8], key: usize, rest: usize) -> Option<(usize, usize)> {
    // Only the line's end, a carriage return or a comment after the colon (judged at once: a
    // long line of `data: x` must not be read to its end for each key).
    let line_end = match bytes.get(rest) {
        _ if rest < bytes.len() && break_len(bytes, rest) > 0 => rest,
        Some(b'\r') if rest + 1 < bytes.len() && break_len(bytes, rest + 1) > 0 => rest + 1,
        Some(b'\\') if bytes[rest..].starts_with(b"\\r") => {
            next_break(bytes, rest, BLOCK_KEY_MOST)?
        }
        Some(b'#') => next_break(bytes, rest, BLOCK_KEY_MOST)?,
        _ => return None,
    };
    // The key starts its line (after indentation or an item's dash) within reach.
    let line_start = match (key.saturating_sub(BLOCK_KEY_MOST)..key)
        .rev()
        .find(|p| break_len(bytes, *p) > 0)
    {
        Some(p) => p + break_len(bytes, p),
        None if key < BLOCK_KEY_MOST => 0,
        None => return None,
    };
    // The key's column: an item's key (`- data:`) counts from the item's dash.
    let column = key.saturating_sub(line_start);
    let start = line_end + break_len(bytes, line_end);
    let (mut p, mut end) = (start, start);
    while p < bytes.len() {
        let next = next_break(bytes, p, bytes.len()).unwrap_or(bytes.len());
        let line = &bytes[p..next];
        let indent = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let content = &line[indent..];
        let blank = content.iter().all(|b| *b == b'\r') || content == b"\\r";
        if !blank && indent <= column {
            break;
        }
        if !blank {
            end = next;
        }
        if next >= bytes.len() {
            break;
        }
        p = next + break_len(bytes, next);
    }
    (end > start).then_some((start, end))
}

/// How far a block's key line is read: from its line's start to the key, and from its colon
/// to a comment's end.
const BLOCK_KEY_MOST: usize = 256;

/// Where the next line break at or after `from` is, at most `most` bytes on: a line feed as
/// written or escaped.
fn next_break(bytes: &[u8], from: usize, most: usize) -> Option<usize> {
    (from..bytes.len().min(from.saturating_add(most))).find(|p| break_len(bytes, *p) > 0)
}

/// The length of a line break at `p`: a line feed (1), or `\n` inside a JSON string (2; not
/// the `n` of an escaped backslash's `\\n`).
fn break_len(bytes: &[u8], p: usize) -> usize {
    match bytes[p] {
        b'\n' => 1,
        b'\\' if bytes.get(p + 1) == Some(&b'n') => {
            // Counted at most 64 back: a longer run of backslashes is no JSON a person wrote,
            // and counting it whole at every position took quadratic time.
            let backslashes = bytes[..p]
                .iter()
                .rev()
                .take(64)
                .take_while(|b| **b == b'\\')
                .count();
            if backslashes % 2 == 0 { 2 } else { 0 }
        }
        _ => 0,
    }
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\t')) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::super::without_credentials;

    /// The seventeenth review (S1): a Secret quoted in a message keeps no data, whatever its
    /// keys are called.
    #[test]
    fn a_secret_written_out_in_a_message_keeps_no_data() {
        for (dirty, secret) in [
            (
                r#"error validating data: Secret.v1 "db" {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"conn":"UjE3czAxeA=="}} is invalid"#,
                "UjE3czAxeA",
            ),
            (
                "failed to apply manifest:\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  conn: postgres-R17s02x\n  other: R17s02y\nnext: kept\n",
                "R17s02",
            ),
            (
                r#"admission webhook "v" denied the request: Secret/guestbook/db: {"kind":"Secret","stringData":{"DATABASE_URL":"R17s03x-conn"}}"#,
                "R17s03x",
            ),
            (
                "error converting YAML to JSON: {kind: Secret, data: {conn: UjE3czA0eA==}}",
                "UjE3czA0eA",
            ),
            (
                r#"{"msg": "Secret \"db\": {\"data\":{\"conn\":\"R17s05x\"}}"}"#,
                "R17s05x",
            ),
            (
                "items:\n- kind: Secret\n  data:\n    conn: R17s06x\n",
                "R17s06x",
            ),
            (
                r#"{"object": "apiVersion: v1\nkind: Secret\ndata:\n  conn: R19d21q\nmetadata:\n  name: x\n"}"#,
                "R19d21q",
            ),
        ] {
            let clean = without_credentials(dirty);
            assert!(!clean.contains(secret), "{dirty}\n→ {clean}");
        }
        let kept = "failed to apply manifest:\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  conn: x\nnext: kept\n";
        assert!(without_credentials(kept).contains("next: kept"));
        // Data of a ConfigMap, in a text that names no Secret, is shown.
        let config = r#"ConfigMap "app" {"kind":"ConfigMap","data":{"mode":"fast"}} is invalid"#;
        assert_eq!(without_credentials(config), config);
        let secret_name = "ConfigMap: {kind: ConfigMap, SecretName: x, data: {mode: fast}}";
        assert_eq!(without_credentials(secret_name), secret_name);
    }
}

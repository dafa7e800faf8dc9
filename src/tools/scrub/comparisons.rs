//! A credential compared with a literal in an expression: a jq or JSONPath filter in Argo CD's
//! `ignoreDifferences` (`.data.password | select(. == "…")`, `$.data[?(@.token == '…')]`), a
//! CEL or Rego rule (`self.data.apiKey == "…"`), a condition in code (`if password != "…"`).
//! The quoted literal is masked when what it is compared with is named like a credential
//! ([`names::credential`]): the last name of the path before the operator, or, when that
//! operand is the current item alone (`.`, `@`), the last name of the nearest path before it
//! on its line (what `|` or `select(` feeds it).

use super::names;
use super::reading::unit;
use super::spans::{line_start_of, skip_spaces, value};
use crate::tools::masking::names_a_place;

/// How far back on its line the path an operand stands for is looked for.
const PATH_BEFORE_MOST: usize = 256;

/// The literal of a comparison (`==`, `!=`, `===`, `!==`) starting at `i`, when what it is
/// compared with names a credential.
pub fn credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !matches!(bytes.get(i..i + 2), Some(b"==" | b"!=")) {
        return None;
    }
    if i > 0 && matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>' | b':') {
        return None;
    }
    let mut after = i + 2;
    if bytes.get(after) == Some(&b'=') {
        after += 1;
    }
    let start = skip_spaces(bytes, after);
    if start >= bytes.len() || !matches!(unit(bytes, start).ch, b'"' | b'\'') {
        return None;
    }
    let literal = value(bytes, start, false, 0)?;
    let operand_end = (0..i)
        .rev()
        .find(|p| !matches!(bytes[*p], b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    let operand_start = (0..operand_end)
        .rev()
        .find(|p| !operand_byte(bytes[*p]))
        .map_or(0, |p| p + 1);
    let name = match last_name(&bytes[operand_start..operand_end]) {
        Some(name) => name,
        None => {
            let floor = line_start_of(bytes, operand_start)
                .max(operand_start.saturating_sub(PATH_BEFORE_MOST));
            last_path_name(&bytes[floor..operand_start])?
        }
    };
    (names::credential(name) && !names_a_place(name)).then_some(literal)
}

/// The bytes a path operand is made of: names, `.`, `$`, `@`, brackets and the quotes and
/// backslashes of `["name"]` (escaped inside JSON).
fn operand_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'-' | b'.' | b'$' | b'@' | b'[' | b']' | b'"' | b'\'' | b'\\'
        )
}

/// The last name of a path operand (`password` of `.data["password"]`), none for the current
/// item alone (`.`, `@`).
fn last_name(operand: &[u8]) -> Option<&str> {
    operand
        .split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .rfind(|piece| !piece.is_empty())
        .and_then(|piece| std::str::from_utf8(piece).ok())
}

/// The last name in `text` that a path reaches (after a `.` or inside `[…]`): `password` of
/// `.data.password | select(`, not the function `select`.
fn last_path_name(text: &[u8]) -> Option<&str> {
    let mut found = None;
    let mut at = 0;
    while at < text.len() {
        let starts = text[at].is_ascii_alphanumeric() || text[at] == b'_';
        if !starts {
            at += 1;
            continue;
        }
        let end = (at..text.len())
            .find(|p| !(text[*p].is_ascii_alphanumeric() || matches!(text[*p], b'_' | b'-')))
            .unwrap_or(text.len());
        let before = text[..at]
            .iter()
            .rev()
            .find(|b| !matches!(b, b'"' | b'\'' | b'\\'));
        if matches!(before, Some(b'.' | b'[')) {
            found = std::str::from_utf8(&text[at..end]).ok();
        }
        at = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::without_credentials;

    #[test]
    fn a_literal_compared_with_a_credential_is_masked() {
        for (dirty, clean) in [
            (
                r#".data.password | select(. == "P-1")"#,
                r#".data.password | select(. == "***")"#,
            ),
            (
                r#"$.data[?(@.token == 'T-2')]"#,
                r#"$.data[?(@.token == '***')]"#,
            ),
            (
                r#"self.data.apiKey != "K-3""#,
                r#"self.data.apiKey != "***""#,
            ),
            (r#".data["password"]=="P-4""#, r#".data["password"]=="***""#),
            (r#"if password === "P-5" {"#, r#"if password === "***" {"#),
            (
                r#"{"jq": ".data.password | select(. == \"P-6\")"}"#,
                r#"{"jq": ".data.password | select(. == \"***\")"}"#,
            ),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for kept in [
            r#".metadata.labels.app | select(. == "web")"#,
            r#"user.role == "admin""#,
            r#"if token != "" {"#,
            r#".spec.tokenFile == "/run/t""#,
            r#"a == "b" && c"#,
            "==\"x\"",
            ". == \"x\"",
        ] {
            assert_eq!(without_credentials(kept), kept, "{kept}");
        }
    }
}

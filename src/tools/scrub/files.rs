//! Credentials in the line format of a well-known file, where no name marks them: a
//! `.pgpass` line, `hostname:port:database:username:password` (libpq's password file, also
//! with `*` for any field), quoted in a ConfigMap, a values file or a log; and a `.properties`
//! line whose key and value a space separates (`spring.datasource.password secret`).

use super::names;
use super::reading::unit;
use super::spans::{name_byte, value};
use crate::tools::masking::names_a_place;

/// A `.pgpass` line starting at `i`: the password field's span (to the end of the word: a
/// password may hold `\:`).
pub fn pgpass_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !starts_line_or_word(bytes, i) {
        return None;
    }
    let mut at = i;
    let mut fields = [(0, 0); 4];
    for (n, field) in fields.iter_mut().enumerate() {
        let len = bytes[at..]
            .iter()
            .take_while(|b| name_byte(**b) || **b == b'*')
            .count();
        if len == 0 || bytes.get(at + len) != Some(&b':') {
            return None;
        }
        *field = (at, at + len);
        // The port is a number or `*`; the host, database and user are names or `*`.
        let text = &bytes[at..at + len];
        let any = text == b"*";
        let ok = match n {
            0 => any || text.iter().any(|b| b.is_ascii_alphabetic() || *b == b'.'),
            1 => any || (len <= 5 && text.iter().all(u8::is_ascii_digit)),
            _ => any || !text.contains(&b'*'),
        };
        if !ok {
            return None;
        }
        at += len + 1;
    }
    if at >= bytes.len() || unit(bytes, at).ch.is_ascii_whitespace() {
        return None;
    }
    value(bytes, at, false, 0)
}

/// A `.properties` line at `i` whose key and value a space or a tab separates (as valid there
/// as `=` or `:`), the key a credential's name written as code (a `.`, `_` or `-` in it, or in
/// capitals: `spring.datasource.password`, `DB_PASSWORD`): its value, one word to the line's
/// end. Prose (`password reset required`) has more words and no such key.
pub fn properties_password(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // At the line's start, after its indentation (read back over spaces only: reading back to
    // the line's start from every word of a long line took quadratic time).
    let indent = bytes[..i]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if !(indent == i || matches!(bytes[i - indent - 1], b'\n' | b'\r')) {
        return None;
    }
    let key_len = bytes[i..]
        .iter()
        .take(128)
        .take_while(|b| name_byte(**b))
        .count();
    let key = std::str::from_utf8(&bytes[i..i + key_len]).ok()?;
    let as_code = key.contains(['.', '_', '-'])
        || (key.len() >= 4 && key.bytes().all(|b| b.is_ascii_uppercase()));
    if !as_code || !names::credential(key) || names_a_place(key) {
        return None;
    }
    let gap = bytes[i + key_len..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let start = i + key_len + gap;
    let end = start
        + bytes[start..]
            .iter()
            .take(4096)
            .take_while(|b| !matches!(b, b'\n' | b'\r'))
            .count();
    let value = bytes[start..end].trim_ascii_end();
    let one_word = !value.is_empty() && !value.iter().any(|b| matches!(b, b' ' | b'\t'));
    (gap > 0 && one_word && !matches!(value[0], b'=' | b':'))
        .then_some((start, start + value.len()))
}

/// At the start of the text or a line (raw or escaped `\n`), or after a space or a quote.
fn starts_line_or_word(bytes: &[u8], i: usize) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return true;
    };
    let b = bytes[p];
    b.is_ascii_whitespace()
        || matches!(b, b'"' | b'\'' | b'`')
        || (b == b'n' && p >= 1 && bytes[p - 1] == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[pgpass_password]).into_owned()
    }

    /// The twenty-first review (L2).
    #[test]
    fn a_properties_password_after_a_space_is_masked() {
        let masked =
            |text: &str| super::super::spans::mask_all(text, &[properties_password]).into_owned();
        for (dirty, clean) in [
            (
                "spring.datasource.password R21l02x",
                "spring.datasource.password ***",
            ),
            (
                "url jdbc:x\nDB_PASSWORD\tR21l02y\n",
                "url jdbc:x\nDB_PASSWORD\t***\n",
            ),
            ("  PASSWORD R21l02z", "  PASSWORD ***"),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            "password reset required",
            "Password expired for user",
            "db.password.file /etc/pw and more",
            "note: db_password R21",
            "spring.datasource.password=x",
        ] {
            assert_eq!(masked(kept), kept);
        }
    }

    #[test]
    fn a_pgpass_lines_password_is_masked() {
        for (dirty, clean) in [
            (
                "db.example.com:5432:app:appuser:P-1",
                "db.example.com:5432:app:appuser:***",
            ),
            ("*:*:*:postgres:P-2\n", "*:*:*:postgres:***\n"),
            (
                "localhost:5432:*:app:P\\:3 # note",
                "localhost:5432:*:app:*** # note",
            ),
            (
                r#"{".pgpass": "10.0.0.7:5432:app:u:P-4\n"}"#,
                r#"{".pgpass": "10.0.0.7:5432:app:u:***\n"}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "12:30:45:123:x",
            "system:serviceaccount:argocd:argocd-server",
            "arn:aws:iam::123456789012:role/app",
            "127.0.0.1:8080: connect: connection refused",
            "db:5432:app:user:",
            "registry:5000/app:1.0:x:y",
            "fe80::1:2:3:4",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }
}

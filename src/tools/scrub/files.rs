//! Credentials in the line format of a well-known file, where no name marks them: a
//! `.pgpass` line, `hostname:port:database:username:password` (libpq's password file, also
//! with `*` for any field), quoted in a ConfigMap, a values file or a log; and a `.properties`
//! line whose key and value a space separates (`spring.datasource.password secret`).

use super::names;
use super::reading::unit;
use super::spans::{
    is_break, line_end_from, line_start_of, name_byte, past_break, previous_line_end, skip_spaces,
    value,
};
use crate::tools::masking::{is_pair_name, is_pair_value, names_a_place};

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

/// How many lines before and after an INI entry's value field are looked at for its name:
/// an INI section or a `.properties` file's entries of one prefix, blank lines and comments
/// between them included.
const PAIR_LINES_MOST: usize = 32;

/// An INI or `.properties` entry written over two lines, its name on one and its value on
/// another (`name=db_password` and `value=…` under `[param]`; `param.0.name=db.password` and
/// `param.0.value=…`; `:` or a blank as the separator, as `java.util.Properties` reads them):
/// at `i`, a line's key ending in a pair's value field (`value`, `default`, [`is_pair_value`])
/// with a line of the same prefix ending in a name field ([`is_pair_name`]) among the
/// [`PAIR_LINES_MOST`] lines around it (within its `[section]`), whose value (continued over a
/// `\` line end) names a credential: the value, to the line's end.
pub fn ini_pair_value(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // At a line's start (raw or escaped), read back over its indentation only.
    let indent = bytes[..i]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let before_indent = i - indent;
    let line_begins = before_indent == 0
        || matches!(bytes[before_indent - 1], b'\n' | b'\r')
        || (before_indent >= 2
            && matches!(bytes[before_indent - 1], b'n' | b'r')
            && bytes[before_indent - 2] == b'\\');
    if !line_begins {
        return None;
    }
    let (key, value, end) = ini_entry(bytes, i)?;
    let (prefix, field) = prefix_and_field(key);
    if !is_pair_value(field) {
        return None;
    }
    let line_start = line_start_of(bytes, i);
    let names_it = |line: usize| {
        let at = skip_spaces(bytes, line);
        ini_entry(bytes, at).is_some_and(|(key, (start, end), line_end)| {
            let (other_prefix, field) = prefix_and_field(key);
            if other_prefix != prefix || !is_pair_name(field) || field.eq_ignore_ascii_case("type")
            {
                return false;
            }
            let judged = |named: &[u8]| {
                let named = std::str::from_utf8(named).unwrap_or("");
                names::credential(named) && !names_a_place(named)
            };
            // `name=db.\` then `  password`: the value goes on past the escaped line end,
            // its next line judged as well.
            let named = &bytes[start..end];
            let continued = named.ends_with(b"\\") && is_break(bytes, line_end) && {
                let next = skip_spaces(bytes, past_break(bytes, line_end));
                judged(bytes[next..line_end_from(bytes, next)].trim_ascii_end())
            };
            continued || judged(named)
        })
    };
    let starts_a_section = |line: usize| {
        let at = skip_spaces(bytes, line);
        at >= bytes.len() || bytes[at] == b'['
    };
    let mut before = line_start;
    for _ in 0..PAIR_LINES_MOST {
        let Some(previous_end) = previous_line_end(bytes, before) else {
            break;
        };
        before = line_start_of(bytes, previous_end);
        if starts_a_section(before) {
            break;
        }
        if names_it(before) {
            return Some(value);
        }
    }
    let mut after = end;
    for _ in 0..PAIR_LINES_MOST {
        if !is_break(bytes, after) {
            break;
        }
        let line = past_break(bytes, after);
        if starts_a_section(line) {
            break;
        }
        if names_it(line) {
            return Some(value);
        }
        after = line_end_from(bytes, line);
    }
    None
}

/// A key's prefix and its last field, cut at its last `.`, `-` or `_` (`param.0.value`,
/// `param-0-value`, `env_value`); a key of one word is all field (`value`, `defaultValue`).
fn prefix_and_field(key: &str) -> (&str, &str) {
    key.rfind(['.', '-', '_'])
        .map_or(("", key), |cut| (&key[..cut], &key[cut + 1..]))
}

/// An INI or `.properties` entry at `at`: its key, then `=`, `:` (after a key with a prefix)
/// or blanks, then its value.
/// The key, the value's span to the line's end (trailing blanks left out), and where the line
/// ends.
fn ini_entry(bytes: &[u8], at: usize) -> Option<(&str, (usize, usize), usize)> {
    // An env file's `export NAME=…` (what a shell sources): the entry after the word.
    let at = if bytes[at..].starts_with(b"export ") {
        skip_spaces(bytes, at + 7)
    } else {
        at
    };
    let key_len = bytes[at..]
        .iter()
        .take(128)
        .take_while(|b| name_byte(**b))
        .count();
    let key = std::str::from_utf8(&bytes[at..at + key_len]).ok()?;
    let separator = skip_spaces(bytes, at + key_len);
    // A colon only after a key with a prefix (`param.0.name:`): a plain `name:` is YAML,
    // whose pairs `members` reads by their map, not by lines far apart.
    let prefixed = key.contains(['.', '-', '_']);
    let start = match bytes.get(separator) {
        _ if key_len == 0 => return None,
        Some(b'=') => skip_spaces(bytes, separator + 1),
        Some(b':') if prefixed => skip_spaces(bytes, separator + 1),
        Some(_) if separator > at + key_len && !is_break(bytes, separator) => separator,
        _ => return None,
    };
    let end = line_end_from(bytes, start);
    let trimmed = start + bytes[start..end].trim_ascii_end().len();
    (trimmed > start).then_some((key, (start, trimmed), end))
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

    /// The thirty-sixth review (P2): an entry's name and value on two lines of INI or
    /// `.properties` text.
    #[test]
    fn an_ini_pair_loses_the_value_its_name_line_names_a_credential() {
        let masked =
            |text: &str| super::super::spans::mask_all(text, &[ini_pair_value]).into_owned();
        for (dirty, clean) in [
            (
                "[param]\nname=db_password\nvalue=P-1\n",
                "[param]\nname=db_password\nvalue=***\n",
            ),
            (
                "param.0.name=db.password\nparam.0.value=P-2\nparam.1.name=mode\nparam.1.value=fast",
                "param.0.name=db.password\nparam.0.value=***\nparam.1.name=mode\nparam.1.value=fast",
            ),
            (
                "value = P-3\\ntype = string\\nname = api_token",
                "value = ***\\ntype = string\\nname = api_token",
            ),
            // The thirty-seventh review (P1): `:` and blanks as separators, a continued name,
            // lines and blank lines between within a section, `-` in the prefix.
            (
                "param.0.name: db.password\nparam.0.value: P-4",
                "param.0.name: db.password\nparam.0.value: ***",
            ),
            (
                "param.0.name db.password\nparam.0.value P-5",
                "param.0.name db.password\nparam.0.value ***",
            ),
            (
                "param.0.name=db.\\\n  password\nparam.0.value=P-6",
                "param.0.name=db.\\\n  password\nparam.0.value=***",
            ),
            (
                "[param]\nname=db_password\n\n; the value\nowner=ops\nteam=a\nmode=b\nzone=c\nvalue=P-7",
                "[param]\nname=db_password\n\n; the value\nowner=ops\nteam=a\nmode=b\nzone=c\nvalue=***",
            ),
            (
                "param-0-name=db-password\nparam-0-value=P-8",
                "param-0-name=db-password\nparam-0-value=***",
            ),
            // The thirty-eighth review (P1): an env file's `export`.
            (
                "export PARAM_NAME=DB_PASSWORD\nexport PARAM_VALUE=P-9",
                "export PARAM_NAME=DB_PASSWORD\nexport PARAM_VALUE=***",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for kept in [
            "[param]\nname=region\nvalue=eu-west-1",
            "[a]\nname=db_password\n\n[b]\nvalue=kept",
            "[a]\nname=db_password\n[b]\nvalue=kept",
            "param.0.name=db.password\nparam.1.value=kept",
            "name=db_password_file\nvalue=/run/secrets/db",
        ] {
            assert_eq!(masked(kept), kept, "{kept}");
        }
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

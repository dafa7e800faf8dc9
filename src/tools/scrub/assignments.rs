//! Credentials given to a name with `=`, or as a command-line flag's argument:
//!
//! - `name=value` where the name looks like a credential ([`names::credential`]): query
//!   parameters (`?access_token=…`, `&api_key=…`, also percent-encoded inside another URL:
//!   `%3Faccess_token%3D…`), flags (`--db-password=…`), connection strings (`host=db
//!   password=…`, `Password=…;`), logfmt (`token=…`) and assignments written with spaces
//!   (`password = …`); a value that is an authentication scheme reaches over the credential
//!   after it (`token = Bearer …`, `Authorization = Digest response="…"`);
//! - `--name value` and `-name value`: a flag named like a credential and its argument
//!   (`--password …`, `-token …`), unless the flag names where the credential is rather than the
//!   credential (`--password-file …`, `--token-stdin`).
//!
//! A value that is a tuple or a call (`auth=('u', '…')`) is read by [`calls::after_name`].

use super::calls;
use super::headers;
use super::names;
use super::reading::{escaped_before, unit, word_may_start, written_at};
use super::spans::{
    is_break, line_end_from, name_byte, past_break, previous_line_end, skip_spaces, value,
};
use crate::tools::masking::names_a_place;

/// `name=value` with `=` (as written or percent-encoded) at `i`: the value's span. The name is
/// everything name-like before the `=` (leading `-` or `.` dropped, so `--password=` names
/// `password`), spaces between allowed.
pub fn assignment(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let equals = unit(bytes, i);
    if equals.ch != b'=' {
        return None;
    }
    // `==` is base64 padding or a comparison, not an assignment.
    let after = i + equals.len;
    if after < bytes.len() && unit(bytes, after).ch == b'=' {
        return None;
    }
    if i > 0 && bytes[i - 1] == b'=' {
        return None;
    }
    // Go's short declaration `password := "…"` assigns as `=` does, and so do Make's `?=` and
    // the shell's `+=`.
    let operator = if i > 0 && matches!(bytes[i - 1], b':' | b'?' | b'+') {
        i - 1
    } else {
        i
    };
    let name_end = bytes[..operator]
        .iter()
        .rposition(|b| *b != b' ' && *b != b'\t')
        .map_or(0, |p| p + 1);
    let spaced = name_end < operator;
    let (from, name) = name_before(bytes, name_end)?;
    let name = name.trim_start_matches(['-', '.', '_']);
    // `&` ends the value only in a query string: after `?` or `&` (as written or encoded).
    let before_name = (from > 0).then(|| unit_before(bytes, from)).flatten();
    let query = matches!(before_name, Some(b'?' | b'&'));
    // A path parameter: `;jsessionid=…` in a URL, ended by the query or another parameter.
    let path_parameter = before_name == Some(b';');
    let named = |names: &[&str]| names.iter().any(|s| name.eq_ignore_ascii_case(s));
    // Signed URLs' `sig=` and `X-Amz-Signature=`, `session=`, `jwt=`: names that hold a
    // credential as one value ([`crate::tools::masking::CREDENTIAL_VALUE_WORDS`]), as keys do.
    let names_secret = names::credential(name)
        || (query && named(&QUERY_ONLY_SECRETS))
        || (name.eq_ignore_ascii_case("value") && pair_named_before(bytes, from));
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || !names_secret {
        return None;
    }
    // `password = value`: spaces on both sides. One-sided, the next word is the value unless it
    // is the next `name=value` (`token= next=1`: an empty value).
    let start = skip_spaces(bytes, after);
    if !spaced && start > after {
        let word_end = start
            + bytes[start..]
                .iter()
                .take_while(|b| !b.is_ascii_whitespace())
                .count();
        if bytes[start..word_end].contains(&b'=') {
            return None;
        }
    }
    let level = if equals.escaped && bytes[i] == b'%' {
        equals.len
    } else {
        0
    };
    let found = heredoc(bytes, start)
        .or_else(|| braced(bytes, start))
        .or_else(|| calls::after_name(bytes, start));
    if let Some(found) = found {
        return Some(found);
    }
    let (start, end) = value(bytes, start, query || level > 0, level)?;
    // `$pw = ConvertTo-SecureString "…"`: the keyword's argument is the credential
    // ([`keyword_argument`]), not the command's name.
    if bytes[start..end].eq_ignore_ascii_case(SECURE_STRING) {
        return None;
    }
    // Connection strings separate `name=value` pairs with `;` (a value holding one is quoted).
    let quoted = matches!(bytes[start - 1], b'"' | b'\'');
    // `Authorization = Bearer …`: the word read is the scheme; the credential follows it.
    if !quoted && let Some(credential_end) = headers::after_scheme(bytes, start, end) {
        return Some((start, credential_end));
    }
    let end = match bytes[start..end].iter().position(|b| *b == b';') {
        Some(at) if !quoted => start + at,
        _ => end,
    };
    let end = if path_parameter {
        bytes[start..end]
            .iter()
            .position(|b| matches!(b, b'?' | b'#' | b'/'))
            .map_or(end, |at| start + at)
    } else {
        end
    };
    (end > start).then_some((start, end))
}

/// How far back a name is read: names are short, and the scan must stay linear.
const LONGEST_NAME: usize = 256;

/// The name ending at `end` and where it starts: name-like bytes, percent escapes of letters
/// read as the letters (`pass%77ord`), and after an escape or a colour code glued before it
/// (`\fpassword`, `ESC[36mpassword`); or the key of an index (`x["DB_PASSWORD"]`,
/// `user[password]`, `user%5Bpassword%5D`), starting where the indexed expression does.
fn name_before(bytes: &[u8], end: usize) -> Option<(usize, String)> {
    if let Some(found) = indexed_name(bytes, end) {
        return Some(found);
    }
    let floor = end.saturating_sub(LONGEST_NAME);
    let mut from = end;
    while from > floor {
        if from >= 3 && encoded_name_byte(&bytes[from - 3..from]).is_some() {
            from -= 3;
        } else if name_byte(bytes[from - 1]) {
            from -= 1;
        } else {
            break;
        }
    }
    let mut from = after_percent_escape(bytes, from, end);
    // The last escape or colour code that ends inside the name, standing for a separator: only
    // where one can, after a backslash (`\f`) or a bracket (`ESC[36m`).
    let glued = from > 0 && matches!(bytes[from - 1], b'\\' | b'[');
    let reach = if glued {
        (from + ESCAPED_PREFIX_MOST).min(end)
    } else {
        from
    };
    if let Some(p) = (from + 1..reach)
        .rev()
        .find(|p| escaped_before(bytes, *p).is_some_and(|c| !name_byte(c)))
    {
        from = p;
    }
    Some((from, decoded_name(&bytes[from..end])?))
}

/// The most bytes an escape or a colour code glued before a name takes.
const ESCAPED_PREFIX_MOST: usize = 36;

/// The name byte a percent escape (`%77`) stands for, if it stands for one.
fn encoded_name_byte(written: &[u8]) -> Option<u8> {
    let [b'%', high, low] = *written else {
        return None;
    };
    let code = u8::from_str_radix(std::str::from_utf8(&[high, low]).ok()?, 16).ok()?;
    (code.is_ascii_alphanumeric() || code == b'_').then_some(code)
}

/// `written` with its percent escapes of name bytes read as those bytes.
fn decoded_name(written: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(written.len());
    let mut at = 0;
    while at < written.len() {
        match written.get(at..at + 3).and_then(encoded_name_byte) {
            Some(b) => {
                out.push(b);
                at += 3;
            }
            None => {
                out.push(written[at]);
                at += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// `x["DB_PASSWORD"]`, `headers['X-Api-Key']`, `user[password]` or `user%5Bpassword%5D` ending
/// at `end`: the key inside the brackets, and where the indexed expression starts.
fn indexed_name(bytes: &[u8], end: usize) -> Option<(usize, String)> {
    let close_len = if bytes[..end].ends_with(b"]") {
        1
    } else if end >= 3 && bytes[end - 3..end].eq_ignore_ascii_case(b"%5D") {
        3
    } else {
        return None;
    };
    let inner_end = end - close_len;
    let floor = inner_end.saturating_sub(LONGEST_NAME);
    let (open, inner_start) = (floor..inner_end).rev().find_map(|p| {
        if bytes[p] == b'[' {
            Some((p, p + 1))
        } else if p + 3 <= inner_end && bytes[p..p + 3].eq_ignore_ascii_case(b"%5B") {
            Some((p, p + 3))
        } else {
            None
        }
    })?;
    let key = std::str::from_utf8(&bytes[inner_start..inner_end]).ok()?;
    let key = key.trim_matches(['"', '\'', '\\']);
    // `keys[0]=…`, `keys[]=…` (Helm's `--set` list items, PHP's and Rails' lists): a position,
    // so the name is the list's.
    let position = key.bytes().all(|b| b.is_ascii_digit());
    if !position && !key.bytes().all(name_byte) {
        return None;
    }
    // `keys[0][1]`, `keys[][]`: the name before every position.
    let mut open = open;
    while position && bytes[..open].ends_with(b"]") {
        let Some(before) = bytes[..open - 1].iter().rposition(|b| *b == b'[') else {
            break;
        };
        if !bytes[before + 1..open - 1].iter().all(u8::is_ascii_digit) {
            break;
        }
        open = before;
    }
    let from = bytes[..open]
        .iter()
        .rposition(|b| !name_byte(*b))
        .map_or(0, |p| p + 1)
        .max(open.saturating_sub(LONGEST_NAME));
    let name = if position {
        std::str::from_utf8(&bytes[from..open]).ok()?
    } else {
        key
    };
    (!name.is_empty()).then(|| (from, name.to_owned()))
}

/// Helm's `--set env[0].name=DB_PASSWORD --set env[0].value=…` (also `,`-separated): whether the
/// `value` whose path starts at `from` (`env[0].value`) has a `name` of the same path before it
/// that looks like a credential.
fn pair_named_before(bytes: &[u8], from: usize) -> bool {
    let dot = bytes[from..]
        .iter()
        .position(|b| *b == b'=')
        .map_or(from, |p| from + p);
    let path_start = path_start(bytes, from);
    let Some(prefix_end) = bytes[path_start..dot]
        .iter()
        .rposition(|b| *b == b'.')
        .map(|p| path_start + p)
    else {
        return false;
    };
    let prefix = &bytes[path_start..prefix_end];
    if prefix.is_empty() {
        return false;
    }
    let mut wanted = prefix.to_vec();
    wanted.extend_from_slice(b".name=");
    let floor = path_start.saturating_sub(PAIR_REACH);
    let window = &bytes[floor..path_start];
    let Some(at) = window
        .windows(wanted.len())
        .rposition(|w| w.eq_ignore_ascii_case(&wanted))
    else {
        return false;
    };
    let start = floor + at + wanted.len();
    let len = bytes[start..].iter().take_while(|b| name_byte(**b)).count();
    std::str::from_utf8(&bytes[start..start + len])
        .is_ok_and(|named| names::credential(named) && !names_a_place(named))
}

/// How far back the `name` of a Helm `--set` pair is looked for.
const PAIR_REACH: usize = 256;

/// Where the path that ends with the name starting at `from` begins: back over name bytes and
/// index brackets (`extraEnv[0].value`).
fn path_start(bytes: &[u8], from: usize) -> usize {
    let floor = from.saturating_sub(LONGEST_NAME);
    let mut at = from;
    while at > floor && (name_byte(bytes[at - 1]) || matches!(bytes[at - 1], b'[' | b']')) {
        at -= 1;
    }
    at
}

/// A here-document as an assignment's value (`password = <<EOT` … `EOT`, HCL and the shell):
/// its lines up to the one that ends it.
fn heredoc(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    if !bytes[start..].starts_with(b"<<") {
        return None;
    }
    let mut at = start + 2;
    if matches!(bytes.get(at), Some(b'-' | b'~')) {
        at += 1;
    }
    let word_start = at + usize::from(matches!(bytes.get(at), Some(b'\'' | b'"')));
    let word_len = bytes[word_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    if word_len == 0 {
        return None;
    }
    let word = &bytes[word_start..word_start + word_len];
    // The lines as written or escaped (`\n` inside a JSON string).
    let header_end = line_end_from(bytes, word_start + word_len);
    if !is_break(bytes, header_end) {
        return None;
    }
    let body = past_break(bytes, header_end);
    let mut line = body;
    let mut end = bytes.len();
    while line < bytes.len() {
        let line_end = line_end_from(bytes, line);
        if bytes[line..line_end].trim_ascii() == word {
            end = previous_line_end(bytes, line).unwrap_or(line);
            break;
        }
        if !is_break(bytes, line_end) {
            end = line_end;
            break;
        }
        line = past_break(bytes, line_end);
    }
    (end > body).then_some((body, end))
}

/// ODBC's braced value (`PWD={a;b}`, `}}` for a `}` inside): what is inside the braces.
fn braced(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    if bytes.get(start) != Some(&b'{') {
        return None;
    }
    let mut at = start + 1;
    while at < bytes.len() {
        if bytes[at] == b'}' {
            if bytes.get(at + 1) == Some(&b'}') {
                at += 2;
                continue;
            }
            // `{noop}secret` is a prefix, not braces around the value.
            let closes = bytes
                .get(at + 1)
                .is_none_or(|b| matches!(b, b';' | b' ' | b'\n' | b'\r' | b'"' | b'\''));
            return (closes && at > start + 1).then_some((start + 1, at));
        }
        if bytes[at] == b'\n' {
            return None;
        }
        at += 1;
    }
    None
}

/// The character a percent escape or a byte just before `at` stands for.
fn unit_before(bytes: &[u8], at: usize) -> Option<u8> {
    if at >= 3 && bytes[at - 3] == b'%' {
        let code = std::str::from_utf8(&bytes[at - 2..at]).ok()?;
        if let Ok(ch) = u8::from_str_radix(code, 16) {
            return Some(ch);
        }
    }
    at.checked_sub(1).map(|p| bytes[p])
}

/// Names that carry a credential only as a URL's query parameter: OAuth's authorization
/// `code` (exchanged for tokens by whoever holds it); elsewhere `code=1` is an exit code.
const QUERY_ONLY_SECRETS: [&str; 1] = ["code"];

/// Where a name that starts at `from` really starts when a percent escape is glued to it: in
/// `%3Faccess_token` (an encoded `?`), or `%253F…` (encoded twice), the name is `access_token`.
fn after_percent_escape(bytes: &[u8], mut from: usize, end: usize) -> usize {
    if from == 0 || bytes[from - 1] != b'%' {
        return from;
    }
    let hex_pair = |at: usize| at + 2 <= end && bytes[at..at + 2].iter().all(u8::is_ascii_hexdigit);
    while hex_pair(from) {
        let encoded_percent = &bytes[from..from + 2] == b"25";
        from += 2;
        if !encoded_percent {
            break;
        }
    }
    from
}

/// Flags whose argument says where a credential is, or how to read it, not the credential.
const WHERE_FLAGS: [&str; 6] = ["file", "stdin", "path", "dir", "env", "ref"];

/// `--name value` or `-name value` with the first dash at `i`: the value's span.
pub fn flag(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'-' || !after_separator(bytes, i) {
        return None;
    }
    let dashes = bytes[i..]
        .iter()
        .take(2)
        .take_while(|b| **b == b'-')
        .count();
    let name_start = i + dashes;
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| name_byte(**b))
        .count();
    // `-p` and friends: one letter says nothing about what it takes.
    if name_len < 2 || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = std::str::from_utf8(&bytes[name_start..name_start + name_len]).ok()?;
    let last_word = name.rsplit(['-', '_', '.']).next().unwrap_or(name);
    if !names::credential(name)
        || WHERE_FLAGS
            .iter()
            .any(|w| last_word.eq_ignore_ascii_case(w))
    {
        return None;
    }
    let mut at = name_start + name_len;
    // In an argument list (`["--password", "…"]`) the argument is the next quoted item.
    let quote = i
        .checked_sub(1)
        .map(|p| bytes[p])
        .filter(|b| matches!(b, b'"' | b'\''));
    if let Some(quote) = quote.filter(|q| bytes.get(at) == Some(q)) {
        at = skip_spaces(bytes, at + 1);
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
        if bytes.get(at) != Some(&b' ') && bytes.get(at) != Some(&quote) {
            return None;
        }
    } else if matches!(bytes.get(at), Some(b'\n' | b'\r')) {
        // A YAML list of arguments (`- --db-password` then `- value`): the next item.
        let item = at
            + bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        if !bytes[item..].starts_with(b"- ") {
            return None;
        }
        at = item + 1;
    } else if bytes.get(at) != Some(&b' ') {
        return None;
    }
    let start = skip_spaces(bytes, at);
    if bytes.get(start).is_none_or(|b| *b == b'-') {
        return None;
    }
    value(bytes, start, false, 0)
}

/// `-u user:password` and `--user user:password` (curl, and the tools that copy it): the
/// password after the first colon. curl's `-u` also attached (`-ualice:PW`, `-u'alice:PW'`),
/// after `curl` on its line only (`docker run -u1000:1000` is a user and a group).
pub fn user_flag(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'-' || !after_separator(bytes, i) {
        return None;
    }
    let rest = &bytes[i..];
    // curl's `user:password`, and smbclient's `-U user%password`.
    let (flag_len, separator) = [(&b"--user "[..], b':'), (b"-u ", b':'), (b"-U ", b'%')]
        .into_iter()
        .find(|(flag, _)| rest.starts_with(flag))
        .map(|(flag, separator)| (flag.len(), separator))
        .or_else(|| {
            let attached = rest.starts_with(b"-u") && rest.len() > 2 && rest[2] != b' ';
            (attached && super::commands::command_before(bytes, i, &["curl"])).then_some((2, b':'))
        })?;
    let (start, end) = value(bytes, skip_spaces(bytes, i + flag_len), false, 0)?;
    let split = bytes[start..end].iter().position(|b| *b == separator)?;
    (start + split + 1 < end).then_some((start + split + 1, end))
}

/// A credential that a keyword introduces: SQL's `PASSWORD '…'` (`ALTER ROLE … WITH PASSWORD`)
/// and `IDENTIFIED BY …`, `.netrc`'s `login … password …`, Redis's directives, OpenSSL's
/// `pass:` and PowerShell's `ConvertTo-SecureString`.
pub fn keyword_argument(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !word_may_start(bytes, i, |b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let word_at = |word: &[u8]| {
        bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
            && bytes.get(i + word.len()) == Some(&b' ')
    };
    if word_at(b"identified by") {
        return value(bytes, skip_spaces(bytes, i + 13), false, 0);
    }
    if word_at(b"identified with") {
        return identified_with_plugin(bytes, i + 15);
    }
    if word_at(b"set password") {
        return set_password(bytes, i + 12);
    }
    // Redis's `requirepass …` and `masterauth …` (redis.conf, and as command arguments), and
    // HAProxy's `user NAME insecure-password …`.
    for directive in [&b"requirepass"[..], b"masterauth", b"insecure-password"] {
        if word_at(directive) {
            return value(bytes, skip_spaces(bytes, i + directive.len()), false, 0);
        }
    }
    // PowerShell's `ConvertTo-SecureString "…" -AsPlainText` (also `-String "…"`); a variable
    // (`$encrypted`) names the value rather than holding it.
    if word_at(SECURE_STRING) {
        let mut start = skip_spaces(bytes, i + SECURE_STRING.len());
        let named = b"-string ";
        if bytes
            .get(start..start + named.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(named))
        {
            start = skip_spaces(bytes, start + named.len());
        }
        return match bytes.get(start) {
            Some(b'$' | b'-') | None => None,
            Some(_) => value(bytes, start, false, 0),
        };
    }
    // OpenSSL's `-passin pass:…` / `-passout pass:…`.
    if written_at(bytes, i, b"pass:") && i >= 1 && bytes[i - 1] == b' ' {
        return value(bytes, i + 5, false, 0);
    }
    if !word_at(b"password") {
        return None;
    }
    let start = skip_spaces(bytes, i + 8);
    let quoted = bytes.get(start).is_some_and(|b| matches!(b, b'\'' | b'"'));
    // `.netrc`: `machine h login u password p`.
    let netrc = bytes[i.saturating_sub(200)..i]
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"login "));
    if quoted || netrc {
        value(bytes, start, false, 0)
    } else {
        None
    }
}

/// MySQL's `IDENTIFIED WITH plugin BY '…'`, from after `WITH`: the value after `BY`.
fn identified_with_plugin(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let plugin = skip_spaces(bytes, from);
    let plugin_end = plugin
        + bytes[plugin..]
            .iter()
            .take_while(|b| name_byte(**b))
            .count();
    let by = skip_spaces(bytes, plugin_end);
    let says_by = bytes
        .get(by..by + 3)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"by "));
    if plugin_end == plugin || !says_by {
        return None;
    }
    value(bytes, skip_spaces(bytes, by + 3), false, 0)
}

/// How far on its line `SET PASSWORD FOR user` looks for its `=`.
const SET_PASSWORD_REACH: usize = 200;

/// MySQL's `SET PASSWORD [FOR 'user'@'host'] = '…'` (or `= PASSWORD('…')`), from after
/// `PASSWORD`: the value after the `=`.
fn set_password(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let reach = &bytes[from..(from + SET_PASSWORD_REACH).min(bytes.len())];
    let line = &reach[..reach
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(reach.len())];
    let equals = from + line.iter().position(|b| *b == b'=')?;
    let mut start = skip_spaces(bytes, equals + 1);
    let function = b"password(";
    if bytes
        .get(start..start + function.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(function))
    {
        start += function.len();
    }
    value(bytes, start, false, 0)
}

/// PowerShell's command that turns a plain text (the credential) into a secure string.
const SECURE_STRING: &[u8] = b"convertto-securestring";

/// What may stand just before a flag's dash: a space or the quote of an argument list.
fn separates(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'[' | b',' | b'(')
}

/// Whether a flag may start at `i`: at the text's start, or after a separator, written as
/// itself or as an escape (`\n--password …` in a JSON log line).
fn after_separator(bytes: &[u8], i: usize) -> bool {
    i.checked_sub(1).is_none_or(|p| separates(bytes[p]))
        || escaped_before(bytes, i).is_some_and(separates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[assignment, flag]).into_owned()
    }

    #[test]
    fn credential_parameters_lose_their_values() {
        let cases = [
            (
                "GET https://api.example.com/v1?access_token=AT-1&page=2",
                "GET https://api.example.com/v1?access_token=***&page=2",
            ),
            ("https://h/x?token=T-2", "https://h/x?token=***"),
            ("?a=1&api_key=K-3&b=2", "?a=1&api_key=***&b=2"),
            ("?key=AIza-4", "?key=***"),
            (
                "host=db port=5432 user=app password=P-5 dbname=app",
                "host=db port=5432 user=app password=*** dbname=app",
            ),
            (
                "Server=db;User Id=app;Password=P-6;Database=x",
                "Server=db;User Id=app;Password=***;Database=x",
            ),
            (
                "AccountName=x;AccountKey=K-16==;EndpointSuffix=core.windows.net",
                "AccountName=x;AccountKey=***;EndpointSuffix=core.windows.net",
            ),
            (
                "run --db-password=P-7 --debug",
                "run --db-password=*** --debug",
            ),
            (
                "level=info client_secret=\"S 8\" ok",
                "level=info client_secret=\"***\" ok",
            ),
            ("GITHUB_TOKEN='T-9'", "GITHUB_TOKEN='***'"),
            ("passphrase=P-10", "passphrase=***"),
            ("password = P-11 ok", "password = *** ok"),
            ("password=p%20x ok", "password=*** ok"),
            ("Password=\"a;b\";Database=x", "Password=\"***\";Database=x"),
            ("?sv=1&sig=S-15%3D&sp=r", "?sv=1&sig=***&sp=r"),
            ("?password=p%26x&page=2", "?password=***&page=2"),
            ("DB_PASSWORD\t=\t'P 12'", "DB_PASSWORD\t=\t'***'"),
            (
                "next=%2Fhome%3Faccess_token%3DT-13%26page%3D2",
                "next=%2Fhome%3Faccess_token%3D***%26page%3D2",
            ),
            (
                "next=%252Fhome%253Ftoken%253DT-14",
                "next=%252Fhome%253Ftoken%253D***",
            ),
            (
                "if password := \"P-20\"; ok {",
                "if password := \"***\"; ok {",
            ),
            ("apiKey:=K-21 x", "apiKey:=*** x"),
            (
                "GET /shop;jsessionid=S-22?item=3 404",
                "GET /shop;jsessionid=***?item=3 404",
            ),
            (
                "GET /callback?code=C-23&state=xyz",
                "GET /callback?code=***&state=xyz",
            ),
            (
                "redirect /cb?state=s&code=C-24",
                "redirect /cb?state=s&code=***",
            ),
            ("DB_PASSWORD ?= P-25", "DB_PASSWORD ?= ***"),
            ("TOKEN+=T-26", "TOKEN+=***"),
            (
                "os.environ[\"DB_PASSWORD\"] = \"P-27\"",
                "os.environ[\"DB_PASSWORD\"] = \"***\"",
            ),
            (
                "headers['X-Api-Key'] = 'K-28';",
                "headers['X-Api-Key'] = '***';",
            ),
            ("a=1&user[password]=P-29 302", "a=1&user[password]=*** 302"),
            ("?user%5Bpassword%5D=P-30 x", "?user%5Bpassword%5D=*** x"),
            ("?pass%77ord=P-31", "?pass%77ord=***"),
            (
                "cfg \u{1b}[36mpassword=P-32\u{1b}[0m",
                "cfg \u{1b}[36mpassword=***",
            ),
            ("x\\fpassword=P-33", "x\\fpassword=***"),
            ("UID=app;PWD={P-34;x};", "UID=app;PWD={***};"),
            (
                "password = <<EOT\nP-35\nP-36\nEOT\nx = 1",
                "password = <<EOT\n***\n***\nEOT\nx = 1",
            ),
            (
                "--set e[0].name=DB_PASSWORD --set e[0].value=P-37",
                "--set e[0].name=DB_PASSWORD --set e[0].value=***",
            ),
            (
                "--set env[0].name=API_TOKEN,env[0].value=P-38",
                "--set env[0].name=API_TOKEN,env[0].value=***",
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn flags_named_like_credentials_lose_their_arguments() {
        let cases = [
            (
                "helm repo add x https://c.example.com --username u --password P-1 --force",
                "helm repo add x https://c.example.com --username u --password *** --force",
            ),
            ("vault login -token T-2", "vault login -token ***"),
            ("[\"--api-key\", \"K-3\"]", "[\"--api-key\", \"***\"]"),
            (
                "args:\n  - --db-password\n  - P-4\n  - --debug",
                "args:\n  - --db-password\n  - ***\n  - --debug",
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "docker login --password-stdin registry.example.com",
            "--token-file /var/run/token",
            "--password --force",
            "-p 22",
            "x--token y",
            "--password",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn users_and_keywords_introduce_credentials() {
        let masked = |text: &str| {
            super::super::spans::mask_all(text, &[user_flag, keyword_argument]).into_owned()
        };
        for (dirty, clean) in [
            (
                "curl -u deploy:P-1 https://x",
                "curl -u deploy:*** https://x",
            ),
            ("curl --user deploy:P-2 x", "curl --user deploy:*** x"),
            (
                "ALTER ROLE app WITH LOGIN PASSWORD 'P-3'",
                "ALTER ROLE app WITH LOGIN PASSWORD '***'",
            ),
            (
                "CREATE USER app IDENTIFIED BY P-4;",
                "CREATE USER app IDENTIFIED BY ***",
            ),
            (
                "machine h login deploy password P-5",
                "machine h login deploy password ***",
            ),
            (
                "port 6379\nrequirepass P-6\n",
                "port 6379\nrequirepass ***\n",
            ),
            (
                "openssl pkcs12 -passout pass:P-7 -out k.p12",
                "openssl pkcs12 -passout pass:*** -out k.p12",
            ),
            (
                "$p = ConvertTo-SecureString \"P-8\" -AsPlainText -Force",
                "$p = ConvertTo-SecureString \"***\" -AsPlainText -Force",
            ),
            (
                "convertto-securestring -String P-9 -AsPlainText",
                "convertto-securestring -String *** -AsPlainText",
            ),
            (
                "SET PASSWORD FOR 'app'@'%' = 'P-10';",
                "SET PASSWORD FOR 'app'@'%' = '***';",
            ),
            (
                "set password for app = PASSWORD('P-11');",
                "set password for app = PASSWORD('***');",
            ),
            (
                "ALTER USER 'a'@'%' IDENTIFIED WITH caching_sha2_password BY 'P-12';",
                "ALTER USER 'a'@'%' IDENTIFIED WITH caching_sha2_password BY '***';",
            ),
            (
                "  user admin insecure-password P-13",
                "  user admin insecure-password ***",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "curl -u deploy x",
            "the password is wrong",
            "ssh -u x",
            "ConvertTo-SecureString $encrypted -Key $k",
            "set password policy\nnext = 1",
            "IDENTIFIED WITH auth_socket;",
            "user admin password $5$hash",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn ordinary_parameters_and_base64_stay() {
        for text in [
            "?page=2&sort=name",
            "app.kubernetes.io/name=vault",
            "keyboard=us monkey=1 author=me",
            "dGhlIHRva2VuIGlz==",
            "c2VjcmV0dG9rZW4=",
            "token= ",
            "token= next=1",
            "password=",
            "password=***",
            "password = ***",
            "=value",
            "if token == expected",
            "%3D%3D",
            "exit code=1",
            "ok := true",
            "x := y",
            "items[0] = 3",
            "x[\"name\"] = \"web\"",
            "--set e[0].name=LOG_LEVEL --set e[0].value=debug",
            "--set a[0].name=DB_PASSWORD --set b[0].value=debug",
            "pass%20word=x",
            "CFLAGS += -O2",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        for text in [
            "=",
            "%3D",
            "%",
            "-",
            "--",
            "- x",
            "--tokén x",
            "é=é",
            "tokén=x",
            "password=\"",
            " = ",
            "%25=",
        ] {
            let _ = masked(text);
        }
    }

    /// The forty-second review (K1): a list item by its position (`--set encryptionKeys[0]=…`,
    /// `keys[]=…`) is named by its list.
    #[test]
    fn a_list_item_is_named_by_its_list() {
        for text in [
            "helm template --set encryptionKeys[0]=S33Dx",
            "--set apiKey[12]=S33Dx",
            "tokens[]=S33Dx",
            "--set encryptionKeys[0][1]=S33Dx",
            "apiKeys[][]=S33Dx",
            "x=1&api_keys%5B0%5D=S33Dx",
        ] {
            let shown = super::super::without_credentials(text);
            assert!(!shown.contains("S33Dx"), "{text} => {shown}");
        }
        for text in ["--set replicas[0]=3", "items[]=apple"] {
            assert_eq!(super::super::without_credentials(text), text);
        }
    }
}

//! Credentials in text that are not in a URL's userinfo, found by what names them:
//!
//! - `name=value` where the name looks like a credential ([`looks_like_credential`]): query
//!   parameters (`?access_token=…`, `&api_key=…`), flags (`--db-password=…`), connection strings
//!   (`host=db password=…`, `Password=…;`) and logfmt (`token=…`);
//! - `"name": "value"` in JSON text (a log line that is JSON), under the same rule;
//! - an `Authorization` header or parameter, whatever its scheme (`Authorization: Basic …`,
//!   `authorization=token …`), a `Cookie`, and a header whose name looks like a credential
//!   (`X-Api-Key: …`, `Private-Token: …`): the whole value up to the end of the line;
//! - a `Bearer` or `Basic` credential anywhere, when it holds a character other than a letter
//!   (real tokens do; the words of a sentence such as "bearer token" do not).
//!
//! The value becomes `***`; the name, and quotes around the value, stay.

use std::borrow::Cow;

use super::reading::{ends_text, unit};
use crate::tools::masking::{MASK, looks_like_credential};

/// Masks every credential value [this module](self) recognises in `text`.
pub fn mask(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let found = json_member(bytes, i)
            .or_else(|| header(bytes, i))
            .or_else(|| assignment(bytes, i))
            .or_else(|| scheme_credential(bytes, i));
        match found {
            Some((start, end)) => {
                if &text[start..end] != MASK {
                    spans.push((start, end));
                }
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in spans {
        out.push_str(&text[copied..start]);
        out.push_str(MASK);
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The bytes a name is made of: `db.password`, `API-KEY`, `access_token`.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// `name=value` with `=` at `i`: the value's span. The name is everything name-like before the
/// `=` (leading `-` or `.` dropped, so `--password=` names `password`).
fn assignment(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i] != b'=' {
        return None;
    }
    let from = bytes[..i]
        .iter()
        .rposition(|b| !name_byte(*b))
        .map_or(0, |p| p + 1);
    let name = std::str::from_utf8(&bytes[from..i]).ok()?;
    let name = name.trim_start_matches(['-', '.', '_']);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || !looks_like_credential(name) {
        return None;
    }
    // `==` is base64 padding, not an assignment.
    if bytes.get(i + 1) == Some(&b'=') {
        return None;
    }
    value(bytes, i + 1, true)
}

/// The value starting at `start`: inside its quotes when quoted, else up to whitespace or a
/// quote (and, with `ampersand`, up to the `&` of the next query parameter).
fn value(bytes: &[u8], start: usize, ampersand: bool) -> Option<(usize, usize)> {
    if start >= bytes.len() {
        return None;
    }
    let first = unit(bytes, start);
    if matches!(first.ch, b'"' | b'\'') {
        let inner = start + first.len;
        let end = closing_quote(bytes, inner, first.ch, first.len);
        return (end > inner).then_some((inner, end));
    }
    let mut end = start;
    while end < bytes.len() {
        let u = unit(bytes, end);
        if ends_text(u.ch) || (ampersand && bytes[end] == b'&') {
            break;
        }
        end += u.len;
    }
    (end > start).then_some((start, end))
}

/// Where the quote closing one opened as `quote` (written in `len` bytes: `"`, or `\"` inside
/// JSON) is: the next quote written the same way, so quotes escaped one level deeper stay
/// inside the value. The end of the text when none closes.
fn closing_quote(bytes: &[u8], from: usize, quote: u8, len: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if u.ch == quote && u.len == len {
            return at;
        }
        at += u.len;
    }
    bytes.len()
}

/// `"name": "value"` with the opening quote of the name at `i`: the value's span (inside its
/// quotes).
fn json_member(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let open = unit(bytes, i);
    if open.ch != b'"' {
        return None;
    }
    let name_start = i + open.len;
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| name_byte(**b))
        .count();
    let name = std::str::from_utf8(&bytes[name_start..name_start + name_len]).ok()?;
    let mut at = name_start + name_len;
    let close = (at < bytes.len()).then(|| unit(bytes, at))?;
    if close.ch != b'"' || close.len != open.len || !looks_like_credential(name) {
        return None;
    }
    at += close.len;
    at = skip_spaces(bytes, at);
    if bytes.get(at) != Some(&b':') {
        return None;
    }
    at = skip_spaces(bytes, at + 1);
    let quote = (at < bytes.len()).then(|| unit(bytes, at))?;
    if quote.ch != b'"' || quote.len != open.len {
        return None;
    }
    let inner = at + quote.len;
    let end = closing_quote(bytes, inner, b'"', quote.len);
    (end > inner).then_some((inner, end))
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
        at += 1;
    }
    at
}

/// Whether `word` (ASCII, lower case) stands at `i` as a whole word: no letter or digit just
/// before it or just after it.
fn word_at(bytes: &[u8], i: usize, word: &str) -> bool {
    let end = i + word.len();
    i.checked_sub(1)
        .is_none_or(|p| !bytes[p].is_ascii_alphanumeric())
        && bytes
            .get(i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// A credential header at `i`, `Name: value` (or `"Name": value`): `Authorization` and
/// `Proxy-Authorization` (also as `authorization=value`), `Cookie`, and any header-style name
/// (with a `-`) that looks like a credential (`X-Api-Key`, `Private-Token`, `X-Vault-Token`,
/// `Set-Cookie`). The whole value, scheme included, up to the end of the line, a quote or an
/// `&`.
fn header(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if !bytes[i].is_ascii_alphabetic()
        || i.checked_sub(1)
            .is_some_and(|p| bytes[p].is_ascii_alphanumeric() || bytes[p] == b'-')
    {
        return None;
    }
    let len = bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    let mut at = i + len;
    if at < bytes.len() && unit(bytes, at).ch == b'"' {
        at += unit(bytes, at).len;
    }
    at = skip_spaces(bytes, at);
    let separator = *bytes.get(at)?;
    if separator != b':' && separator != b'=' {
        return None;
    }
    let name = std::str::from_utf8(&bytes[i..i + len]).ok()?;
    let authorization = ["authorization", "proxy-authorization"]
        .iter()
        .any(|a| name.eq_ignore_ascii_case(a));
    let header = separator == b':'
        && (name.eq_ignore_ascii_case("cookie")
            || (name.contains('-') && looks_like_credential(name)));
    if !(authorization || header) {
        return None;
    }
    at = skip_spaces(bytes, at + 1);
    if at < bytes.len() && matches!(unit(bytes, at).ch, b'"' | b'\'') {
        return value(bytes, at, false);
    }
    let start = at;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if matches!(u.ch, b'\n' | b'\r' | b'"' | b'\'' | b'`' | b'&') {
            break;
        }
        at += u.len;
    }
    (at > start).then_some((start, at))
}

/// `Bearer <token>` or `Basic <token>` at `i`: the token, when it holds a character other than
/// a letter (RFC 7235 token68: letters, digits, `-._~+/`, then `=` padding).
fn scheme_credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let scheme = ["bearer", "basic"]
        .into_iter()
        .find(|w| word_at(bytes, i, w))?;
    let start = skip_spaces(bytes, i + scheme.len());
    if start == i + scheme.len() {
        return None;
    }
    let token = bytes[start..]
        .iter()
        .take_while(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
        .count();
    let padding = bytes[start + token..]
        .iter()
        .take_while(|b| **b == b'=')
        .count();
    let end = start + token + padding;
    let is_credential = token > 0 && !bytes[start..end].iter().all(u8::is_ascii_alphabetic);
    is_credential.then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        mask(text).into_owned()
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
                "Server=db;User Id=app;Password=***",
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
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
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
            "password=",
            "password=***",
            "=value",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
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
            (r#"{"token": 5}"#, r#"{"token": 5}"#),
            (r#"{"tokenizer":"x"}"#, r#"{"tokenizer":"***"}"#),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn credential_headers_lose_their_values() {
        let cases = [
            (
                "Authorization: Basic dXNlcjpwYXNz\nHost: h",
                "Authorization: ***\nHost: h",
            ),
            ("authorization=token ghp_ABC", "authorization=***"),
            (
                r#"headers: {"Authorization": "Bearer eyJ.x.y"}"#,
                r#"headers: {"Authorization": "***"}"#,
            ),
            (
                "Proxy-Authorization: Basic Zm9vOmJhcg==",
                "Proxy-Authorization: ***",
            ),
            (
                "401 from server (sent Bearer eyJhbGciOi.eyJzdWIi.sig), retrying",
                "401 from server (sent Bearer ***), retrying",
            ),
            (
                "curl -u x -H 'basic Zm9vOmJhcg=='",
                "curl -u x -H 'basic ***'",
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for (dirty, clean) in [
            ("X-Vault-Token: s.abc123\nnext", "X-Vault-Token: ***\nnext"),
            ("Private-Token: glpat-xyz", "Private-Token: ***"),
            ("Set-Cookie: session=abc; Path=/", "Set-Cookie: ***"),
            ("cookie: a=b", "cookie: ***"),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "Token: expired",
            "pod vault-app-5d9f: ready",
            "x-request-id: 42",
            "the request lacks a bearer token",
            "Basic authentication failed",
            "authorization failed: permission denied",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        for text in [
            "=",
            "\"",
            "\"token\"",
            "\"token\":",
            "\"token\": \"",
            "Bearer ",
            "authorization",
            "authorization:",
            "é=é",
            "tokén=x",
            "password=\"",
            "\\\"token\\\":\\\"",
        ] {
            let _ = mask(text);
        }
    }
}

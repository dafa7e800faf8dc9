//! Credentials carried as HTTP credentials in text: an `Authorization` header or parameter,
//! whatever its scheme (`Authorization: Basic …`, `authorization=token …`), a `Cookie`, a header
//! whose name looks like a credential (`X-Api-Key: …`, `Private-Token: …`) — the whole value up
//! to the end of the line, quoted parameters included (`Token token="…"`) — and a `Bearer` or `Basic` credential anywhere, when it holds a
//! character other than a letter (real tokens do; the words of a sentence such as "bearer
//! token" do not).

use super::names;
use super::reading::{unit, word_may_start, written_at};
use super::spans::{closing_quote, is_break, line_start_of, past_break, skip_spaces, value};

/// A credential header at `i`, `Name: value` (or `"Name": value`): `Authorization` and
/// `Proxy-Authorization` (also as `authorization=value`), `Cookie`, and any header-style name
/// (with a `-`) that looks like a credential (`X-Api-Key`, `Private-Token`, `X-Vault-Token`,
/// `Set-Cookie`). The whole value, scheme included, up to the end of the line, a quote or an
/// `&`.
pub fn header(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // `Secret/default/api-token: …` is a resource's path before its message.
    let in_path = i > 0 && bytes[i - 1] == b'/';
    if !bytes[i].is_ascii_alphabetic()
        || in_path
        || !word_may_start(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'-')
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
    // A header's colon follows its name at once (`"db-credentials" : secret …` is prose).
    if at >= bytes.len() {
        return None;
    }
    let separator = unit(bytes, at);
    if separator.ch != b':' && separator.ch != b'=' {
        return None;
    }
    let name = std::str::from_utf8(&bytes[i..i + len]).ok()?;
    let authorization = ["authorization", "proxy-authorization"]
        .iter()
        .any(|a| name.eq_ignore_ascii_case(a));
    // A header-style name with a space after its colon: `external-secrets:v0.9.11` is an
    // image's tag and `auth-service:8080` a port.
    let spaced = bytes
        .get(at + separator.len)
        .is_some_and(|b| *b == b' ' || *b == b'\t');
    let cookie = ["cookie", "set-cookie"]
        .iter()
        .any(|c| name.eq_ignore_ascii_case(c));
    // Go's `http.Header` printed with `%v`: `map[X-Api-Key:[…] Accept:[*/*]]`.
    let go_map = bytes.get(at + separator.len) == Some(&b'[');
    let header = separator.ch == b':'
        && (cookie || (name.contains('-') && names::credential(name) && (spaced || go_map)));
    if !(authorization || header) {
        return None;
    }
    if go_map && separator.ch == b':' {
        let start = at + separator.len + 1;
        let end = start + bytes[start..].iter().take(4096).position(|b| *b == b']')?;
        return (end > start).then_some((start, end));
    }
    at = skip_spaces(bytes, at + separator.len);
    if at < bytes.len() && matches!(unit(bytes, at).ch, b'"' | b'\'') {
        return value(bytes, at, false, 0);
    }
    let start = at;
    let end = value_end(bytes, start, separator.ch == b'=');
    if let Some(folded) = folded_end(bytes, i, start, end) {
        return Some((start, folded));
    }
    if end > start && reads_as_a_list(&bytes[start..end]) {
        // Prose after the value: a scheme and its token (`Bearer …`) are still the credential.
        let word_end = bytes[start..end]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(end, |n| start + n);
        return after_scheme(bytes, start, word_end).map(|stop| (start, stop));
    }
    (end > start).then_some((start, end))
}

/// Where a header's value starting at `at` ends: at the end of the line, a quote (the end of
/// a string quoting the header) or, for a query parameter, an `&`. A quoted parameter of the
/// value (`Token token="…", user="…"`, Digest's `response="…"`, OAuth's `oauth_signature="…"`)
/// is read through: its quotes open after an `=`.
fn value_end(bytes: &[u8], mut at: usize, parameter: bool) -> usize {
    while at < bytes.len() {
        let u = unit(bytes, at);
        let quote = matches!(u.ch, b'"' | b'\'');
        // A quoted parameter (`token="…"`) or credential (`Bearer "…"`) is read through.
        if quote && at > 0 && matches!(bytes[at - 1], b'=' | b' ') {
            let closing = closing_quote(bytes, at + u.len, u.ch, u.len);
            at = (closing + u.len).min(bytes.len());
            continue;
        }
        if matches!(u.ch, b'\n' | b'\r') || quote || (parameter && u.ch == b'&') {
            break;
        }
        at += u.len;
    }
    at
}

/// A header's value folded onto the next line (HTTP/1.1's obsolete line folding, and text
/// wrapped there): when the value on the header's line (`start..end`) is empty or a scheme
/// alone (`Authorization: Bearer`), and the next line is indented deeper than the header's
/// name at `name_at`, where the value ends on that line. One line only: a line indented as the
/// header is the next member of its map.
fn folded_end(bytes: &[u8], name_at: usize, start: usize, end: usize) -> Option<usize> {
    let first = bytes[start..end].trim_ascii();
    let cut = first.is_empty()
        || SCHEMES
            .iter()
            .any(|s| first.eq_ignore_ascii_case(s.as_bytes()));
    if !cut || !is_break(bytes, end) {
        return None;
    }
    let column = name_at - line_start_of(bytes, name_at);
    let next = past_break(bytes, end);
    let content = skip_spaces(bytes, next);
    if content - next <= column || content >= bytes.len() || is_break(bytes, content) {
        return None;
    }
    let folded = value_end(bytes, content, false);
    (folded > content).then_some(folded)
}

/// HTTP authentication schemes (RFC 7235 and the registry, and the ones APIs made up), in lower
/// case: a credential follows them.
const SCHEMES: [&str; 12] = [
    "bearer",
    "basic",
    "token",
    "digest",
    "negotiate",
    "ntlm",
    "oauth",
    "apikey",
    "ssws",
    "hoba",
    "mutual",
    "aws4-hmac-sha256",
];

/// For a value `start..end` that is an authentication scheme alone (`token = Bearer abc`: the
/// value read as one word), where the credential after it ends: the header's value
/// ([`value_end`]). None when the value is no scheme or nothing follows it.
pub fn after_scheme(bytes: &[u8], start: usize, end: usize) -> Option<usize> {
    let word = bytes.get(start..end)?;
    let scheme = SCHEMES
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s.as_bytes()));
    let credential = skip_spaces(bytes, end);
    let follows = credential > end
        && bytes
            .get(credential)
            .is_some_and(|b| !b.is_ascii_whitespace());
    (scheme && follows).then(|| value_end(bytes, credential, false))
}

/// Whether a line's value reads as a list of words (`p, proj:default:ci-token, applications,
/// sync, default/*, allow`, a project role's policy): three `, ` or more. A credential is one
/// token, or a scheme and a token.
pub fn reads_as_a_list(value: &[u8]) -> bool {
    value.windows(2).filter(|w| w == b", ").count() >= 3
}

/// nginx's `proxy_set_header NAME VALUE;` (and `add_header`): the value, when the header is a
/// credential's (`Authorization`, `Cookie`, or a name that looks like one).
pub fn nginx_header(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let directive = ["proxy_set_header ", "add_header ", "grpc_set_header "]
        .iter()
        .find(|d| written_at(bytes, i, d.as_bytes()))?;
    if !word_may_start(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let name_start = skip_spaces(bytes, i + directive.len());
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
        .count();
    let name = std::str::from_utf8(&bytes[name_start..name_start + name_len]).ok()?;
    let credential = ["authorization", "proxy-authorization", "cookie"]
        .iter()
        .any(|a| name.eq_ignore_ascii_case(a))
        || names::credential(name);
    if !credential {
        return None;
    }
    let start = skip_spaces(bytes, name_start + name_len);
    if bytes.get(start).is_some_and(|b| matches!(b, b'"' | b'\'')) {
        return value(bytes, start, false, 0);
    }
    let end = start
        + bytes[start..]
            .iter()
            .take_while(|b| **b != b';' && **b != b'\n')
            .count();
    (end > start).then_some((start, end))
}

/// Whether `token` is base64 of `user:password` (a `Basic` credential, whatever letters it is
/// made of).
fn is_basic_credential(token: &[u8]) -> bool {
    let digit = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut bits = 0u32;
    let mut held = 0;
    let mut decoded = Vec::new();
    for b in token.iter().take_while(|b| **b != b'=') {
        let Some(d) = digit(*b) else { return false };
        bits = (bits << 6) | u32::from(d);
        held += 6;
        if held >= 8 {
            held -= 8;
            decoded.push((bits >> held) as u8);
        }
    }
    decoded.len() >= 3
        && decoded.contains(&b':')
        && decoded.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
}

/// `Bearer <token>` or `Basic <token>` at `i`: the token, when it holds a character other than
/// a letter (RFC 7235 token68: letters, digits, `-._~+/`, then `=` padding).
pub fn scheme_credential(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
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
    let is_credential = token > 0
        && (!bytes[start..end].iter().all(u8::is_ascii_alphabetic)
            || (scheme == "basic" && is_basic_credential(&bytes[start..end])));
    is_credential.then_some((start, end))
}

/// Whether `word` (ASCII, lower case) stands at `i` as a whole word: no letter or digit just
/// before it or just after it.
fn word_at(bytes: &[u8], i: usize, word: &str) -> bool {
    let end = i + word.len();
    word_may_start(bytes, i, |b| b.is_ascii_alphanumeric())
        && bytes
            .get(i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
        && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[nginx_header, header, scheme_credential]).into_owned()
    }

    /// The twelfth review: a scheme after a spaced `=`, and quoted parameters of a header.
    #[test]
    fn a_scheme_and_quoted_parameters_take_the_credential_with_them() {
        for (dirty, clean) in [
            ("Authorization = Bearer T-1", "Authorization = ***"),
            (
                "proxy_authorization = Basic dTpw",
                "proxy_authorization = ***",
            ),
            ("token = Token T-2 # comment", "token = ***"),
            ("Authorization: Bearer \"T-6\"", "Authorization: ***"),
            ("Authorization => Bearer T-7", "Authorization => ***"),
            (
                "Authorization: Token token=\"T-3\", user=\"deploy\"",
                "Authorization: ***",
            ),
            (
                "authorization: Digest username=\"u\", response=\"T-4\"",
                "authorization: ***",
            ),
            (
                "{\"h\": \"Authorization: Bearer T-5\", \"user\": \"bob\"}",
                "{\"h\": \"Authorization: ***\", \"user\": \"bob\"}",
            ),
        ] {
            assert_eq!(super::super::without_credentials(dirty), clean, "{dirty}");
        }
        for kept in ["mode = token based", "scheme = bearer"] {
            assert_eq!(super::super::without_credentials(kept), kept, "{kept}");
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
            (
                r"Authorization\u003a Bearer eyJ.x.y",
                r"Authorization\u003a ***",
            ),
            ("X-Vault-Token: s.abc123\nnext", "X-Vault-Token: ***\nnext"),
            ("Private-Token: glpat-xyz", "Private-Token: ***"),
            ("Set-Cookie: session=abc; Path=/", "Set-Cookie: ***"),
            ("cookie: a=b", "cookie: ***"),
            (
                r#"proxy_set_header Authorization "Basic dXNlcjpwYXNz";"#,
                r#"proxy_set_header Authorization "***";"#,
            ),
            (
                "proxy_set_header X-Api-Key K-1;",
                "proxy_set_header X-Api-Key ***;",
            ),
            ("sent Basic dXNlcjpwYXNz", "sent Basic ***"),
            ("set-cookie:sid=S-1; Path=/", "set-cookie:***"),
            (
                "map[Authorization:[Basic dXNlcjpwYXNz] User-Agent:[Go]]",
                "map[Authorization:[***] User-Agent:[Go]]",
            ),
            (
                "map[Accept:[*/*] X-Api-Key:[K-2]]",
                "map[Accept:[*/*] X-Api-Key:[***]]",
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(masked(dirty), clean, "{dirty}");
        }
        for text in [
            "ghcr.io/external-secrets/external-secrets:v0.9.11",
            "auth-service:8080",
            "pod vault-app-5d9f: ready",
            "x-request-id: 42",
            "the request lacks a bearer token",
            "Basic authentication failed",
            "authorization failed: permission denied",
            "Secret/default/api-token: the server could not find the requested resource",
            "ci-token: p, proj:default:ci-token, applications, sync, default/*, allow",
            "map[Content-Type:[application/json] X-Request-Id:[42]]",
        ] {
            assert_eq!(masked(text), text, "{text}");
        }
    }

    /// The twenty-third review (L3): a header folded onto the next line after its scheme, or
    /// with its whole value there; a next line indented as the header is another member.
    #[test]
    fn a_header_folded_onto_the_next_line_loses_its_credential() {
        for (dirty, clean) in [
            // Each line of the value is masked on its own line.
            (
                "Authorization: Bearer\n  R23f1",
                "Authorization: ***\n  ***",
            ),
            (
                "Authorization: Basic\r\n\tR23f2 more\nnext",
                "Authorization: ***\r\n\t***\nnext",
            ),
            (
                "Authorization:\n  Bearer R23f3\nok",
                "Authorization:\n  ***\nok",
            ),
            (
                "  X-Api-Key: Bearer\n    R23f4",
                "  X-Api-Key: ***\n    ***",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty:?}");
        }
        // The next member of a map stays (the scheme alone was hidden before folding was read).
        let map = "headers:\n  Authorization: Bearer\n  Accept: json";
        assert_eq!(
            masked(map),
            "headers:\n  Authorization: ***\n  Accept: json"
        );
        // A next line not indented deeper, or blank, is not the value's.
        for (text, line) in [
            ("Authorization: Bearer\nnext line", "\nnext line"),
            ("Authorization:\n\nBearer", "\n\nBearer"),
            ("Authorization: Bearer\n   \n", "\n   \n"),
        ] {
            assert!(masked(text).ends_with(line), "{text:?}");
        }
    }
}

//! A URL's userinfo, `user:password@` after `://` (or a protocol-relative `//`), removed
//! wherever the URL stands: alone, in a message, escaped as JSON (`https:\/\/u:p\u0026w@host`)
//! or percent-encoded inside another URL (`?next=https%3A%2F%2Fu%3Ap%40host`); and the
//! `user:password@` of an address without a scheme (`deploy:pw@git.example.com:org/repo`).
//!
//! The userinfo ends at the last `@` of the authority (RFC 3986: the authority ends at `/`, `?`
//! or `#`). People write passwords with those characters unencoded (`https://u:pa/ss@host`), so
//! when the authority reads `user:secret` (a colon followed by anything but a port number), the
//! userinfo reaches to the last `@` before the URL ends in the text (whitespace or a quote).

use std::borrow::Cow;

use super::reading::{Level, delimits, ends_value, escaped_before, unit};

/// Removes the userinfo of every URL in `text`.
pub fn strip(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    // Fast path: no `@` as such or escaped (`%40`, `\u0040`, `&#64;`) means no userinfo.
    if !bytes.contains(&b'@') && !text.contains("40") && !text.contains("64") {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    let budget = super::reading::Budget::for_text(bytes.len());
    while i < bytes.len() {
        if budget.spent() {
            // The rest of a text too costly to read is hidden ([`super::reading::Budget`]).
            let mut start = i.max(copied);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            out.push_str(&text[copied..start.max(copied)]);
            out.push_str(crate::tools::masking::MASK);
            copied = bytes.len();
            break;
        }
        let authority =
            after_scheme_separator(bytes, i).or_else(|| after_protocol_relative(bytes, i));
        if let Some((start, level)) = authority {
            match userinfo_end(bytes, start, level) {
                Some(end) => {
                    out.push_str(&text[copied..start]);
                    copied = end;
                    i = end;
                }
                None => i = start,
            }
        } else if let Some(end) = scp_like_userinfo_end(bytes, i) {
            out.push_str(&text[copied..i]);
            copied = end;
            i = end;
        } else {
            i += unit(bytes, i).len;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Where the authority starts when `://` (as written or escaped) starts at `i`, and whether it
/// was percent-encoded (the URL is then a value inside another URL).
fn after_scheme_separator(bytes: &[u8], i: usize) -> Option<(usize, Level)> {
    let mut at = i;
    for expected in [b':', b'/', b'/'] {
        if at >= bytes.len() {
            return None;
        }
        let u = unit(bytes, at);
        if u.ch != expected {
            return None;
        }
        at += u.len;
    }
    let level = if bytes[i] == b'%' {
        unit(bytes, i).len
    } else {
        0
    };
    Some((at, level))
}

/// Whether a word may start at `i`: at the start of the text or after a space, a quote or
/// punctuation that separates words (not after a `:`, which makes `//` part of a scheme's
/// `://`, nor after a letter, digit or `/`, which make it part of a path).
fn starts_word(bytes: &[u8], i: usize) -> bool {
    let separates = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(
                b,
                b'"' | b'\'' | b'`' | b'(' | b'[' | b'{' | b'=' | b',' | b'<' | b'>'
            )
    };
    // An escape for a space or a line break (`\napp:pw@db`) separates as the character would.
    i.checked_sub(1).is_none_or(|p| separates(bytes[p]))
        || escaped_before(bytes, i).is_some_and(|c| c.is_ascii_whitespace())
}

/// Where the authority starts when a protocol-relative `//` (as written or escaped) starts a
/// word at `i`: `//deploy:pw@git.example.com/org/repo`.
fn after_protocol_relative(bytes: &[u8], i: usize) -> Option<(usize, Level)> {
    if !starts_word(bytes, i) {
        return None;
    }
    let first = unit(bytes, i);
    if first.ch != b'/' || i + first.len >= bytes.len() {
        return None;
    }
    let second = unit(bytes, i + first.len);
    (second.ch == b'/').then_some((i + first.len + second.len, 0))
}

/// Where the userinfo ends (just after its `@`) when an address without a scheme starts a word
/// at `i` with `user:password@host`: scp-like git (`deploy:pw@git.example.com:org/repo.git`)
/// and connection targets (`app:pw@db:5432`). Kept: `git@host:org/repo` (no password), a
/// port-like `host:8080@…`, a scheme's `https://…`, an image's digest (`nginx:1.25@sha256:…`)
/// and `mailto:`.
fn scp_like_userinfo_end(bytes: &[u8], i: usize) -> Option<usize> {
    if !starts_word(bytes, i) || !bytes[i].is_ascii_alphanumeric() {
        return None;
    }
    let user_len = bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~' | b'+'))
        .count();
    let colon = i + user_len;
    if bytes.get(colon) != Some(&b':') || bytes[i..colon].eq_ignore_ascii_case(b"mailto") {
        return None;
    }
    let secret_start = colon + 1;
    if bytes
        .get(secret_start)
        .is_none_or(|b| *b == b'/' || *b == b'\\')
    {
        return None;
    }
    // The password reaches to the last `@` of the word, as a userinfo's does.
    let mut at = secret_start;
    let mut last_at = None;
    while at < bytes.len() {
        let u = unit(bytes, at);
        if ends_value(bytes, at, u, 0) {
            break;
        }
        // The last `@` followed by a host (a name, or an IPv6 address in brackets).
        let host_follows = bytes
            .get(at + u.len)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'[');
        if u.ch == b'@' && host_follows {
            last_at = Some((at, at + u.len));
        }
        at += u.len;
    }
    let (at_sign, host) = last_at?;
    let secret = &bytes[secret_start..at_sign];
    if secret.is_empty() || secret.iter().all(u8::is_ascii_digit) || is_digest(&bytes[host..]) {
        return None;
    }
    Some(host)
}

/// Whether `rest` starts with an image digest's algorithm: `sha256:`, `sha512:`.
fn is_digest(rest: &[u8]) -> bool {
    let Some(tail) = rest
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case(b"sha"))
        .map(|_| &rest[3..])
    else {
        return false;
    };
    let digits = tail.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && tail.get(digits) == Some(&b':')
}

/// Where the userinfo of the authority starting at `start` ends (just after its `@`), if it has
/// one. A percent-encoded URL also ends at an `&` as such (the next parameter of the URL
/// around it).
fn userinfo_end(bytes: &[u8], start: usize, level: Level) -> Option<usize> {
    let mut i = start;
    // The authority as RFC 3986 reads it: up to `/`, `?` or `#`.
    let mut in_authority = true;
    let mut last_at_in_authority = None;
    let mut last_at_in_url = None;
    // A colon in the authority before any `@`, and whether only digits (a port) follow it.
    let mut colon = false;
    let mut port_like = true;
    while i < bytes.len() {
        let u = unit(bytes, i);
        if ends_value(bytes, i, u, level) || (level > 0 && !u.escaped && u.ch == b'&') {
            break;
        }
        // A percent-encoded character is data, never a delimiter (`p%40ss` is a password
        // holding `@`), except at the level a URL encoded inside another is written at.
        let ch = if delimits(bytes, i, u, level) {
            u.ch
        } else {
            b'x'
        };
        if in_authority {
            match ch {
                b'/' | b'?' | b'#' => in_authority = false,
                b'@' => last_at_in_authority = Some(i + u.len),
                b':' if last_at_in_authority.is_none() && !colon => colon = true,
                c if colon && last_at_in_authority.is_none() && !c.is_ascii_digit() => {
                    port_like = false;
                }
                _ => {}
            }
        }
        if ch == b'@' {
            last_at_in_url = Some(i + u.len);
        }
        i += u.len;
    }
    let looks_like_user_secret = colon && !port_like;
    // An `@` in the authority ends the userinfo there (`https://u:p@host/@org/pkg` keeps its
    // host); without one, a password with an unencoded `/` reaches to the URL's last `@`.
    if looks_like_user_secret {
        last_at_in_authority.or(last_at_in_url)
    } else {
        last_at_in_authority
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_removed_wherever_a_url_stands() {
        let cases = [
            (
                "https://deploybot:ghp_T0KEN@git.example.com/org/repo.git",
                "https://git.example.com/org/repo.git",
            ),
            (
                "clone https://deploy:P-1&#64;git.example.com/a.git",
                "clone https://git.example.com/a.git",
            ),
            (
                "dial deploy+ci:P-2@db.example.com:5432",
                "dial db.example.com:5432",
            ),
            // A token as the user name alone, as GitHub accepts it.
            (
                "https://ghp_T0KEN@github.com/org/repo",
                "https://github.com/org/repo",
            ),
            ("https://u:p@host", "https://host"),
            ("https://u:p@host:8443?x=1", "https://host:8443?x=1"),
            // An unencoded `@` in the password: the last one ends the userinfo.
            ("https://u:p@ss@host/x", "https://host/x"),
            (
                "oci://robot:pw@registry.example.com/charts",
                "oci://registry.example.com/charts",
            ),
            (
                "ssh://git:pw@git.example.com:22/org/repo.git",
                "ssh://git.example.com:22/org/repo.git",
            ),
            // Quoted inside messages, as Argo CD and git write them.
            (
                "rpc error: failed to fetch 'https://u:T0KEN@git.example.com/a.git': authentication required",
                "rpc error: failed to fetch 'https://git.example.com/a.git': authentication required",
            ),
            (
                "Failed to load target state: repository \"https://u:T0KEN@git.example.com/a\" not accessible; retry https://v:S3CRET@h.example.com later",
                "Failed to load target state: repository \"https://git.example.com/a\" not accessible; retry https://h.example.com later",
            ),
            // Nothing to remove.
            ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
            ("https://git.example.com/a@b", "https://git.example.com/a@b"),
            (
                "https://git.example.com:8443/users/me@example.com",
                "https://git.example.com:8443/users/me@example.com",
            ),
            (
                "mail dev@example.com about https://x.example.com/",
                "mail dev@example.com about https://x.example.com/",
            ),
            ("", ""),
            ("://@", "://"),
            ("ends with https://", "ends with https://"),
        ];
        for (dirty, clean) in cases {
            assert_eq!(strip(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn addresses_without_a_scheme_lose_their_password() {
        let cases = [
            (
                "fetch //deploy:T0KEN@git.example.com/org/repo.git failed",
                "fetch //git.example.com/org/repo.git failed",
            ),
            ("'//t0ken@h.example.com/x'", "'//h.example.com/x'"),
            (
                "git clone deploy:T0KEN@git.example.com:org/repo.git",
                "git clone git.example.com:org/repo.git",
            ),
            ("dsn app:p@ss@db:5432/app", "dsn db:5432/app"),
            ("(u:pw@h)", "(h)"),
            ("{app:pw@db}", "{db}"),
        ];
        for (dirty, clean) in cases {
            assert_eq!(strip(dirty), clean, "{dirty}");
        }
        for text in [
            "git@github.com:org/repo.git",
            "nginx:1.25@sha256:0123abcd",
            "registry.example.com:5000/app:1.0@sha256:0123",
            "localhost:8080@x",
            "mailto:ops@example.com",
            "a//u:p@h",
            "path/u:p@h",
            "see u: p@h",
            "12:30@",
            "u:p@",
            "u:p@-x",
        ] {
            assert_eq!(strip(text), text, "{text}");
        }
    }

    #[test]
    fn json_escapes_do_not_hide_a_userinfo() {
        let cases = [
            // A log line that is JSON: slashes escaped.
            (
                r#"{"msg":"clone https:\/\/deploybot:T0KEN@git.example.com\/a.git failed"}"#,
                r#"{"msg":"clone https:\/\/git.example.com\/a.git failed"}"#,
            ),
            // `&` escaped inside the password, as Go's encoder writes it.
            (
                r#"{"dsn":"postgres://app:p\u0026ss@db:5432/app"}"#,
                r#"{"dsn":"postgres://db:5432/app"}"#,
            ),
            // The `@` itself escaped.
            (r"https://u:p\u0040ss\u0040host/x", r"https://host/x"),
            // JSON inside JSON.
            (
                r#"{\"url\":\"https:\\\/\\\/u:T0KEN@host\\\/x\"}"#,
                r#"{\"url\":\"https:\\\/\\\/host\\\/x\"}"#,
            ),
            // An escaped quote still ends the URL.
            (
                r#"\"https://host/a\" and \"me@example.com\""#,
                r#"\"https://host/a\" and \"me@example.com\""#,
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(strip(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn a_password_with_slash_hash_or_question_mark_is_still_a_password() {
        let cases = [
            ("https://u:pa/ss@host/x", "https://host/x"),
            ("https://u:pa#ss@host", "https://host"),
            ("https://u:pa?ss@host/x", "https://host/x"),
            ("https://u:p/a@s/s@host", "https://host"),
            (
                "clone 'https://u:pa/ss@host/r.git' failed",
                "clone 'https://host/r.git' failed",
            ),
        ];
        for (dirty, clean) in cases {
            assert_eq!(strip(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn percent_encoded_urls_inside_urls_lose_their_userinfo() {
        let cases = [
            (
                "https://sso.example.com/login?next=https%3A%2F%2Fu%3Apass%40git.example.com%2Fa&x=1",
                "https://sso.example.com/login?next=https%3A%2F%2Fgit.example.com%2Fa&x=1",
            ),
            // The encoded URL ends at the next parameter of the one around it.
            (
                "https://sso.example.com/?next=https%3A%2F%2Fu%3Ap%2Fw%40h.example.com&mail=me@example.com",
                "https://sso.example.com/?next=https%3A%2F%2Fh.example.com&mail=me@example.com",
            ),
            (
                "https://a.example.com/?u=https%253A%252F%252Fu%253Apass%2540h.example.com",
                "https://a.example.com/?u=https%253A%252F%252Fh.example.com",
            ),
            // The password itself percent-encoded, as RFC 3986 asks, whatever it encodes.
            ("https://u:p%40ss%2Fw@host/x", "https://host/x"),
            ("https://u:a%20b@host/x", "https://host/x"),
            ("'https://u:a%22b%27c%3Cd%0Ae@host/x'", "'https://host/x'"),
            // Unencoded angle brackets in a password; a JSON-escaped one as Go writes it.
            ("https://u:a<b>c@host/x", "https://host/x"),
            (r"https://u:a\u003cb@host/x", "https://host/x"),
        ];
        for (dirty, clean) in cases {
            assert_eq!(strip(dirty), clean, "{dirty}");
        }
    }

    #[test]
    fn any_text_is_read_without_panicking() {
        for text in [
            "://",
            ":\\/",
            "%3A%2F%2F",
            "é://é@é",
            "\\u",
            "https://u:p@",
            "https://@",
            "%",
            "https://\u{2028}u:p@h",
        ] {
            let _ = strip(text);
        }
    }
}

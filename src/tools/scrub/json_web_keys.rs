//! A JSON Web Key's private members written as text (a `jwks.json` in a ConfigMap, a key
//! printed in a log, a key in a TOML, HCL, JavaScript or Python file): `d`, `p`, `q`, `dp`,
//! `dq`, `qi`, `oth` and a symmetric key's `k` ([`JWK_PRIVATE_MEMBERS`]). Their names are one
//! or two letters, so they are read only in a text that names a key type (`kty`,
//! [`names_a_key_type`]), and only where a member's name stands (after a line's indentation, a
//! `{`, a `,` or a `(`), followed by what parts a member from its value: `:`, `=` or `=>`.
//! (Objects are masked by key in [`crate::tools::masking`].)

use super::members::{block_scalar, next_line_value, skip_gap};
use super::reading::unit;
use super::spans::{closing_bracket, is_break, skip_spaces, value};
use crate::tools::masking::JWK_PRIVATE_MEMBERS;

/// Whether `text` names a key type: judged once for a whole text.
pub fn names_a_key_type(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"kty")
}

/// A private member's name at `i`, quoted (as written or escaped inside a JSON string) or bare,
/// then its separator: its value (a string's inside, a block scalar's lines, or RSA's `oth`
/// list whole).
pub fn private_member(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i].is_ascii_lowercase() {
        return bare_private_member(bytes, i);
    }
    if !matches!(bytes[i], b'"' | b'\'' | b'\\') {
        return None;
    }
    let open = unit(bytes, i);
    if !matches!(open.ch, b'"' | b'\'') {
        return None;
    }
    let name_end = private_name_end(bytes, i + open.len)?;
    let close = unit(bytes, name_end);
    if close.ch != open.ch || close.len != open.len {
        return None;
    }
    let (separator, after) = separator_at(bytes, skip_spaces(bytes, name_end + close.len))?;
    // A quoted name before its separator is a member whatever follows (`{"d":123}`).
    member_value(bytes, i, separator, after, true)
}

/// A private member with a bare name at `i`: YAML's `k: …` below `- kty: oct` (a tab after the
/// colon too), a flow mapping's or a JavaScript object's `{kty: EC, d: …}` and `{k:"…"}`,
/// TOML's and HCL's `k = "…"`, Python's `dict(kty='oct', k='…')`, `kty=oct k=…`.
fn bare_private_member(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // After indentation, a line break or a tab (as written or escaped), a `{`, `,` or `(` that
    // opens or goes on with a collection or a call's arguments, or a `;` between statements.
    let escaped_blank =
        i >= 2 && matches!(bytes[i - 1], b'n' | b'r' | b't') && bytes[i - 2] == b'\\';
    let opens = escaped_blank
        || i.checked_sub(1).is_none_or(|p| {
            matches!(
                bytes[p],
                b' ' | b'\t' | b'\n' | b'\r' | b'{' | b',' | b'(' | b';'
            )
        });
    if !opens {
        return None;
    }
    let name_end = private_name_end(bytes, i)?;
    let (separator, after) = separator_at(bytes, skip_spaces(bytes, name_end))?;
    // `=>` parts a quoted name from its value (PHP's `'k' => '…'`); after a bare name it is
    // more often a JavaScript arrow function (`k => k.id`).
    if separator == Separator::Arrow {
        return None;
    }
    member_value(bytes, i, separator, after, in_flow(bytes, i))
}

/// Where a private member's name that starts at `start` ends, when one does (the name ends
/// there: the next byte is no lower-case letter).
fn private_name_end(bytes: &[u8], start: usize) -> Option<usize> {
    let name_len = bytes
        .get(start..)?
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    let name = &bytes[start..start + name_len];
    let end = start + name_len;
    let named = JWK_PRIVATE_MEMBERS.iter().any(|m| m.as_bytes() == name);
    (named && end < bytes.len()).then_some(end)
}

/// Whether the name at `i` is a member of a flow collection or a call's argument: the
/// nearest byte before it other than a space or a tab (looked for within a bound) is a `{`, a
/// `,` or a `(`.
fn in_flow(bytes: &[u8], i: usize) -> bool {
    const SPACES_MOST: usize = 64;
    bytes[i.saturating_sub(SPACES_MOST)..i]
        .iter()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t'))
        .is_some_and(|b| matches!(b, b'{' | b',' | b'('))
}

/// What parts a member's name from its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// `:` (JSON, YAML, JavaScript).
    Colon,
    /// `=` (TOML, HCL, Python's keyword arguments, `name=value` pairs).
    Equals,
    /// `=>` (PHP, Perl, Ruby).
    Arrow,
}

/// The separator at `at`, and where what follows it starts. Not a comparison (`==`) nor Go's
/// `:=`.
fn separator_at(bytes: &[u8], at: usize) -> Option<(Separator, usize)> {
    let rest = bytes.get(at..)?;
    match rest {
        [b'=', b'>', ..] => Some((Separator::Arrow, at + 2)),
        [b'=', b'=', ..] | [b':', b'=', ..] => None,
        [b'=', ..] => Some((Separator::Equals, at + 1)),
        [b':', ..] => Some((Separator::Colon, at + 1)),
        _ => None,
    }
}

/// The value of the private member whose name starts at `name_at`, after its `separator`
/// (ending at `after`). `unspaced_plain` says whether a plain value right after a `:` is one
/// (a quoted name's, or a flow's `{kty:oct,k:KEY}`): YAML parts a member from its value by a
/// blank, and `d:word` in prose is one word.
fn member_value(
    bytes: &[u8],
    name_at: usize,
    separator: Separator,
    after: usize,
    unspaced_plain: bool,
) -> Option<(usize, usize)> {
    let at = skip_gap(bytes, after);
    if at >= bytes.len() {
        return None;
    }
    if bytes[at] == b'[' {
        return Some((at + 1, closing_bracket(bytes, at, (b'[', b']'))));
    }
    let first = unit(bytes, at);
    let quoted = matches!(first.ch, b'"' | b'\'' | b'`');
    let spaced = at > after;
    match separator {
        Separator::Colon if is_break(bytes, at) => return next_line_value(bytes, name_at, at),
        Separator::Colon if matches!(first.ch, b'|' | b'>') => {
            if let Some(block) = block_scalar(bytes, name_at, at + first.len) {
                return Some(block);
            }
        }
        Separator::Colon if !(spaced || quoted || unspaced_plain) => return None,
        // `d = decode(x)`, spaced and unquoted, is code naming a variable; `k=KEY` is a pair.
        Separator::Equals | Separator::Arrow if spaced && !quoted => return None,
        _ => {}
    }
    let (start, end) = value(bytes, at, false, 0)?;
    if quoted {
        return Some((start, end));
    }
    // A plain value in a flow ends at the `,` or closing bracket after it.
    let plain = &bytes[start..end];
    let end = if in_flow(bytes, name_at) {
        start
            + plain
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b')'))
                .unwrap_or(plain.len())
    } else {
        start + plain.strip_suffix(b",").unwrap_or(plain).len()
    };
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        super::super::spans::mask_all(text, &[private_member]).into_owned()
    }

    /// Review31 S2: an EC, RSA, OKP or `oct` key's private members, as JSON text and escaped
    /// inside a JSON string.
    #[test]
    fn a_json_web_keys_private_members_are_hidden() {
        for (dirty, clean) in [
            (
                r#"{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE","d":"PrivScalar"}"#,
                r#"{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE","d":"***"}"#,
            ),
            (
                r#"{"kty":"RSA","n":"0vx7","e":"AQAB","d":"D1","p":"P1","q":"Q1","dp":"X1","dq":"X2","qi":"X3"}"#,
                r#"{"kty":"RSA","n":"0vx7","e":"AQAB","d":"***","p":"***","q":"***","dp":"***","dq":"***","qi":"***"}"#,
            ),
            (
                r#"{"k": "SymKey", "kty": "oct"}"#,
                r#"{"k": "***", "kty": "oct"}"#,
            ),
            (
                r#"{"jwks.json":"{\"kty\":\"oct\",\"k\":\"SymKey\"}"}"#,
                r#"{"jwks.json":"{\"kty\":\"oct\",\"k\":\"***\"}"}"#,
            ),
            (
                "keys:\n- kty: oct\n  k: SymKey\n- {kty: EC, d: Ec1, x: f8}",
                "keys:\n- kty: oct\n  k: ***\n- {kty: EC, d: ***, x: f8}",
            ),
            (
                r#"{"jwks.yaml":"- kty: oct\nk: SymKey\n"}"#,
                r#"{"jwks.yaml":"- kty: oct\nk: ***\n"}"#,
            ),
            (
                r#"{"kty":"RSA","oth":[{"r":"R1","d":"D2","t":"T1"}]}"#,
                r#"{"kty":"RSA","oth":[***]}"#,
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
            assert_eq!(super::super::without_credentials(dirty), clean, "{dirty}");
        }
        // The public members stay, and so does a `d` in a text that names no key type.
        for kept in [
            r#"{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE"}"#,
            r#"{"kty":"RSA","n":"0vx7","e":"AQAB","kid":"k1","use":"sig"}"#,
        ] {
            assert_eq!(masked(kept), kept);
        }
        let elsewhere = r#"{"d":"2024-01-01","k":"v"}"#;
        assert_eq!(super::super::without_credentials(elsewhere), elsewhere);
    }

    /// Review32 S6: where `kty` is named, the private members in other syntaxes: TOML, HCL,
    /// JavaScript, Python, PHP, YAML with a tab after the colon, a YAML block scalar or a
    /// value on the line below, as written and escaped inside a JSON string.
    #[test]
    fn private_members_in_other_syntaxes_are_hidden() {
        for (dirty, clean) in [
            (
                "[[keys]]\nkty = \"oct\"\nk = \"SymKey\"\nalg = \"HS256\"\n",
                "[[keys]]\nkty = \"oct\"\nk = \"***\"\nalg = \"HS256\"\n",
            ),
            (
                "jwk = {\n  kty = \"EC\"\n  d   = 'EcD'\n  x = \"f83O\"\n}\n",
                "jwk = {\n  kty = \"EC\"\n  d   = '***'\n  x = \"f83O\"\n}\n",
            ),
            (
                "module.exports = {kty:\"oct\",k:\"SymKey\",alg:\"HS256\"}",
                "module.exports = {kty:\"oct\",k:\"***\",alg:\"HS256\"}",
            ),
            ("{kty:oct,k:SymKey,use:sig}", "{kty:oct,k:***,use:sig}"),
            (
                "JWK = dict(kty='oct', k='SymKey', kid='k1')",
                "JWK = dict(kty='oct', k='***', kid='k1')",
            ),
            ("kty=oct k=SymKey use=sig", "kty=oct k=*** use=sig"),
            (
                "$jwk = ['kty' => 'RSA', 'd' => 'RsaD', 'e' => 'AQAB'];",
                "$jwk = ['kty' => 'RSA', 'd' => '***', 'e' => 'AQAB'];",
            ),
            (
                "keys:\n- kty: oct\n  k:\tSymKey\n  alg: HS256\n",
                "keys:\n- kty: oct\n  k:\t***\n  alg: HS256\n",
            ),
            (
                "keys:\n- kty: RSA\n  n: abc\n  d: >-\n    RsaD1\n    RsaD2\n  e: AQAB\n",
                "keys:\n- kty: RSA\n  n: abc\n  d: >-\n    ***\n    ***\n  e: AQAB\n",
            ),
            (
                "keys:\n- kty: EC\n  d: |2+\n    EcD\n  x: f83O\n",
                "keys:\n- kty: EC\n  d: |2+\n    ***\n  x: f83O\n",
            ),
            (
                "keys:\n- kty: EC\n  d:\n    EcD\n  x: f83O\n",
                "keys:\n- kty: EC\n  d:\n    ***\n  x: f83O\n",
            ),
            (
                r#"{"jwks.yaml":"keys:\n- kty: RSA\n  d: >-\n    RsaD\n  p:\tRsaP\n  e: AQAB\n"}"#,
                r#"{"jwks.yaml":"keys:\n- kty: RSA\n  d: >-\n    ***\n  p:\t***\n  e: AQAB\n"}"#,
            ),
            (
                "oth = [{r = \"R1\", d = \"D2\"}]\nkty = \"RSA\"",
                "oth = [***]\nkty = \"RSA\"",
            ),
        ] {
            assert_eq!(masked(dirty), clean, "{dirty}");
            assert_eq!(super::super::without_credentials(dirty), clean, "{dirty}");
        }
        // Code and prose beside a key keep their words: a variable assigned or compared, an
        // arrow function, a word holding a colon, a name that only starts like a member's.
        for kept in [
            "if jwk.kty == \"oct\" {\n  for k = 0; k < n; k++ {}\n  d = decode(x)\n}",
            "const kty = jwk.kty; if (d == \"x\") keys.map(k => k.kid)",
            "kty: oct\nnote: see d:word and p:8080\n",
            "kty: oct\ndays: 3\nkid: k1\nqix: 1\nx.d = \"v\"\n",
            "kty: oct\nd := \"v\"\n",
        ] {
            assert_eq!(super::super::without_credentials(kept), kept, "{kept}");
        }
        // A name in every shape, many times over, is read in linear time (each found once).
        let hostile = "kty {k:\td: |\n,k=".repeat(20_000);
        let _ = super::super::without_credentials(&hostile);
    }
}

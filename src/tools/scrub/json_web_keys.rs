//! A JSON Web Key's private members written as JSON text (a `jwks.json` in a ConfigMap, a key
//! printed in a log): `"d"`, `"p"`, `"q"`, `"dp"`, `"dq"`, `"qi"`, `"oth"` and a symmetric
//! key's `"k"` ([`JWK_PRIVATE_MEMBERS`]). Their names are one or two letters, so they are read
//! only in a text that names a key type (`kty`, [`names_a_key_type`]), where such a name is a
//! key's member. (Objects are masked by key in [`crate::tools::masking`].)

use super::reading::unit;
use super::spans::{closing_bracket, skip_spaces, value};
use crate::tools::masking::JWK_PRIVATE_MEMBERS;

/// Whether `text` names a key type: judged once for a whole text.
pub fn names_a_key_type(text: &[u8]) -> bool {
    text.windows(3).any(|w| w == b"kty")
}

/// A private member's name quoted at `i` (as written or escaped inside a JSON string), then a
/// colon: its value (a string's inside, or RSA's `oth` list whole).
pub fn private_member(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    if bytes[i].is_ascii_lowercase() {
        return yaml_private_member(bytes, i);
    }
    if !matches!(bytes[i], b'"' | b'\'' | b'\\') {
        return None;
    }
    let open = unit(bytes, i);
    if !matches!(open.ch, b'"' | b'\'') {
        return None;
    }
    let name_start = i + open.len;
    let name_len = bytes[name_start..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    let name = &bytes[name_start..name_start + name_len];
    let close_at = name_start + name_len;
    if close_at >= bytes.len() || !JWK_PRIVATE_MEMBERS.iter().any(|m| m.as_bytes() == name) {
        return None;
    }
    let close = unit(bytes, close_at);
    if close.ch != open.ch || close.len != open.len {
        return None;
    }
    let colon = skip_spaces(bytes, close_at + close.len);
    if bytes.get(colon) != Some(&b':') {
        return None;
    }
    let start = skip_spaces(bytes, colon + 1);
    if bytes.get(start) == Some(&b'[') {
        return Some((start + 1, closing_bracket(bytes, start, (b'[', b']'))));
    }
    value(bytes, start, false, 0)
}

/// A private member written as YAML (`k: …` below `- kty: oct`, also in a flow mapping
/// `{kty: oct, k: …}`) at `i`: its value.
fn yaml_private_member(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    // After indentation, a line break (as written or escaped) or a flow mapping's `{` or `,`.
    let escaped_break = i >= 2 && matches!(bytes[i - 1], b'n' | b'r') && bytes[i - 2] == b'\\';
    let opens = escaped_break
        || i.checked_sub(1)
            .is_none_or(|p| matches!(bytes[p], b' ' | b'\t' | b'\n' | b'\r' | b'{' | b','));
    if !opens {
        return None;
    }
    let name_len = bytes[i..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    let name = &bytes[i..i + name_len];
    let colon = i + name_len;
    let named = JWK_PRIVATE_MEMBERS.iter().any(|m| m.as_bytes() == name);
    if !named || bytes.get(colon) != Some(&b':') || bytes.get(colon + 1) != Some(&b' ') {
        return None;
    }
    let (start, end) = value(bytes, skip_spaces(bytes, colon + 1), false, 0)?;
    // In a flow mapping the `,` after a plain value ends it.
    let end = match bytes[start..end].strip_suffix(b",") {
        Some(inner) => start + inner.len(),
        None => end,
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
}

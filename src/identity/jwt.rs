//! Verifying an identity provider's JSON Web Token (RFC 7519, compact JWS): the signature against
//! the provider's published keys (RS256, ES256; anything else, `none` included, is refused), then
//! the claims that make it a token for this server, now.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longer tokens are refused before anything is decoded (real ones are a few KiB at most).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock difference tolerated between the provider and this host, for `exp` and `nbf`.
pub const CLOCK_SKEW_S: i64 = 60;
/// RSA keys shorter than this are refused (RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;

/// One published key (RFC 7517). Only the members this server uses; others are ignored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

impl Jwk {
    /// The key's RFC 7638 thumbprint: SHA-256 over its required members in their canonical
    /// JSON, base64url. It names the key itself, whatever `kid` it is published under, so a
    /// verdict can say exactly which key verified a token.
    pub fn thumbprint(&self) -> Option<String> {
        use sha2::{Digest, Sha256};
        let member = |value: &Option<String>| {
            value
                .as_deref()
                .map(|v| Value::String(v.to_owned()).to_string())
        };
        let canonical = match self.kty.as_str() {
            "RSA" => format!(
                r#"{{"e":{},"kty":"RSA","n":{}}}"#,
                member(&self.e)?,
                member(&self.n)?
            ),
            "EC" => format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                member(&self.crv)?,
                member(&self.x)?,
                member(&self.y)?
            ),
            _ => return None,
        };
        Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
    }
}

/// A provider's key set (`jwks_uri`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeySet {
    pub keys: Vec<Jwk>,
}

/// Why a token is not accepted. The text goes to the client in `error_description`: it names
/// the rule that failed, never the token or its claims' values beyond what the client sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    Malformed(&'static str),
    /// Not RS256 or ES256. Not named: the header is the caller's own text, not yet verified,
    /// and an answer quoting it would be taken out where it spells one of the settings'
    /// secrets (a right guess of the client secret told apart from a wrong one).
    Algorithm,
    /// No published key has this id (after the caller refreshed the key set once).
    UnknownKey(Option<String>),
    BadSignature,
    Issuer,
    Audience,
    Expired,
    NotYetValid,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::Malformed(what) => write!(f, "the token is not a well-formed JWT: {what}"),
            Rejection::Algorithm => f.write_str(
                "the token's algorithm is not RS256 or ES256, the only ones accepted",
            ),
            Rejection::UnknownKey(Some(_)) => f.write_str(
                "the token's signing key (kid) is not among the identity provider's published keys",
            ),
            Rejection::UnknownKey(None) => f.write_str(
                "the token names no signing key (kid) and no published key verifies it",
            ),
            Rejection::BadSignature => f.write_str("the token's signature does not verify"),
            Rejection::Issuer => {
                f.write_str("the token was not issued by the identity provider this server trusts")
            }
            Rejection::Audience => f.write_str(
                "the token was not issued for this server (its audience does not name this server's resource)",
            ),
            Rejection::Expired => f.write_str("the token has expired"),
            Rejection::NotYetValid => f.write_str("the token is not valid yet (nbf)"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    /// Extensions the token says a verifier must understand (RFC 7515 §4.1.11): this server
    /// understands none, so a token that has any is refused.
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// The claims this server reads. Audience may be one string or a list.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Claims {
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub sub: String,
    #[serde(default, deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    #[serde(default)]
    pub exp: Option<f64>,
    #[serde(default)]
    pub nbf: Option<f64>,
    /// Space-separated (RFC 8693 / RFC 9068 `scope`).
    #[serde(default)]
    pub scope: Option<String>,
    /// Entra and Okta put scopes here, as a list or a space-separated string. Present but
    /// empty is a claim of no scopes, not an absent claim.
    #[serde(default, deserialize_with = "present_one_or_many")]
    pub scp: Option<Vec<String>>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
}

impl Claims {
    /// Every scope the token carries; `None` when it carries no scope claim at all.
    pub fn scopes(&self) -> Option<Vec<String>> {
        if self.scope.is_none() && self.scp.is_none() {
            return None;
        }
        let from_scope = self.scope.iter().flat_map(|s| s.split_whitespace());
        let from_scp = self.scp.iter().flatten().flat_map(|s| s.split_whitespace());
        Some(from_scope.chain(from_scp).map(str::to_owned).collect())
    }

    /// Who the token speaks for, in words a person recognises.
    pub fn display_name(&self) -> &str {
        self.email
            .as_deref()
            .or(self.preferred_username.as_deref())
            .unwrap_or(&self.sub)
    }

    pub fn expires_at_s(&self) -> i64 {
        self.exp.map_or(0, |e| e as i64)
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(present_one_or_many(d)?.unwrap_or_default())
}

/// One string or a list of them, and whether the claim was there at all (`null` is not).
fn present_one_or_many<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => None,
        Some(OneOrMany::One(s)) => Some(vec![s]),
        Some(OneOrMany::Many(v)) => Some(v),
    })
}

/// A token split and decoded, its signature not yet checked.
#[derive(Debug)]
pub struct Unverified {
    alg: String,
    kid: Option<String>,
    signing_input: String,
    signature: Vec<u8>,
    /// The token spelled one way only (see [`Unverified::canonical`]).
    canonical: String,
    pub claims: Claims,
}

impl Unverified {
    pub fn parse(token: &str) -> Result<Unverified, Rejection> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Rejection::Malformed("longer than 16 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Rejection::Malformed("not three dot-separated parts"));
        };
        let decode = |part: &str, what| URL_SAFE_NO_PAD.decode(part).map_err(|_| what);
        let header: Header = crate::argocd::objects::from_slice(&decode(
            header,
            Rejection::Malformed("header is not base64url"),
        )?)
        .map_err(|_| Rejection::Malformed("header is not a JSON object with alg"))?;
        let claims: Claims = crate::argocd::objects::from_slice(&decode(
            payload,
            Rejection::Malformed("payload is not base64url"),
        )?)
        .map_err(|_| Rejection::Malformed("payload is not a JSON object of claims"))?;
        let signature = decode(
            signature,
            Rejection::Malformed("signature is not base64url"),
        )?;
        if header.alg != "RS256" && header.alg != "ES256" {
            return Err(Rejection::Algorithm);
        }
        if header.crit.is_some() {
            return Err(Rejection::Malformed(
                "header names critical extensions (crit) this server does not understand",
            ));
        }
        let signing_input_len = token.len() - token.rsplit('.').next().map_or(0, str::len) - 1;
        let signing_input = &token[..signing_input_len];
        let canonical = match low_s_twin(&header.alg, &signature) {
            Some(low) => format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(low)),
            None => token.to_owned(),
        };
        Ok(Unverified {
            alg: header.alg,
            kid: header.kid,
            signing_input: signing_input.to_owned(),
            signature,
            canonical,
            claims,
        })
    }

    /// The one spelling of this token that everything keyed by a token (verdicts, exchanged
    /// tokens) must use. An ES256 signature (r, s) has a twin (r, n − s) that verifies too, so
    /// one token has two strings; keyed by the raw string, the twin would earn a second
    /// verdict and a second exchange, and dodge anything refused by hash. The twin is not
    /// refused instead: providers' ECDSA (Java's, Go's, RustCrypto's) emits either form, so
    /// half of their genuine tokens are "high-S". The canonical spelling is the low-S one.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Whether some key of `keys` could verify this token (same id, or no id to match by).
    pub fn has_candidate_key(&self, keys: &KeySet) -> bool {
        keys.keys.iter().any(|k| self.fits(k))
    }

    fn fits(&self, key: &Jwk) -> bool {
        let kty = if self.alg == "RS256" { "RSA" } else { "EC" };
        key.kty == kty
            && key.alg.as_deref().is_none_or(|a| a == self.alg)
            && key.use_.as_deref().is_none_or(|u| u == "sig")
            && match (&self.kid, &key.kid) {
                (Some(wanted), Some(id)) => wanted == id,
                (Some(_), None) => false,
                (None, _) => true,
            }
    }

    /// Checks the signature with the matching published keys; returns the key that verified it.
    pub fn verify_signature<'k>(&self, keys: &'k KeySet) -> Result<&'k Jwk, Rejection> {
        let mut candidates = keys.keys.iter().filter(|k| self.fits(k)).peekable();
        if candidates.peek().is_none() {
            return Err(Rejection::UnknownKey(self.kid.clone()));
        }
        candidates
            .find(|key| self.verified_by(key))
            .ok_or(Rejection::BadSignature)
    }

    /// Whether the key with this RFC 7638 `thumbprint` is still published, and one this token
    /// could be verified by: what an earlier verdict on this token rests on.
    pub fn still_verifiable_by(&self, keys: &KeySet, thumbprint: &str) -> bool {
        keys.keys
            .iter()
            .any(|k| self.fits(k) && k.thumbprint().as_deref() == Some(thumbprint))
    }

    fn verified_by(&self, key: &Jwk) -> bool {
        let b64 = |v: &Option<String>| v.as_deref().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
        match self.alg.as_str() {
            "RS256" => {
                let (Some(n), Some(e)) = (b64(&key.n), b64(&key.e)) else {
                    return false;
                };
                let Some(public) = super::rs256::PublicKey::new(&n, &e) else {
                    return false;
                };
                if public.size_bits() < MIN_RSA_BITS {
                    return false;
                }
                public.verify(self.signing_input.as_bytes(), &self.signature)
            }
            "ES256" => {
                use p256::ecdsa::signature::Verifier;
                if key.crv.as_deref() != Some("P-256") {
                    return false;
                }
                let (Some(x), Some(y)) = (b64(&key.x), b64(&key.y)) else {
                    return false;
                };
                if x.len() != 32 || y.len() != 32 {
                    return false;
                }
                let point = p256::EncodedPoint::from_affine_coordinates(
                    x.as_slice().into(),
                    y.as_slice().into(),
                    false,
                );
                let Ok(verifier) = p256::ecdsa::VerifyingKey::from_encoded_point(&point) else {
                    return false;
                };
                p256::ecdsa::Signature::from_slice(&self.signature)
                    .is_ok_and(|sig| verifier.verify(self.signing_input.as_bytes(), &sig).is_ok())
            }
            _ => false,
        }
    }
}

/// The low-S form of an ES256 signature that is high-S; `None` when it is low already (or is
/// no ES256 signature).
fn low_s_twin(alg: &str, signature: &[u8]) -> Option<Vec<u8>> {
    if alg != "ES256" {
        return None;
    }
    let signature = p256::ecdsa::Signature::from_slice(signature).ok()?;
    Some(signature.normalize_s()?.to_bytes().to_vec())
}

/// What a token must say to be for this server, now.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub now_s: i64,
}

/// Issuer, audience and time. `exp` is required: a token that never expires is refused.
pub fn check_claims(claims: &Claims, expected: Expected<'_>) -> Result<(), Rejection> {
    if claims.iss != expected.issuer {
        return Err(Rejection::Issuer);
    }
    if !claims.aud.iter().any(|a| a == expected.audience) {
        return Err(Rejection::Audience);
    }
    let Some(exp) = claims.exp else {
        return Err(Rejection::Malformed("no exp claim"));
    };
    if (exp as i64).saturating_add(CLOCK_SKEW_S) <= expected.now_s {
        return Err(Rejection::Expired);
    }
    if claims
        .nbf
        .is_some_and(|nbf| nbf as i64 > expected.now_s.saturating_add(CLOCK_SKEW_S))
    {
        return Err(Rejection::NotYetValid);
    }
    if claims.sub.is_empty() {
        return Err(Rejection::Malformed("no sub claim"));
    }
    Ok(())
}

/// A claim the token carries, by name, for callers that need one this type does not model.
pub fn claim(token: &str, name: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(name).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(alg: &str, kid: &str, claims: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#)),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A token signed with a fresh P-256 key, and that key as published.
    fn es256(kid: &str) -> (String, Jwk) {
        use p256::ecdsa::signature::Signer;
        let key = p256::ecdsa::SigningKey::random(&mut rsa::rand_core::OsRng);
        let token = signed("ES256", kid, r#"{"iss":"joe"}"#, |input| {
            let signature: p256::ecdsa::Signature = key.sign(input);
            signature.to_bytes().to_vec()
        });
        let point = key.verifying_key().to_encoded_point(false);
        let jwk = Jwk {
            kty: "EC".into(),
            kid: Some(kid.into()),
            alg: None,
            use_: None,
            n: None,
            e: None,
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(point.x().unwrap())),
            y: Some(URL_SAFE_NO_PAD.encode(point.y().unwrap())),
        };
        (token, jwk)
    }

    fn rs256(kid: &str, bits: usize) -> (String, Jwk) {
        use rsa::signature::{SignatureEncoding, Signer};
        use rsa::traits::PublicKeyParts;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).unwrap();
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
        let token = signed("RS256", kid, r#"{"iss":"joe"}"#, |input| {
            signer.sign(input).to_vec()
        });
        let jwk = Jwk {
            kty: "RSA".into(),
            kid: Some(kid.into()),
            alg: Some("RS256".into()),
            use_: Some("sig".into()),
            n: Some(URL_SAFE_NO_PAD.encode(key.n().to_bytes_be())),
            e: Some(URL_SAFE_NO_PAD.encode(key.e().to_bytes_be())),
            crv: None,
            x: None,
            y: None,
        };
        (token, jwk)
    }

    /// The same token with one character inside its signature changed (not the last: its
    /// unused bits must stay zero for the base64url to be canonical).
    fn tampered(token: &str) -> String {
        let at = token.rfind('.').unwrap() + 10;
        let mut changed = token.to_owned();
        let was = &token[at..at + 1];
        changed.replace_range(at..at + 1, if was == "A" { "B" } else { "A" });
        changed
    }

    #[test]
    fn rs256_and_es256_verify_with_their_key_and_a_changed_signature_does_not() {
        for (token, jwk) in [es256("ec"), rs256("rsa", 2048)] {
            let keys = KeySet {
                keys: vec![jwk.clone()],
            };
            let parsed = Unverified::parse(&token).unwrap();
            assert_eq!(parsed.verify_signature(&keys), Ok(&jwk), "{}", jwk.kty);
            assert_eq!(parsed.claims.iss, "joe");
            let parsed = Unverified::parse(&tampered(&token)).unwrap();
            assert_eq!(parsed.verify_signature(&keys), Err(Rejection::BadSignature));
        }
        // Another key of the same id (a provider's key replaced under the same kid).
        let (token, _) = es256("same");
        let (_, other) = es256("same");
        let parsed = Unverified::parse(&token).unwrap();
        assert_eq!(
            parsed.verify_signature(&KeySet { keys: vec![other] }),
            Err(Rejection::BadSignature)
        );
    }

    #[test]
    fn a_token_with_critical_extensions_is_refused() {
        let claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"joe","sub":"s","aud":"a","exp":1}"#);
        for header in [
            r#"{"alg":"RS256","crit":["b64"],"b64":false}"#,
            r#"{"alg":"ES256","crit":[]}"#,
        ] {
            let token = format!("{}.{claims}.AAAA", URL_SAFE_NO_PAD.encode(header));
            assert!(
                matches!(Unverified::parse(&token), Err(Rejection::Malformed(m)) if m.contains("crit")),
                "{header}"
            );
        }
        let plain = format!(
            "{}.{claims}.AAAA",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#)
        );
        assert!(Unverified::parse(&plain).is_ok());
    }

    #[test]
    fn an_es256_token_and_its_high_s_twin_are_one_token() {
        let (token, jwk) = es256("k");
        let keys = KeySet {
            keys: vec![jwk.clone()],
        };
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature =
            p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap())
                .unwrap();
        // Signing gives either form; take the low one and build its twin (r, n − s).
        let low = signature.normalize_s().unwrap_or(signature);
        let (r, s) = low.split_scalars();
        let high = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        assert!(high.normalize_s().is_some(), "the twin is high-S");
        let spell = |sig: p256::ecdsa::Signature| {
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
        };
        let low_token = Unverified::parse(&spell(low)).unwrap();
        let high_token = Unverified::parse(&spell(high)).unwrap();
        // Both verify (providers sign either way), and both have one spelling: the low one.
        assert_eq!(low_token.verify_signature(&keys), Ok(&jwk));
        assert_eq!(high_token.verify_signature(&keys), Ok(&jwk));
        assert_eq!(low_token.canonical(), spell(low));
        assert_eq!(high_token.canonical(), spell(low));
        // RS256 signatures have one form: the token is its own spelling.
        let (rsa_token, _) = rs256("r", 2048);
        assert_eq!(
            Unverified::parse(&rsa_token).unwrap().canonical(),
            rsa_token
        );
    }

    #[test]
    fn a_thumbprint_names_the_key_not_its_id() {
        // RFC 7638 §3.1's example key and thumbprint.
        let example = Jwk {
            kty: "RSA".into(),
            kid: Some("2011-04-29".into()),
            alg: Some("RS256".into()),
            use_: None,
            n: Some("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into()),
            e: Some("AQAB".into()),
            crv: None,
            x: None,
            y: None,
        };
        assert_eq!(
            example.thumbprint().as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
        let renamed = Jwk {
            kid: Some("another-id".into()),
            ..example.clone()
        };
        assert_eq!(renamed.thumbprint(), example.thumbprint());
        // Another key under the same id (a kid reused): another thumbprint, and a token
        // verified by the first key is not verifiable by it.
        let (token, first) = rs256("same", 2048);
        let (_, second) = rs256("same", 2048);
        assert_ne!(first.thumbprint(), second.thumbprint());
        let parsed = Unverified::parse(&token).unwrap();
        let verdict = parsed
            .verify_signature(&KeySet {
                keys: vec![first.clone()],
            })
            .unwrap()
            .thumbprint()
            .unwrap();
        assert!(parsed.still_verifiable_by(&KeySet { keys: vec![first] }, &verdict));
        assert!(!parsed.still_verifiable_by(&KeySet { keys: vec![second] }, &verdict));
    }

    #[test]
    fn rsa_keys_shorter_than_2048_bits_are_not_trusted() {
        let (token, jwk) = rs256("short", 1024);
        let parsed = Unverified::parse(&token).unwrap();
        assert_eq!(
            parsed.verify_signature(&KeySet { keys: vec![jwk] }),
            Err(Rejection::BadSignature)
        );
    }

    #[test]
    fn algorithms_other_than_rs256_and_es256_are_refused_before_any_key_is_looked_at() {
        for alg in ["none", "HS256", "RS512", "PS256", "ES384", "nOnE"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","kid":"k"}}"#));
            let payload = URL_SAFE_NO_PAD.encode(r#"{"iss":"i","sub":"s","aud":"a","exp":9e9}"#);
            let token = format!("{header}.{payload}.");
            assert_eq!(Unverified::parse(&token).unwrap_err(), Rejection::Algorithm);
        }
    }

    #[test]
    fn malformed_tokens_are_refused_with_a_reason() {
        for token in ["", "a.b", "a.b.c.d", "!!.e30.", "e30.e30.", "e30.!!.x"] {
            assert!(
                matches!(Unverified::parse(token), Err(Rejection::Malformed(_))),
                "{token:?}"
            );
        }
        let huge = format!("{}.e30.x", "a".repeat(MAX_TOKEN_BYTES));
        assert_eq!(
            Unverified::parse(&huge).unwrap_err(),
            Rejection::Malformed("longer than 16 KiB")
        );
    }

    #[test]
    fn a_key_of_another_id_type_or_use_is_no_candidate() {
        let (token, jwk) = es256("k1");
        let parsed = Unverified::parse(&token).unwrap();
        let mut other_id = jwk.clone();
        other_id.kid = Some("k2".into());
        let mut encryption = jwk.clone();
        encryption.use_ = Some("enc".into());
        let mut rsa_alg = jwk.clone();
        rsa_alg.alg = Some("RS256".into());
        let mut no_id = jwk.clone();
        no_id.kid = None;
        for key in [other_id, encryption, rsa_alg, no_id] {
            let keys = KeySet { keys: vec![key] };
            assert!(!parsed.has_candidate_key(&keys));
            assert_eq!(
                parsed.verify_signature(&keys),
                Err(Rejection::UnknownKey(Some("k1".into())))
            );
        }
        // A token without kid may be verified by any key of its type.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#);
        let rest = token.split_once('.').unwrap().1;
        let without_kid = Unverified::parse(&format!("{header}.{rest}")).unwrap();
        let keys = KeySet { keys: vec![jwk] };
        assert!(without_kid.has_candidate_key(&keys));
        // (Its signature covered the header with the kid, so it no longer verifies.)
        assert_eq!(
            without_kid.verify_signature(&keys),
            Err(Rejection::BadSignature)
        );
    }

    fn claims(json: &str) -> Claims {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn issuer_audience_and_time_are_each_enforced() {
        let expected = Expected {
            issuer: "https://idp",
            audience: "https://mcp/mcp",
            now_s: 1_000_000,
        };
        let good =
            r#"{"iss":"https://idp","sub":"u1","aud":["x","https://mcp/mcp"],"exp":1000100}"#;
        assert_eq!(check_claims(&claims(good), expected), Ok(()));
        let cases = [
            (
                r#"{"iss":"https://idp/","sub":"u1","aud":"https://mcp/mcp","exp":1000100}"#,
                Rejection::Issuer,
            ),
            (
                r#"{"iss":"https://idp","sub":"u1","aud":"argo-cd","exp":1000100}"#,
                Rejection::Audience,
            ),
            (
                r#"{"iss":"https://idp","sub":"u1","exp":1000100}"#,
                Rejection::Audience,
            ),
            (
                r#"{"iss":"https://idp","sub":"u1","aud":"https://mcp/mcp","exp":999900}"#,
                Rejection::Expired,
            ),
            (
                r#"{"iss":"https://idp","sub":"u1","aud":"https://mcp/mcp","exp":1000100,"nbf":1000500}"#,
                Rejection::NotYetValid,
            ),
            (
                r#"{"iss":"https://idp","sub":"u1","aud":"https://mcp/mcp"}"#,
                Rejection::Malformed("no exp claim"),
            ),
            (
                r#"{"iss":"https://idp","aud":"https://mcp/mcp","exp":1000100}"#,
                Rejection::Malformed("no sub claim"),
            ),
        ];
        for (json, rejection) in cases {
            assert_eq!(
                check_claims(&claims(json), expected),
                Err(rejection),
                "{json}"
            );
        }
        // Within the skew: just expired and just not yet valid still pass.
        let skewed = r#"{"iss":"https://idp","sub":"u1","aud":"https://mcp/mcp","exp":999950,"nbf":1000030}"#;
        assert_eq!(check_claims(&claims(skewed), expected), Ok(()));
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        assert_eq!(claims(r#"{}"#).scopes(), None);
        assert_eq!(
            claims(r#"{"scope":"openid groups"}"#).scopes(),
            Some(vec!["openid".into(), "groups".into()])
        );
        assert_eq!(
            claims(r#"{"scp":["a","b"]}"#).scopes(),
            Some(vec!["a".into(), "b".into()])
        );
        // The eighteenth review (U1): an empty list claims no scopes; it is not an absent claim.
        assert_eq!(claims(r#"{"scp":[]}"#).scopes(), Some(vec![]));
        assert_eq!(claims(r#"{"scp":""}"#).scopes(), Some(vec![]));
    }
}

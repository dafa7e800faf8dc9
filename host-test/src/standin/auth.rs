//! Argo CD's session rules: HS256 JWTs signed with `server.secretkey`, the 5-failure lockout,
//! and the 401 messages of v3.5.1 (api-notes §a, §c).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::Sha256;

/// Failed logins tolerated inside the window before every attempt is refused.
pub const MAX_FAILED_LOGINS: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Default)]
struct Failures {
    count: u32,
    last: Option<SystemTime>,
}

/// Who may log in, and the key that signs their sessions.
pub struct Sessions {
    key: Vec<u8>,
    passwords: HashMap<String, String>,
    /// `None`: tokens without `exp` (like `users.session.duration: 0`).
    pub session_lifetime: Option<Duration>,
    failures: HashMap<String, Failures>,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub username: String,
    pub issuer: String,
}

pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn random_key() -> Vec<u8> {
    let mut key = vec![0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}

/// A fresh uid, as the API server gives every object it creates (and tokens their `jti`).
pub(crate) fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Sessions {
    pub fn new(users: &[(&str, &str)], session_lifetime: Option<Duration>) -> Self {
        Sessions {
            key: random_key(),
            passwords: users
                .iter()
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .collect(),
            session_lifetime,
            failures: HashMap::new(),
        }
    }

    /// Whether Argo CD's 5-failure rule has locked `username` now.
    pub fn is_locked(&self, username: &str) -> bool {
        self.failures
            .get(username)
            .is_some_and(|f| f.count >= MAX_FAILED_LOGINS)
    }

    /// Like deleting `server.secretkey`: every token issued so far fails its signature check.
    pub fn rotate_key(&mut self) {
        self.key = random_key();
    }

    /// `POST /api/v1/session`: a token, or the (HTTP status, message) Argo CD answers.
    pub fn login(&mut self, username: &str, password: &str) -> Result<String, (u16, String)> {
        if username.len() > 32 {
            return Err((400, "username is too long (32 bytes max)".into()));
        }
        if username.is_empty() || password.is_empty() {
            return Err((401, "no credentials supplied".into()));
        }
        let failures = self.failures.entry(username.to_string()).or_default();
        let locked = failures.count >= MAX_FAILED_LOGINS
            && failures
                .last
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|e| e < FAILURE_WINDOW);
        let valid = self.passwords.get(username).is_some_and(|p| p == password);
        if locked || !valid {
            failures.count += 1;
            failures.last = Some(SystemTime::now());
            return Err((401, "Invalid username or password".into()));
        }
        failures.count = 0;
        let lifetime = self.session_lifetime;
        Ok(self.issue(&format!("{username}:login"), lifetime))
    }

    /// An API-key token (`argocd account generate-token`): no `exp` unless a lifetime is given.
    pub fn api_token(&self, account: &str, lifetime: Option<Duration>) -> String {
        self.issue(&format!("{account}:apiKey"), lifetime)
    }

    fn issue(&self, subject: &str, lifetime: Option<Duration>) -> String {
        let now = unix_now();
        // Key order as Go's RegisteredClaims: iss, sub, exp, nbf, iat, jti.
        let mut claims = serde_json::Map::new();
        claims.insert("iss".into(), json!("argocd"));
        claims.insert("sub".into(), json!(subject));
        if let Some(lifetime) = lifetime {
            claims.insert("exp".into(), json!(now + lifetime.as_secs()));
        }
        claims.insert("nbf".into(), json!(now));
        claims.insert("iat".into(), json!(now));
        claims.insert("jti".into(), json!(random_uuid()));
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
        let signing_input = format!("{header}.{payload}");
        format!("{signing_input}.{}", self.sign(&signing_input))
    }

    fn sign(&self, input: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(input.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks a bearer token the way `sessionmanager.Parse` does; errors are Argo CD's 401 texts.
    pub fn verify(&self, token: Option<&str>) -> Result<Claims, String> {
        let Some(token) = token.filter(|t| t.split('.').count() == 3) else {
            return Err("no session information".into());
        };
        let mut parts = token.splitn(3, '.');
        let (header, payload, signature) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        if self.sign(&format!("{header}.{payload}")) != signature {
            return Err("invalid session: token signature is invalid: signature is invalid".into());
        }
        let claims: Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("invalid session: token is malformed")?;
        if let Some(exp) = claims.get("exp").and_then(Value::as_u64)
            && exp <= unix_now()
        {
            return Err("invalid session: token has invalid claims: token is expired".into());
        }
        if claims.get("jti").and_then(Value::as_str).is_none() {
            return Err("invalid session: token does not have a unique identifier (jti claim) and cannot be validated".into());
        }
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or("");
        let username = subject.split(':').next().unwrap_or("").to_string();
        if !self.passwords.contains_key(&username) {
            return Err(format!(
                "invalid session: account {username} does not exist"
            ));
        }
        Ok(Claims {
            username,
            issuer: claims
                .get("iss")
                .and_then(Value::as_str)
                .unwrap_or("argocd")
                .into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_the_key_rotates() {
        let mut s = Sessions::new(&[("admin", "pw")], Some(Duration::from_secs(60)));
        let token = s.login("admin", "pw").unwrap();
        assert_eq!(s.verify(Some(&token)).unwrap().username, "admin");
        s.rotate_key();
        assert!(
            s.verify(Some(&token))
                .unwrap_err()
                .contains("signature is invalid")
        );
        assert_eq!(s.verify(None).unwrap_err(), "no session information");
        assert_eq!(
            s.verify(Some("garbage")).unwrap_err(),
            "no session information"
        );
    }

    #[test]
    fn five_failures_lock_even_the_right_password() {
        let mut s = Sessions::new(&[("admin", "pw")], None);
        for _ in 0..MAX_FAILED_LOGINS {
            assert_eq!(s.login("admin", "wrong").unwrap_err().0, 401);
        }
        assert_eq!(
            s.login("admin", "pw").unwrap_err().1,
            "Invalid username or password"
        );
    }

    #[test]
    fn claims_follow_argocd() {
        let mut s = Sessions::new(&[("admin", "pw")], None);
        let token = s.login("admin", "pw").unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert!(claims.get("exp").is_none(), "no lifetime, no exp");
        assert_eq!(claims["sub"], "admin:login");
        assert!(claims["jti"].is_string() && claims["iat"].is_u64());
        let api = s.api_token("ci", None);
        assert!(s.verify(Some(&api)).is_err(), "ci is not an account");
    }
}

//! User mode: each caller signs in at the identity provider Argo CD trusts and acts as themself.
//! This server is an OAuth resource server (MCP authorization): it accepts only tokens the
//! provider issued for it ([`authenticate`]), and sends Argo CD a token issued for Argo CD in
//! exchange ([`delegation`]). Nothing here knows MCP or Argo CD's API.
//!
//! - [`jwt`]: verifying one token (signature, issuer, audience, time).
//! - [`provider`]: the provider's discovery document and keys, shared through the store.
//! - [`delegation`]: the token Argo CD is sent, exchanged and cached per caller.

pub mod delegation;
pub mod jwt;
pub mod provider;
mod rs256;

use crate::host::Host;
use crate::settings::{Secret, Settings, UserMode, UserToken};

/// Why a caller is not let in, or why an identity step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityError {
    /// No token at all: the client should start signing in (RFC 6750 §3.1: no error code).
    Missing,
    /// The token is not acceptable (401, `invalid_token`).
    InvalidToken(String),
    /// The token is fine but lacks scopes (403, `insufficient_scope`).
    InsufficientScope(String),
    /// The provider refused a step for this caller (an exchange).
    Refused(String),
    /// The provider could not be asked, or is set up wrong: nobody's fault but the operator's.
    Unavailable(String),
}

impl IdentityError {
    pub fn unavailable(message: impl Into<String>) -> Self {
        IdentityError::Unavailable(message.into())
    }
    pub fn refused(message: impl Into<String>) -> Self {
        IdentityError::Refused(message.into())
    }
    pub fn message(&self) -> &str {
        match self {
            IdentityError::Missing => "no bearer token",
            IdentityError::InvalidToken(m)
            | IdentityError::InsufficientScope(m)
            | IdentityError::Refused(m)
            | IdentityError::Unavailable(m) => m,
        }
    }
}

/// Verifies the bearer token of one request: a JWT from the configured provider, signed with one
/// of its published keys, for this server's audience, unexpired, and holding the configured
/// scopes when it lists scopes at all. `authorization` is the request's header as sent.
pub async fn authenticate<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    authorization: Option<&str>,
) -> Result<UserToken, IdentityError> {
    let token = bearer(authorization)?;
    let parsed = jwt::Unverified::parse(token)
        .map_err(|rejection| IdentityError::InvalidToken(rejection.to_string()))?;
    let mut known = provider::known(host, settings, mode).await?;
    if !parsed.has_candidate_key(&known.keys) {
        known = provider::refreshed_for_unknown_key(host, settings, mode, known).await?;
    }
    // An RSA check costs most of a millisecond in a component; a token already verified is not
    // checked again while the exact key that verified it (by RFC 7638 thumbprint, not by `kid`,
    // which a provider may omit or reuse) is still published. Its claims are checked every time.
    let verdict_key = crate::store_sweep::expiring(
        &format!(
            "argocd-mcp/oidc/verified/{}",
            fingerprint(&mode.issuer, parsed.canonical())
        ),
        worthless_after_s(parsed.claims.expires_at_s()),
    );
    let seal = settings.store_seal.as_ref();
    let verified_before = crate::store_seal::get(host, seal, &verdict_key)
        .and_then(|bytes| crate::argocd::objects::from_slice::<Verdict>(&bytes).ok())
        .is_some_and(|verdict| parsed.still_verifiable_by(&known.keys, &verdict.key));
    if !verified_before {
        let key = parsed
            .verify_signature(&known.keys)
            .map_err(|rejection| IdentityError::InvalidToken(rejection.to_string()))?;
        if let Some(thumbprint) = key.thumbprint() {
            let verdict = Verdict {
                key: thumbprint,
                expires_at_s: parsed.claims.expires_at_s(),
            };
            // Sealed: a store writer cannot vouch for a token nobody verified.
            let _ = crate::store_seal::put(
                host,
                seal,
                &verdict_key,
                &serde_json::to_vec(&verdict).unwrap_or_default(),
            );
        }
    }
    let expected = jwt::Expected {
        issuer: &mode.issuer,
        audience: &mode.audience,
        now_s: (host.now_unix_ms() / 1000) as i64,
    };
    jwt::check_claims(&parsed.claims, expected)
        .map_err(|rejection| IdentityError::InvalidToken(rejection.to_string()))?;
    if let Some(held) = parsed.claims.scopes() {
        let missing: Vec<&str> = mode
            .scopes
            .iter()
            .filter(|wanted| !held.contains(wanted))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(IdentityError::InsufficientScope(format!(
                "the token lacks the scopes {}",
                missing.join(" ")
            )));
        }
    }
    Ok(UserToken {
        token: Secret::new(token),
        fingerprint: fingerprint(&mode.issuer, parsed.canonical()),
        subject: parsed.claims.sub.clone(),
        display_name: parsed.claims.display_name().to_owned(),
        expires_at_s: parsed.claims.expires_at_s(),
    })
}

/// What the store keeps of a token whose signature verified.
#[derive(serde::Serialize, serde::Deserialize)]
struct Verdict {
    /// RFC 7638 thumbprint of the key that verified it.
    key: String,
    /// The token's `exp`: after it, the verdict is worth nothing and may be swept.
    expires_at_s: i64,
}

/// When what the store keeps for a token that expires at `expires_at_s` is worthless: once the
/// token is refused even with the clock skew allowed.
pub fn worthless_after_s(expires_at_s: i64) -> u64 {
    u64::try_from(expires_at_s.saturating_add(jwt::CLOCK_SKEW_S)).unwrap_or(0)
}

/// What the store knows a caller's token by: SHA-256 of the issuer and the token's one spelling
/// (never the token itself, and never a spelling another string of the same token would miss).
fn fingerprint(issuer: &str, canonical_token: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    digest.update(issuer.as_bytes());
    digest.update([0]);
    digest.update(canonical_token.as_bytes());
    crate::hex(&digest.finalize())
}

/// The token of an `Authorization: Bearer …` header; the scheme in any case.
fn bearer(authorization: Option<&str>) -> Result<&str, IdentityError> {
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err(IdentityError::Missing);
    };
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(IdentityError::InvalidToken(
            "send the token as Authorization: Bearer <token>".into(),
        ));
    }
    Ok(token)
}

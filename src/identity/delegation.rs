//! The token Argo CD is sent for a caller: never the caller's own token (it was issued for this
//! server, and passing it on is what MCP authorization forbids), but one the provider issues for
//! Argo CD's client id in exchange for it (RFC 8693) — or, in the documented weaker opt-in, the
//! caller's token when its audience already names Argo CD too.
//!
//! Exchanged tokens are kept in the key-value store under a hash of the caller's token (never
//! the token itself), with the caller's subject beside them: an entry is only ever handed back
//! for the same token of the same subject.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::IdentityError;
use super::provider::{self, TOKEN_EXCHANGE_GRANT};
use crate::host::{Host, Method};
use crate::settings::{Delegation, OIDC_CLIENT_ID, OIDC_DELEGATION, Settings, UserMode, UserToken};

/// An exchanged token is used until this long before it expires.
pub const RENEW_BEFORE_MS: u64 = 60 * 1000;
/// Tokens whose lifetime the provider does not state are kept this long.
const DEFAULT_LIFETIME_MS: u64 = 5 * 60 * 1000;

const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// Entra ID's on-behalf-of flow is a JWT-bearer grant (RFC 7523) with `requested_token_use`.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[derive(Debug, Serialize, Deserialize)]
struct Exchanged {
    token: String,
    subject: String,
    expires_at_ms: u64,
}

/// The store key for a caller's token: its fingerprint, so the store never holds the token, and
/// when the caller's token (and so this entry) is worthless, for the sweep.
pub fn cache_key(user: &UserToken) -> String {
    crate::store_sweep::expiring(
        &format!("argocd-mcp/oidc/exchanged/{}", user.fingerprint),
        super::worthless_after_s(user.expires_at_s),
    )
}

/// The token to send Argo CD for `user`, and whether it was just issued (a 401 to a token just
/// issued is not worth another exchange). `fresh` skips the cache.
pub async fn argocd_token<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    user: &UserToken,
    fresh: bool,
) -> Result<(String, bool), IdentityError> {
    match mode.delegation {
        Delegation::SharedAudience => shared_audience(mode, user).map(|t| (t, false)),
        Delegation::Exchange | Delegation::OnBehalfOf => {
            if !fresh && let Some(token) = cached(host, settings, user) {
                return Ok((token, false));
            }
            // Many instances may meet the same caller at once (an agent's parallel calls): one
            // exchanges, the others take its result from the store. (A refused token was
            // forgotten before a fresh one is asked for, so what the store holds is newer.)
            let flight = crate::single_flight::SingleFlight {
                host,
                lease_key: format!("{}/lease", cache_key(user)),
                lease_ms: settings.request_timeout.as_millis() as u64 + 2_000,
            };
            flight
                .run(
                    || Ok(cached(host, settings, user).map(|t| (t, false))),
                    async |_| exchange(host, settings, mode, user).await.map(|t| (t, true)),
                    || {
                        IdentityError::unavailable(
                            "another instance has been exchanging this caller's token for too long; retry in a moment",
                        )
                    },
                )
                .await
        }
    }
}

/// Drops the exchanged token kept for `user` (Argo CD refused it).
pub fn forget<H: Host>(host: &H, user: &UserToken) {
    let _ = host.delete(&cache_key(user));
}

fn cached<H: Host>(host: &H, settings: &Settings, user: &UserToken) -> Option<String> {
    let bytes = crate::store_seal::get(host, settings.store_seal.as_ref(), &cache_key(user))?;
    let entry: Exchanged = crate::argocd::objects::from_slice(&bytes).ok()?;
    let fresh = entry.expires_at_ms > host.now_unix_ms().saturating_add(RENEW_BEFORE_MS);
    (fresh && entry.subject == user.subject).then_some(entry.token)
}

fn shared_audience(mode: &UserMode, user: &UserToken) -> Result<String, IdentityError> {
    let names_argocd = match super::jwt::claim(user.token.expose(), "aud") {
        Some(serde_json::Value::String(one)) => one == mode.argocd_client_id,
        Some(serde_json::Value::Array(many)) => many
            .iter()
            .any(|a| a.as_str() == Some(&mode.argocd_client_id)),
        _ => false,
    };
    if names_argocd {
        Ok(user.token.expose().to_owned())
    } else {
        Err(IdentityError::refused(format!(
            "your token's audience does not name Argo CD's client id {:?}, and {}=shared-audience sends Argo CD only tokens that do: sign in again asking for it (Dex: scope audience:server:client_id:{}), or have the operator switch to token exchange",
            mode.argocd_client_id, OIDC_DELEGATION.env, mode.argocd_client_id
        )))
    }
}

#[derive(Deserialize)]
struct ExchangeAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

async fn exchange<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    user: &UserToken,
) -> Result<String, IdentityError> {
    let known = provider::known(host, settings, mode).await?;
    let Some(endpoint) =
        known.metadata.token_endpoint.as_deref().filter(|_| {
            mode.delegation == Delegation::OnBehalfOf || known.metadata.exchanges_tokens()
        })
    else {
        return Err(IdentityError::unavailable(format!(
            "the identity provider {} does not offer token exchange ({TOKEN_EXCHANGE_GRANT} is not among its grant types, or it has no token endpoint): enable it for client {:?} (Keycloak: standard token exchange; Okta/Auth0: the token-exchange grant), or for Dex set {}=shared-audience with this server's client in argo-cd's trustedPeers",
            mode.issuer, mode.client_id, OIDC_DELEGATION.env
        )));
    };
    let started = host.now_unix_ms();
    let response = token_request(host, settings, mode, endpoint, user.token.expose()).await?;
    if response.status != 200 || response.truncated {
        let said = crate::argocd::objects::from_slice::<ErrorAnswer>(&response.body)
            .map(|e| {
                let description = e.error_description.unwrap_or_default();
                // The settings' secrets taken out before the cut, and the cut at a word's edge:
                // a cut inside the client secret the provider quotes (even one wrapped over
                // lines in base64) would leave a part no one could recognise to take out.
                let description = crate::tools::OwnSecrets::of(settings).hidden_in(&description);
                let cut = crate::cut::at_word(&description, 200);
                let more = if cut.len() < description.len() {
                    "…"
                } else {
                    ""
                };
                format!("{}: {cut}{more}", e.error)
            })
            .unwrap_or_else(|_| format!("HTTP {}", response.status));
        let hint = match response.status {
            401 => format!(
                " (the provider did not accept this server as client {:?}: check {} and its secret)",
                mode.client_id, OIDC_CLIENT_ID.env
            ),
            _ => String::new(),
        };
        return Err(IdentityError::refused(format!(
            "the identity provider refused to exchange your token for one for Argo CD ({said}){hint}"
        )));
    }
    let answer: ExchangeAnswer =
        crate::argocd::objects::from_slice(&response.body).map_err(|_| {
            IdentityError::unavailable(
                "the identity provider's token exchange answer has no access_token",
            )
        })?;
    let lifetime_ms = answer
        .expires_in
        .map_or(DEFAULT_LIFETIME_MS, |s| s.saturating_mul(1000));
    let entry = Exchanged {
        token: answer.access_token,
        subject: user.subject.clone(),
        expires_at_ms: started.saturating_add(lifetime_ms),
    };
    let _ = crate::store_seal::put(
        host,
        settings.store_seal.as_ref(),
        &cache_key(user),
        &serde_json::to_vec(&entry).unwrap_or_default(),
    );
    Ok(entry.token)
}

/// One grant request at the token endpoint as this server's client (HTTP Basic).
async fn token_request<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    endpoint: &str,
    subject_token: &str,
) -> Result<crate::host::HttpResponse, IdentityError> {
    let form = grant_form(mode, subject_token);
    let secret = mode.client_secret.as_ref().map_or("", |s| s.expose());
    // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
    let basic = STANDARD.encode(format!(
        "{}:{}",
        form_encode(&mode.client_id),
        form_encode(secret)
    ));
    let headers = vec![
        ("accept".into(), "application/json".into()),
        (
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ),
        ("authorization".into(), format!("Basic {basic}")),
    ];
    provider::send(
        host,
        settings,
        Method::Post,
        endpoint,
        headers,
        form.into_bytes(),
        "token endpoint",
    )
    .await
}

/// A check at the token endpoint that this server's client credentials are accepted, for the
/// health report: an exchange of a subject token that cannot be valid. A provider authenticates
/// the client before it looks at the grant, so `invalid_client` (or 401) means the id or
/// secret is wrong, and `invalid_grant` (or any other refusal of the grant) means they are
/// right. Nothing is issued either way.
///
/// Health checks come from anyone (probes, unsigned callers), so the verdict is kept in the store
/// for [`CLIENT_CHECK_FRESH_MS`]: the token endpoint hears from this server about once a minute
/// however often health is asked.
pub async fn check_client<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    endpoint: &str,
) -> Result<(), IdentityError> {
    if mode.delegation == Delegation::SharedAudience {
        return Ok(());
    }
    #[derive(Serialize, Deserialize)]
    struct Checked {
        at_ms: u64,
        failure: Option<String>,
    }
    // Per issuer and credentials (a digest, never the secret): new settings are checked anew.
    // Keyed by the store seal when there is one, so the name cannot serve to test guesses of
    // the client secret against.
    let credentials = {
        let secret = mode.client_secret.as_ref().map_or("", |s| s.expose());
        let text = format!("{}\0{secret}", mode.client_id);
        match &settings.store_seal {
            Some(seal) => seal.name_digest(&text),
            None => {
                use sha2::{Digest, Sha256};
                crate::hex(&Sha256::digest(text.as_bytes())[..12])
            }
        }
    };
    let key = format!("argocd-mcp/oidc/client-check/{credentials}/{}", mode.issuer);
    let now = host.now_unix_ms();
    let kept = host
        .get(&key)
        .ok()
        .flatten()
        .and_then(|bytes| crate::argocd::objects::from_slice::<Checked>(&bytes).ok())
        .filter(|c| now.saturating_sub(c.at_ms) < CLIENT_CHECK_FRESH_MS);
    if let Some(checked) = kept {
        return checked
            .failure
            .map_or(Ok(()), |why| Err(IdentityError::unavailable(why)));
    }
    let verdict = check_client_now(host, settings, mode, endpoint).await;
    let checked = Checked {
        at_ms: now,
        failure: verdict.as_ref().err().map(|e| e.message().to_owned()),
    };
    let _ = host.set(&key, &serde_json::to_vec(&checked).unwrap_or_default());
    verdict
}

/// How long a check of the client credentials stands.
pub const CLIENT_CHECK_FRESH_MS: u64 = 60 * 1000;

async fn check_client_now<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    endpoint: &str,
) -> Result<(), IdentityError> {
    const NO_SUBJECT: &str = "argocd-mcp.health-check.not-a-token";
    let response = token_request(host, settings, mode, endpoint, NO_SUBJECT).await?;
    let said = crate::argocd::objects::from_slice::<ErrorAnswer>(&response.body)
        .map(|e| e.error)
        .unwrap_or_default();
    match (response.status, said.as_str()) {
        (401, _) | (_, "invalid_client") => Err(IdentityError::unavailable(format!(
            "the identity provider does not accept this server's client credentials (client {:?}, HTTP {}{}): check {} and {}",
            mode.client_id,
            response.status,
            if said.is_empty() {
                String::new()
            } else {
                format!(", {said}")
            },
            OIDC_CLIENT_ID.env,
            crate::settings::OIDC_CLIENT_SECRET.env
        ))),
        (_, "unauthorized_client" | "unsupported_grant_type") => {
            Err(IdentityError::unavailable(format!(
                "the identity provider accepts client {:?} but does not let it use this grant ({said}): enable token exchange (or on-behalf-of) for it",
                mode.client_id
            )))
        }
        (500..=599, _) => Err(IdentityError::unavailable(format!(
            "the identity provider's token endpoint answered HTTP {}",
            response.status
        ))),
        _ => Ok(()),
    }
}

/// The token request's form: RFC 8693 token exchange for Argo CD's client id as audience, or
/// Entra ID's on-behalf-of grant for Argo CD's application scope (`<client id>/.default`).
fn grant_form(mode: &UserMode, subject_token: &str) -> String {
    let scope;
    let fields: &[(&str, &str)] = match mode.delegation {
        Delegation::OnBehalfOf => {
            scope = format!("{}/.default", mode.argocd_client_id.trim_end_matches('/'));
            &[
                ("grant_type", JWT_BEARER_GRANT),
                ("assertion", subject_token),
                ("requested_token_use", "on_behalf_of"),
                ("scope", &scope),
            ]
        }
        _ => &[
            ("grant_type", TOKEN_EXCHANGE_GRANT),
            ("subject_token", subject_token),
            ("subject_token_type", ACCESS_TOKEN_TYPE),
            ("requested_token_type", ACCESS_TOKEN_TYPE),
            ("audience", &mode.argocd_client_id),
        ],
    };
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `application/x-www-form-urlencoded` value encoding exactly as the WHATWG URL standard's form
/// serializer does it: letters, digits and `*-._` as they are, space as `+`, every other byte
/// escaped. Exactly, because client credentials in HTTP Basic are encoded this way (RFC 6749
/// §2.3.1) and several providers compare what arrives without decoding it.
pub fn form_encode(value: &str) -> String {
    const FORM: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_');
    // A space becomes `%20` here and `+` below; a `%` in the value was escaped to `%25`, so no
    // `%20` of the value's own is touched.
    percent_encoding::utf8_percent_encode(value, FORM)
        .to_string()
        .replace("%20", "+")
}

#[cfg(test)]
mod tests {
    use super::form_encode;

    #[test]
    fn form_encoding_is_the_form_serializers() {
        // What a browser's URLSearchParams (the WHATWG serializer) writes for each.
        for (raw, encoded) in [
            ("argocd-mcp", "argocd-mcp"),
            ("client_id.v2*", "client_id.v2*"),
            ("a b+c/d~é", "a+b%2Bc%2Fd%7E%C3%A9"),
            ("100%20", "100%2520"),
            ("s3cr:t&=?#", "s3cr%3At%26%3D%3F%23"),
            ("!'()", "%21%27%28%29"),
        ] {
            assert_eq!(form_encode(raw), encoded, "{raw}");
        }
    }
}

//! The identity provider as this server knows it: its discovery document and its signing keys,
//! fetched from `{issuer}/.well-known/openid-configuration` and its `jwks_uri`, kept in the
//! key-value store for every instance, refreshed now and then and once more when a token names a
//! key not seen yet (the provider rotated), but never more often than the cool-down allows: a
//! caller inventing key ids must not turn this server into a load on the provider.

use serde::{Deserialize, Serialize};

use super::IdentityError;
use super::jwt::KeySet;
use crate::host::{Host, HttpRequest, HttpResponse, Method};
use crate::settings::{Settings, UserMode};

/// Keys are fetched again after this long even when every token still finds its key.
pub const KEYS_FRESH_MS: u64 = 10 * 60 * 1000;
/// A key set fetched less than this long ago is not fetched again for an unknown key id.
pub const REFETCH_COOLDOWN_MS: u64 = 5 * 1000;
/// A provider that cannot be reached is still trusted with keys this old.
const STALE_LIMIT_MS: u64 = 24 * 60 * 60 * 1000;
/// Discovery documents and key sets are small; more than this is not one.
pub const MAX_PROVIDER_ANSWER_BYTES: usize = 1 << 20;

pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// The members of the discovery document this server uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Metadata {
    pub issuer: String,
    pub jwks_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
}

impl Metadata {
    /// Whether the provider says it exchanges tokens. A provider that lists no grant types at
    /// all is given the benefit of the doubt (the exchange itself then says).
    pub fn exchanges_tokens(&self) -> bool {
        self.grant_types_supported
            .as_ref()
            .is_none_or(|grants| grants.iter().any(|g| g == TOKEN_EXCHANGE_GRANT))
    }
}

/// What the store holds for one issuer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Known {
    pub metadata: Metadata,
    pub keys: KeySet,
    pub fetched_ms: u64,
}

fn store_key(issuer: &str) -> String {
    format!("argocd-mcp/oidc/provider/{issuer}")
}

/// The provider's metadata and keys: from the store while fresh, else fetched (and stored). A
/// provider that cannot be reached is answered from a stale copy up to a day old.
pub async fn known<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
) -> Result<Known, IdentityError> {
    let stored = stored(host, &mode.issuer);
    let now = host.now_unix_ms();
    if let Some(known) = &stored
        && now.saturating_sub(known.fetched_ms) < KEYS_FRESH_MS
    {
        return Ok(known.clone());
    }
    match fetch(host, settings, mode).await {
        Ok(fresh) => Ok(fresh),
        Err(error) => match stored {
            Some(stale) if now.saturating_sub(stale.fetched_ms) < STALE_LIMIT_MS => Ok(stale),
            _ => Err(error),
        },
    }
}

/// After a token named a key `known` lacks: fetch the keys again, unless they were fetched within
/// the cool-down (by any instance). Returns what is known afterwards.
pub async fn refreshed_for_unknown_key<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    known: Known,
) -> Result<Known, IdentityError> {
    let latest = stored(host, &mode.issuer)
        .filter(|s| s.fetched_ms > known.fetched_ms)
        .unwrap_or(known);
    if host.now_unix_ms().saturating_sub(latest.fetched_ms) < REFETCH_COOLDOWN_MS {
        return Ok(latest);
    }
    fetch(host, settings, mode).await
}

fn stored<H: Host>(host: &H, issuer: &str) -> Option<Known> {
    let bytes = host.get(&store_key(issuer)).ok()??;
    serde_json::from_slice(&bytes).ok()
}

async fn fetch<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
) -> Result<Known, IdentityError> {
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        mode.issuer.trim_end_matches('/')
    );
    let metadata: Metadata = get_json(host, settings, &discovery, "discovery document").await?;
    // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was asked for,
    // or tokens could be accepted from whoever answers at that address.
    if metadata.issuer != mode.issuer {
        return Err(IdentityError::unavailable(format!(
            "the identity provider at {discovery} names itself {:?}, not {:?}: set OIDC_ISSUER to exactly the issuer its tokens carry",
            metadata.issuer, mode.issuer
        )));
    }
    let keys: KeySet = get_json(host, settings, &metadata.jwks_uri, "signing keys").await?;
    let known = Known {
        metadata,
        keys,
        fetched_ms: host.now_unix_ms(),
    };
    // A store that fails only costs the next instance a fetch.
    let _ = host.set(
        &store_key(&mode.issuer),
        &serde_json::to_vec(&known).unwrap_or_default(),
    );
    Ok(known)
}

async fn get_json<H: Host, T: serde::de::DeserializeOwned>(
    host: &H,
    settings: &Settings,
    url: &str,
    what: &str,
) -> Result<T, IdentityError> {
    let headers = vec![("accept".into(), "application/json".into())];
    let response = send(host, settings, Method::Get, url, headers, Vec::new(), what).await?;
    if response.status != 200 || response.truncated {
        return Err(IdentityError::unavailable(format!(
            "the identity provider's {what} at {url} answered HTTP {}{}",
            response.status,
            if response.truncated {
                " with more than 1 MiB"
            } else {
                ""
            }
        )));
    }
    serde_json::from_slice(&response.body).map_err(|_| {
        IdentityError::unavailable(format!(
            "the identity provider's {what} at {url} is not the JSON document OpenID Connect describes"
        ))
    })
}

/// One request to the provider, bounded like every other: the settings' time limit, and at most
/// [`MAX_PROVIDER_ANSWER_BYTES`] of its answer read. `what` names it in the error.
pub async fn send<H: Host>(
    host: &H,
    settings: &Settings,
    method: Method,
    url: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    what: &str,
) -> Result<HttpResponse, IdentityError> {
    host.send(HttpRequest {
        method,
        url: url.to_owned(),
        headers,
        body,
        timeout: settings.request_timeout,
        max_response_bytes: MAX_PROVIDER_ANSWER_BYTES,
    })
    .await
    .map_err(|e| {
        IdentityError::unavailable(format!(
            "the identity provider's {what} at {url} could not be reached: {e:?}"
        ))
    })
}

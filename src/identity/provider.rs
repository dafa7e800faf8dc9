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

/// The last time any instance asked the provider for its keys, and what came of it: the
/// cool-down counts from attempts, failed ones too, so a provider that is down or slow is asked
/// at most once per cool-down whatever callers send.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Attempt {
    at_ms: u64,
    /// Why it failed; `None` when it succeeded (the keys are in the store).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
}

fn attempt_key(issuer: &str) -> String {
    format!("argocd-mcp/oidc/provider-attempt/{issuer}")
}

/// The provider's metadata and keys: from the store while fresh, else fetched again (by one
/// instance at a time, at most once per cool-down). Keys a day old at most are still served
/// while a fetch fails or another instance's fetch runs, so a caller whose key is known never
/// waits for the provider.
pub async fn known<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
) -> Result<Known, IdentityError> {
    let stored = stored(host, settings, &mode.issuer);
    let now = host.now_unix_ms();
    if let Some(known) = &stored
        && now.saturating_sub(known.fetched_ms) < KEYS_FRESH_MS
    {
        return Ok(known.clone());
    }
    refresh(host, settings, mode, stored).await
}

/// After a token named a key `known` lacks: fetch the keys again, unless any instance tried
/// within the cool-down. Returns what is known afterwards.
pub async fn refreshed_for_unknown_key<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    known: Known,
) -> Result<Known, IdentityError> {
    let latest = stored(host, settings, &mode.issuer)
        .filter(|s| s.fetched_ms > known.fetched_ms)
        .unwrap_or(known);
    refresh(host, settings, mode, Some(latest)).await
}

/// One fetch for every instance that needs one now. Within the cool-down of the last attempt
/// (anyone's, failed or not), what is known is the answer. Otherwise one instance fetches under
/// a lease; an instance that has keys to serve meanwhile does not wait for it, one that has
/// none waits for its result.
async fn refresh<H: Host>(
    host: &H,
    settings: &Settings,
    mode: &UserMode,
    known: Option<Known>,
) -> Result<Known, IdentityError> {
    let issuer = &mode.issuer;
    let started = host.now_unix_ms();
    let usable = |known: Option<Known>, now: u64| {
        known.filter(|k| now.saturating_sub(k.fetched_ms) < STALE_LIMIT_MS)
    };
    // What the latest attempt left, as an answer.
    let outcome = |attempt: &Attempt| {
        let now = host.now_unix_ms();
        let latest = stored(host, settings, issuer).or_else(|| known.clone());
        usable(latest, now).ok_or_else(|| {
            IdentityError::unavailable(attempt.failure.clone().unwrap_or_else(|| {
                "the identity provider's keys could not be kept in the store".into()
            }))
        })
    };
    if let Some(recent) = recent_attempt(host, settings, issuer) {
        return outcome(&recent);
    }
    let flight = crate::single_flight::SingleFlight {
        host,
        lease_key: format!("argocd-mcp/oidc/provider-lease/{issuer}"),
        // Two requests (discovery, keys), each bounded by the request timeout.
        lease_ms: 2 * settings.request_timeout.as_millis() as u64 + 2_000,
    };
    let fetch_and_record = async || {
        let fetched = fetch(host, settings, mode).await;
        let attempt = Attempt {
            at_ms: host.now_unix_ms(),
            failure: fetched.as_ref().err().map(|e| e.message().to_owned()),
        };
        let _ = crate::store_seal::put(
            host,
            settings.store_seal.as_ref(),
            &attempt_key(issuer),
            &serde_json::to_vec(&attempt).unwrap_or_default(),
        );
        fetched.or_else(|error| usable(known.clone(), host.now_unix_ms()).ok_or(error))
    };
    if let Some(serving) = usable(known.clone(), started) {
        let holder = crate::single_flight::SingleFlight::<H>::holder();
        return match flight.acquire(&holder).await {
            crate::single_flight::Turn::Theirs => Ok(serving),
            crate::single_flight::Turn::Mine(held) => {
                // Another instance may have fetched between our look and our lease (its
                // attempt may even be stamped a moment before we started: it is recorded after
                // the fetch ends), so any attempt within the cool-down counts.
                let result = match recent_attempt(host, settings, issuer) {
                    Some(recent) => outcome(&recent),
                    None => fetch_and_record().await,
                };
                flight.release(held);
                result
            }
            crate::single_flight::Turn::NoStore(_) => fetch_and_record().await,
        };
    }
    flight
        .run(
            || recent_attempt(host, settings, issuer).map(|a| outcome(&a)).transpose(),
            async |_| fetch_and_record().await,
            || {
                IdentityError::unavailable(
                    "another instance has been fetching the identity provider's keys for too long; retry in a moment",
                )
            },
        )
        .await
}

/// The last attempt to fetch the keys, if any instance made it within the cool-down.
fn recent_attempt<H: Host>(host: &H, settings: &Settings, issuer: &str) -> Option<Attempt> {
    let now = host.now_unix_ms();
    // An attempt stamped in the future (a node's clock far ahead) counts as made now: it may
    // hold fetches off for one cool-down, never for as long as it is ahead.
    last_attempt(host, settings, issuer).filter(|a| {
        let at = a.at_ms.min(now);
        now - at < REFETCH_COOLDOWN_MS && a.at_ms <= now + REFETCH_COOLDOWN_MS
    })
}

/// Sealed like the keys: a store writer can neither hold fetches off nor speak through its
/// failure message.
fn last_attempt<H: Host>(host: &H, settings: &Settings, issuer: &str) -> Option<Attempt> {
    let bytes = crate::store_seal::get(host, settings.store_seal.as_ref(), &attempt_key(issuer))?;
    crate::argocd::objects::from_slice(&bytes).ok()
}

/// Sealed when the store is (see `store_seal`): a store writer cannot plant keys of its own.
fn stored<H: Host>(host: &H, settings: &Settings, issuer: &str) -> Option<Known> {
    let bytes = crate::store_seal::get(host, settings.store_seal.as_ref(), &store_key(issuer))?;
    crate::argocd::objects::from_slice(&bytes).ok()
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
    let _ = crate::store_seal::put(
        host,
        settings.store_seal.as_ref(),
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
    crate::argocd::objects::from_slice(&response.body).map_err(|_| {
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

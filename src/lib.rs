//! argocd-mcp core: an MCP server for Argo CD that knows nothing of the host it runs in.
//!
//! - [`mcp`]: the protocol (JSON-RPC, lifecycle, tools, Streamable HTTP); no Argo CD in it.
//! - [`argocd`]: the REST client with login, token cache and error mapping.
//! - [`tools`]: one file per tool family, over the client.
//! - [`service`]: the endpoints a host adapter serves (`/mcp`, `/health/argocd`) and the plugin entry.
//! - [`context`]: one request's context (which Argo CD, as whom), built by `service`, taken below.
//! - [`identity`]: user mode's OAuth resource server (token checks, token exchange).
//! - [`host`]: the traits a host implements (HTTP, key-value, clock); [`settings`]: configuration;
//!   [`store_seal`]: what instances share in the store, sealed with a key the store never holds.

mod approval_ledger;
pub mod argocd;
pub mod context;
mod cut;
pub mod events;
pub mod feed;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod guides;
pub mod host;
pub mod identity;
pub mod mcp;
mod order;
pub mod service;
pub mod settings;
mod single_flight;
pub mod store_seal;
pub mod store_sweep;
pub mod tools;

#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(test), allow(dead_code))] // fuzzing uses the fake host only
mod testing;

/// Lower-case hex of `bytes`, for digests, nonces and lease ids.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

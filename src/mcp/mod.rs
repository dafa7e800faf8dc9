//! The Model Context Protocol, knowing nothing of Argo CD: JSON-RPC framing, the methods of both
//! eras ([`server`]: 2026-07-28 with per-request `_meta`, and the `initialize` era up to
//! 2025-11-25; [`request`] and [`results`]: what a client asks and what it gets, as types), and the Streamable HTTP transport ([`http`]) with its authorization ([`authorization`]);
//! long-lived subscriptions ([`subscriptions`]). Tools plug in through
//! [`tool::ToolProvider`].

pub mod approval;
pub mod authorization;
pub mod http;
pub mod jsonrpc;
pub mod library;
pub mod request;
pub mod results;
pub mod server;
pub mod subscriptions;
pub mod tool;

/// Every revision this server speaks, newest first.
pub const SUPPORTED_VERSIONS: &[&str] = &["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"];
/// The stateless revisions: each request carries its version in `_meta`.
pub const MODERN_VERSIONS: &[&str] = &["2026-07-28"];
/// The newest revision an `initialize` handshake can select.
pub const LATEST_LEGACY_VERSION: &str = "2025-11-25";

//! The Model Context Protocol, knowing nothing of Argo CD: JSON-RPC framing, the lifecycle and tool
//! methods ([`server`]), and the Streamable HTTP transport ([`http`]). Tools plug in through
//! [`tool::ToolProvider`].

pub mod http;
pub mod jsonrpc;
pub mod library;
pub mod server;
pub mod tool;

/// Revisions this server speaks, newest first.
pub const SUPPORTED_VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26"];
pub const LATEST_VERSION: &str = SUPPORTED_VERSIONS[0];

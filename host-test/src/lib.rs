//! The wasmtime harness for the argocd-mcp components, the Argo CD stand-in, and the local runner.

pub mod embed;
pub mod http_client;
pub mod kv;
pub mod listen_client;
pub mod outbound;
pub mod runner;
pub mod spin;
pub mod standin;

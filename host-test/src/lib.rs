//! The wasmtime harness for the argocd-mcp components, the Argo CD stand-in, and the local runner.

pub mod standin;

//! Fuzz target: `argocd_mcp::fuzzing::bearer_token` (see src/fuzzing.rs for what it drives).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| argocd_mcp::fuzzing::bearer_token(data));

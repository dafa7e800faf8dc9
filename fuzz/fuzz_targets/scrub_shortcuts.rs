//! Fuzz target: `argocd_mcp::fuzzing::scrub_shortcuts` (see src/fuzzing.rs for what it drives).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| argocd_mcp::fuzzing::scrub_shortcuts(data));

//! Fuzz target: `argocd_mcp::fuzzing::argocd_answer` (see src/fuzzing.rs for what it drives).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| argocd_mcp::fuzzing::argocd_answer(data));

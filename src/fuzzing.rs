//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the test that replays their
//! checked-in corpora on every `cargo test`. Each takes arbitrary bytes and drives one surface
//! that reads untrusted input: the `/mcp` endpoint (from clients), tool arguments (from agents),
//! Argo CD's answers and log streams (from the network), tokens and approval state, and the
//! merge patches the project allow-list judges. A panic, a hang or a runaway allocation in any
//! of them is a bug.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use serde_json::Value;

use crate::context::RequestContext;
use crate::mcp::http::HttpExchange;
use crate::mcp::tool::NoProgress;
use crate::settings::Settings;
use crate::testing::FakeHost;

/// Runs a future whose host never waits (the fuzz host answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn settings(extra: &[(&str, &str)]) -> Settings {
    Settings::load(|name| {
        let base = [
            ("ARGOCD_URL", "https://cd.fuzz"),
            // A token, not a login: every request gets the fuzzed answer, logins included.
            ("ARGOCD_TOKEN", "a.eyJleHAiOjE5MDAwMDAwMDB9.s"),
            ("ARGOCD_ALLOWED_PROJECTS", "default,payments"),
            // The server component serves nothing without one.
            ("MCP_STORE_KEY", "fuzz-store-key-of-thirty-two-characters"),
        ];
        extra
            .iter()
            .chain(base.iter())
            .find(|(key, _)| *key == name.env)
            .map(|(_, value)| value.to_string())
    })
}

/// One HTTP request to the component: the first line is the method and path, then header lines
/// `name: value`, an empty line, and the body.
pub fn mcp_request(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let (method, path) = lines
        .next()
        .and_then(|l| l.split_once(' '))
        .unwrap_or(("POST", "/mcp"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let authority = crate::host::header_value(&headers, "x-authority");
    let exchange = HttpExchange {
        method,
        authority,
        headers: &headers,
        body: body.as_bytes(),
    };
    let host = FakeHost::always(
        200,
        br#"{"metadata":{"name":"guestbook"},"spec":{"project":"default"},"status":{}}"#,
    );
    let settings = std::sync::Arc::new(settings(&[
        ("ARGOCD_REQUIRE_APPROVAL", "true"),
        ("MCP_AUTH_TOKEN", "fuzz"),
        ("MCP_ALLOWED_HOSTS", "mcp.fuzz"),
    ]));
    let _ = block_on(async {
        crate::service::serve(&host, settings, exchange, path)
            .await
            .into_reply(&host)
            .await
    });
}

/// The tool picked by the first byte, with the rest as its JSON arguments.
pub fn tool_call(data: &[u8]) {
    let Some((pick, rest)) = data.split_first() else {
        return;
    };
    // The schemas are built once: the names are all this needs.
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        crate::tools::definitions(false)
            .into_iter()
            .map(|d| d.name)
            .collect()
    });
    let tool = names[*pick as usize % names.len()];
    let Ok(arguments) = serde_json::from_slice::<Value>(rest) else {
        return;
    };
    let host = FakeHost::always(200, br#"{"metadata":{"name":"guestbook"},"spec":{"project":"default"},"status":{"sync":{"status":"Synced"},"health":{"status":"Healthy"},"operationState":{"phase":"Succeeded"}}}"#);
    let settings = settings(&[]);
    let context = RequestContext::for_account(&settings);
    let _ = block_on(crate::tools::approval_question(
        &host, context, tool, &arguments,
    ));
    let _ = block_on(crate::tools::call(
        &host,
        context,
        tool,
        arguments,
        &NoProgress,
    ));
}

/// The read tool picked by the first byte, with Argo CD answering the rest to every request.
pub fn argocd_answer(data: &[u8]) {
    let Some((pick, answer)) = data.split_first() else {
        return;
    };
    let calls: [(&str, Value); 12] = [
        (
            "get_argocd_app_status",
            serde_json::json!({"app_name": "a", "include_resources": true}),
        ),
        ("list_argocd_apps", serde_json::json!({"limit": 500})),
        (
            "list_argocd_app_history",
            serde_json::json!({"app_name": "a"}),
        ),
        (
            "get_argocd_app_resource_tree",
            serde_json::json!({"app_name": "a", "limit": 1000}),
        ),
        (
            "get_argocd_app_events",
            serde_json::json!({"app_name": "a"}),
        ),
        (
            "get_argocd_app_diff",
            serde_json::json!({"app_name": "a", "include_unchanged": true}),
        ),
        (
            "get_argocd_app_manifests",
            serde_json::json!({"app_name": "a", "include_objects": true}),
        ),
        (
            "get_argocd_resource",
            serde_json::json!({"app_name": "a", "kind": "Secret", "resource_name": "s", "full": true}),
        ),
        (
            "get_argocd_applicationset",
            serde_json::json!({"name": "a"}),
        ),
        ("list_argocd_projects", serde_json::json!({})),
        ("list_argocd_repositories", serde_json::json!({})),
        (
            "wait_for_argocd_operation",
            serde_json::json!({"app_name": "a", "timeout_seconds": 5}),
        ),
    ];
    let (tool, arguments) = &calls[*pick as usize % calls.len()];
    let status = if pick & 0x80 == 0 { 200 } else { 502 };
    let host = FakeHost::always(status, answer);
    let _ = block_on(crate::tools::call(
        &host,
        RequestContext::for_account(&settings(&[])),
        tool,
        arguments.clone(),
        &NoProgress,
    ));
}

/// Argo CD's NDJSON log stream, as the logs tool reads it.
pub fn log_stream(data: &[u8]) {
    let host = FakeHost::always(200, data);
    let arguments = serde_json::json!({"app_name": "a", "kind": "Deployment", "resource_name": "web", "max_lines": 50, "max_bytes": 1024, "filter": "err"});
    let _ = block_on(crate::tools::call(
        &host,
        RequestContext::for_account(&settings(&[])),
        "get_argocd_app_logs",
        arguments,
        &NoProgress,
    ));
}

/// A token's claims and an approval's sealed state, both read from untrusted text.
pub fn token_and_state(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::argocd::auth::jwt_expiry(&text);
    let ledger = FixedLedger;
    let arguments = serde_json::json!({"app_name": "a", "confirm": true});
    let answer = serde_json::json!({"action": "accept", "content": {"approve": true}});
    let state = Value::String(text.into_owned());
    let verdict = block_on(crate::mcp::approval::judge(
        &ledger,
        crate::mcp::approval::Caller::ANYONE,
        "sync_argocd_app",
        &arguments,
        "ok?",
        Some(&state),
        Some(&answer),
    ));
    // Only the server's own key can approve: bytes from outside never do.
    assert_ne!(verdict, Ok(crate::mcp::approval::Verdict::Approved));
}

struct FixedLedger;

impl crate::mcp::approval::ApprovalLedger for FixedLedger {
    fn secret(&self) -> Result<Vec<u8>, String> {
        Ok(b"a key no input can know".to_vec())
    }
    fn spend<'a>(&'a self, _: &'a str, _: u64) -> crate::mcp::approval::Spending<'a> {
        Box::pin(std::future::ready(Ok(true)))
    }
    fn now_unix_ms(&self) -> u64 {
        1_800_000_000_000
    }
    fn nonce(&self) -> [u8; 16] {
        [7; 16]
    }
}

/// The identity provider a fuzzed bearer token meets: discovery and key set in one document
/// (each reader takes its own fields), with an RSA and a P-256 key whose private halves no input
/// can have signed with.
fn provider_document() -> &'static [u8] {
    static DOCUMENT: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        use sha2::Digest;
        // A 2048-bit odd modulus nobody knows the factors of.
        let mut modulus: Vec<u8> = (0u8..8)
            .flat_map(|i| sha2::Sha256::digest([b'n', i]).to_vec())
            .collect();
        modulus[0] |= 0x80;
        modulus[255] |= 1;
        let scalar = sha2::Sha256::digest(b"fuzzing: a P-256 key no input knows");
        let key = p256::SecretKey::from_slice(&scalar).expect("a valid scalar");
        let point =
            p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key.public_key(), false);
        serde_json::json!({
            "issuer": "https://idp.fuzz",
            "jwks_uri": "https://idp.fuzz/keys",
            "keys": [
                {"kty": "RSA", "kid": "r", "n": URL_SAFE_NO_PAD.encode(&modulus), "e": "AQAB"},
                {"kty": "EC", "kid": "e", "crv": "P-256",
                 "x": URL_SAFE_NO_PAD.encode(point.x().expect("uncompressed")),
                 "y": URL_SAFE_NO_PAD.encode(point.y().expect("uncompressed"))},
            ],
        })
        .to_string()
        .into_bytes()
    })
}

/// A server in user mode for the provider `provider_document` describes.
fn user_mode_settings() -> Settings {
    settings(&[
        ("ARGOCD_AUTH_MODE", "user"),
        ("MCP_RESOURCE_URL", "https://mcp.fuzz/mcp"),
        ("OIDC_ISSUER", "https://idp.fuzz"),
        ("OIDC_CLIENT_ID", "fuzz"),
        ("OIDC_CLIENT_SECRET", "fuzz"),
    ])
}

/// An `Authorization` header as a caller sends it to a server in user mode: whatever the bytes,
/// no token is let in (the provider's keys signed none of them), and nothing panics.
pub fn bearer_token(data: &[u8]) {
    let header = String::from_utf8_lossy(data);
    let settings = user_mode_settings();
    let mode = settings
        .user_mode
        .as_ref()
        .expect("user mode is configured");
    let host = FakeHost::always(200, provider_document());
    let verdict = block_on(crate::identity::authenticate(
        &host,
        &settings,
        mode,
        Some(&header),
    ));
    assert!(verdict.is_err(), "a token nobody signed was let in");
}

/// Two JSON documents separated by a NUL byte: an Application and a merge patch of it.
pub fn merge_patch_project(data: &[u8]) {
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(current), Ok(patch)) = (
        serde_json::from_slice::<Value>(&data[..split]),
        serde_json::from_slice::<Value>(&data[split + 1..]),
    ) else {
        return;
    };
    let after = crate::tools::project_after_patch(&current, &patch);
    // RFC 7386 patches are idempotent: applying one twice changes nothing more.
    let mut once = current.clone();
    crate::tools::merge_patch(&mut once, &patch);
    let mut twice = once.clone();
    crate::tools::merge_patch(&mut twice, &patch);
    assert_eq!(once, twice, "a merge patch applied twice differs");
    // The judged project is the one the patched document holds.
    let held = once
        .pointer("/spec/project")
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty());
    assert_eq!(after.as_deref(), held);
}

/// Two JSON documents separated by a NUL byte, an Application and a merge patch of it: the
/// statement a person would be asked to approve. It is within its bounds or refused, and no
/// character in it can hide or disguise text.
pub fn approval_statement(data: &[u8]) {
    use crate::tools::statement::{MAX_CHARS, MAX_LINES, Statement};
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(current), Ok(patch)) = (
        serde_json::from_slice::<Value>(&data[..split]),
        serde_json::from_slice::<Value>(&data[split + 1..]),
    ) else {
        return;
    };
    let mut after = current.clone();
    crate::tools::merge_patch(&mut after, &patch);
    let mut said = Statement::default();
    said.line("Changes:");
    said.changes(&current, &after);
    said.leaves("patch", &patch);
    match said.finish() {
        Ok(text) => {
            assert!(text.lines().count() <= MAX_LINES);
            assert!(text.chars().count() <= MAX_CHARS);
            assert!(
                text.chars().all(|c| c == '\n' || !c.is_control()),
                "a control character reached the person: {text:?}"
            );
            assert!(
                current == after || text.lines().count() > 1,
                "a change went unstated"
            );
        }
        // Refused only for the two reasons a statement has: too large to read whole, or an
        // argument whose text the scrubbing would hide (a person approves only what is shown).
        Err(refusal) => assert!(
            refusal.contains("split it into smaller calls")
                || refusal.contains("which the question would hide"),
            "refused for a reason a statement does not have: {refusal}"
        ),
    }
}

/// Bytes as the store might hold them under this server's keys (a key name, a counter, a
/// verdict, the provider's keys and the last attempt to fetch them): read without a panic, and
/// a forged token with such a store is still refused when no verdict names a published key.
pub fn store_entries(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(expires) = crate::store_sweep::expiry_of(&text) {
        let key = crate::store_sweep::expiring("argocd-mcp/approval/spent/x", expires);
        assert_eq!(crate::store_sweep::expiry_of(&key), Some(expires));
    }
    let _ = crate::host::counter_value(Some(data));
    let settings = user_mode_settings();
    let mode = settings
        .user_mode
        .as_ref()
        .expect("user mode is configured");
    let host = FakeHost::always(200, provider_document());
    // Every entry the identity code reads, holding the fuzzed bytes.
    use crate::host::TokenStore;
    for key in [
        "argocd-mcp/oidc/provider/https://idp.fuzz",
        "argocd-mcp/oidc/provider-attempt/https://idp.fuzz",
    ] {
        let _ = host.set(key, data);
    }
    let header = format!("Bearer {FORGED_TOKEN}");
    let verdict = block_on(crate::identity::authenticate(
        &host,
        &settings,
        mode,
        Some(&header),
    ));
    assert!(verdict.is_err(), "a token nobody signed was let in");
}

/// RS256, `kid` k1, for this server's audience, unexpired, signed by no key at all.
const FORGED_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2lkcC5mdXp6IiwiYXVkIjoiaHR0cHM6Ly9tY3AuZnV6ei9tY3AiLCJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2lnbmF0dXJl";

/// A fuzz target: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// A text through the answer scrubbing's shortcuts (texts free of escapes known so once, rules
/// that cannot start inside a word not asked there) and through every rule at every byte: both
/// hide exactly the same. Texts up to 2 KB, so no reading budget is spent.
pub fn scrub_shortcuts(data: &[u8]) {
    let text = String::from_utf8_lossy(&data[..data.len().min(2048)]);
    let (quick, exhaustive) = crate::tools::masked_both_ways(&text);
    assert_eq!(quick, exhaustive, "{text:?}");
}

/// Every fuzz target by its name in `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("mcp_request", mcp_request),
    ("tool_call", tool_call),
    ("argocd_answer", argocd_answer),
    ("log_stream", log_stream),
    ("token_and_state", token_and_state),
    ("merge_patch_project", merge_patch_project),
    ("bearer_token", bearer_token),
    ("approval_statement", approval_statement),
    ("store_entries", store_entries),
    ("scrub_shortcuts", scrub_shortcuts),
];

#[cfg(test)]
mod tests {
    /// Every input in the checked-in corpora (seeds and whatever the fuzzer kept, findings
    /// included once fixed) runs through its target on every `cargo test`.
    #[test]
    fn the_fuzz_corpora_replay_cleanly() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for (name, target) in super::TARGETS {
            let dir = root.join(name);
            let inputs: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|entry| entry.unwrap().path())
                .collect();
            assert!(!inputs.is_empty(), "{name} has no seeds");
            for input in inputs {
                target(&std::fs::read(&input).unwrap());
            }
        }
    }
}

//! Thirty-ninth hostile review (issue 19), fresh context, time box 15 minutes: places where the
//! server decodes or transforms caller text before quoting it, against the request check
//! (`OwnSecrets::unknown_to` over what `service::serve` counts as sent).
//!
//! Findings (each a failing test, ignored "issue 19: review39 <id>"):
//! - B2 (HIGH: PRE-AUTHENTICATION oracle on the Argo CD password, PLAIN guess, no decoding
//!   needed; server; `src/mcp/http.rs` site check quoting `request.authority` in its 403,
//!   against `src/service.rs` `serve`, whose `sent` holds the path, the body, Host/Origin/
//!   Accept/Mcp-* but NOT the URI's authority): an absolute-form request target (HTTP/1.1
//!   `POST http://<guess>/mcp`, or HTTP/2 `:authority`) reaches the component as wasi:http's
//!   authority and is refused `Forbidden: this server does not answer to host "<guess>"`. The
//!   authority is not "sent", so the password in it is masked: `host \"***\"` for
//!   `Adm1n-s3cret-pw`, `host \"Adm1n-s3cret-pX\"` for a wrong guess. Same upper-cased,
//!   base64, with a port, with and without a Host header, and with `mcp_auth_token` set and no
//!   bearer sent (the site check runs before the bearer check). One request a guess, no login,
//!   no lockout. Repro: `review39_finding_b2_authority_oracle` (`http::Request` with
//!   `.uri("http://Adm1n-s3cret-pw/mcp")`). Fix: push `request.authority` into `sent` in
//!   `serve` (and any other request part a refusal may quote: audit every `HttpExchange` field
//!   read by a refusal); better, do not quote the refused host at all ("this server does not
//!   answer to the host this request names"), or quote after the scrub (review37 A1).
//! - B1 (medium-high: any MCP caller, the bearer's holder where `mcp_auth_token` is set;
//!   server; `src/mcp/library.rs` `get_prompt`): the template is filled argument by argument
//!   with `text.replace("{name}", value)` over the text so far, so an earlier argument's value
//!   that holds `{revision}` gets the later argument spliced into it. `prompts/get
//!   safe_sync {"app_name": "Adm1n-s3cret-{revision}", "revision": "pw"}` answers `Sync *** to
//!   pw safely…`; with `"revision": "pX"` it answers `Sync Adm1n-s3cret-pX to pX`. Neither
//!   argument as sent holds the password, the filled text does, so `unknown_to` keeps it masked:
//!   a right guess reads apart from a wrong one. Also base64 (`QWRtMW4t{revision}` +
//!   `czNjcmV0LXB3`) and a hex listing split in two. (Prompt-argument values are also trimmed;
//!   that only removes, no finding.) Fix: fill the template in one pass over the TEMPLATE
//!   (find each `{name}` in the template and write the value, never re-reading inserted
//!   values), which also stops a value holding `{app_name}` from being expanded; and, as the
//!   general fix, quote caller text after the scrub.
//!
//! Held (passing tests that reach the place):
//! - prompts/get with the guess whole in one argument (plain, base64, hex listing, padded with
//!   spaces that `trim` removes): right and wrong read the same.
//! - `arguments::quoted` (Rust Debug, cut at a word past 128 bytes) via a bad `app_name`:
//!   literal `\u0077`, `\x77`, `\u{77}` (Debug doubles the backslash), a newline, tab, CRLF,
//!   U+200B, U+00AD, NUL inside the guess (Debug escapes them), and a hex listing of the guess
//!   followed by ` 7`, ` 41 41`, ` zz`, `0`, ` 77` and a long word the cut drops: no
//!   difference.
//! - completion/complete's unknown resource template (`{uri:?}`) and resources/read's unknown
//!   URI: plain, `%`-escaped, newline inside: no difference.
//! - By reading: the JWT path quotes no unverified field any more (every `Rejection` Display
//!   is fixed text; the scope refusal names the configured scopes); Host/Origin are
//!   lower-cased only for comparison, never quoted; `MCP-Protocol-Version` is trimmed (only
//!   removes) and counted as an `Mcp-*` header; `patch_spelling` quotes keys via
//!   `escape_default` joined by `/` (the password has no `/` and only printable ASCII, so
//!   neither the join nor the escape can make it; a secret holding `/` or non-ASCII would
//!   need a look); completion's prompt refusals quote only known names or the argument as
//!   sent (Debug).
//!
//! Not reached (time box): Last-Event-ID / session ids (no such header read by the server, by
//! grep), `_meta.progressToken` echo in notifications, the plugin's `call_tool` request check,
//! other secrets than `crate::PASSWORD` (proxy header values with `/` or non-ASCII through
//! `patch_spelling`'s `escape_default` path join), the user-mode Cookie path.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::planting::status_and_body;
use crate::{PASSWORD, World};

const WRONG: &str = "Adm1n-s3cret-pX";

fn hex_list(g: &str) -> String {
    g.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Right vs wrong answer for one probe: `Some(label)` when they read apart.
fn apart(label: &str, right: &str, wrong: &str) -> Option<String> {
    eprintln!("{label}:\n  right: {right}\n  wrong: {wrong}");
    (right.matches("***").count() != wrong.matches("***").count()
        || right.split(' ').next() != wrong.split(' ').next())
    .then(|| label.to_owned())
}

async fn prompt(world: &World, name: &str, arguments: Value) -> String {
    status_and_body(
        &world
            .mcp(&json!({"jsonrpc": "2.0", "id": 3, "method": "prompts/get",
                "params": {"name": name, "arguments": arguments}}))
            .await,
    )
}

/// The split of a guess into a head and its last two characters.
fn split2(g: &str) -> (&str, &str) {
    g.split_at(g.len() - 2)
}

/// prompts/get fills `{app_name}` first, then `{revision}` in the text so far: an app_name
/// holding `{revision}` gets the revision spliced into it. Neither argument as sent holds the
/// password; the filled text does.
async fn prompt_splice_probes(world: &World) -> Vec<String> {
    let mut found = Vec::new();
    type Splice = fn(&str) -> (String, String);
    let shapes: Vec<(&str, Splice)> = vec![
        ("plain", |g| {
            let (h, t) = split2(g);
            (format!("{h}{{revision}}"), t.to_owned())
        }),
        ("base64", |g| {
            let b = STANDARD.encode(g);
            let (h, t) = b.split_at(8);
            (format!("{h}{{revision}}"), t.to_owned())
        }),
        ("hex list", |g| {
            let l = hex_list(g);
            let (h, t) = l.split_at(l.len() / 2);
            (format!("{h}{{revision}}"), t.to_owned())
        }),
    ];
    for (label, shape) in shapes {
        let (ra, rr) = shape(PASSWORD);
        let (wa, wr) = shape(WRONG);
        let right = prompt(world, "safe_sync", json!({"app_name": ra, "revision": rr})).await;
        let wrong = prompt(world, "safe_sync", json!({"app_name": wa, "revision": wr})).await;
        assert!(
            right.contains("Sync ") && wrong.contains("Sync "),
            "not reached: {right}"
        );
        found.extend(apart(&format!("prompt splice {label}"), &right, &wrong));
    }
    found
}

#[tokio::test]
async fn review39_finding_b1_prompt_splice_oracle() {
    let world = World::new().await;
    let found = prompt_splice_probes(&world).await;
    eprintln!("ORACLE prompt splice: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// prompts/get with the guess whole in one argument (sent as such): right and wrong read the same.
#[tokio::test]
async fn review39_held_prompt_whole_argument() {
    let world = World::new().await;
    let mut found = Vec::new();
    for (label, encode) in [
        ("plain", (|g: &str| g.to_owned()) as fn(&str) -> String),
        ("base64", |g| STANDARD.encode(g)),
        ("hex", hex_list),
        ("padded", |g| format!("  {g}  ")),
    ] {
        let right = prompt(&world, "triage_app", json!({"app_name": encode(PASSWORD)})).await;
        let wrong = prompt(&world, "triage_app", json!({"app_name": encode(WRONG)})).await;
        assert!(right.contains("Find out why"), "not reached: {right}");
        found.extend(apart(&format!("prompt whole {label}"), &right, &wrong));
    }
    assert!(found.is_empty(), "{found:?}");
}

/// `arguments::quoted` (Rust Debug, cut at a word past 128 bytes) for a bad app_name: literal
/// backslash escapes (doubled by Debug), control characters (escaped by Debug), and a hex
/// listing that the cut separates from a following word.
#[tokio::test]
async fn review39_held_quoted_debug_and_cut() {
    let world = World::new().await;
    type Enc = fn(&str) -> String;
    let pad = "a ".repeat(40);
    let encs: Vec<(&str, Enc)> = vec![
        ("literal \\u0077", |g| {
            format!("{}\\u{:04x}", &g[..g.len() - 1], g.as_bytes()[g.len() - 1])
        }),
        ("literal \\x77", |g| {
            format!("{}\\x{:02x}", &g[..g.len() - 1], g.as_bytes()[g.len() - 1])
        }),
        ("literal \\u{77}", |g| {
            format!(
                "{}\\u{{{:x}}}",
                &g[..g.len() - 1],
                g.as_bytes()[g.len() - 1]
            )
        }),
        ("newline inside", |g| {
            format!("{}\n{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
        ("tab inside", |g| {
            format!("{}\t{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
        ("crlf inside", |g| {
            format!("{}\r\n{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
        ("zwsp inside", |g| {
            format!("{}\u{200b}{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
        ("soft hyphen inside", |g| {
            format!("{}\u{ad}{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
        ("nul inside", |g| {
            format!("{}\u{0}{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
    ];
    let mut found = Vec::new();
    for (label, enc) in &encs {
        let right = world
            .call("get_argocd_app_status", json!({"app_name": enc(PASSWORD)}))
            .await
            .to_string();
        let wrong = world
            .call("get_argocd_app_status", json!({"app_name": enc(WRONG)}))
            .await
            .to_string();
        assert!(right.contains("Kubernetes name"), "not reached: {right}");
        found.extend(apart(&format!("quoted {label}"), &right, &wrong));
    }
    for tail in [" 7", " 41 41", " zz", "0", " 77"] {
        let mk = |g: &str| format!("{pad}{}{tail} {}", hex_list(g), "b".repeat(60));
        let right = world
            .call("get_argocd_app_status", json!({"app_name": mk(PASSWORD)}))
            .await
            .to_string();
        let wrong = world
            .call("get_argocd_app_status", json!({"app_name": mk(WRONG)}))
            .await
            .to_string();
        assert!(right.contains("bytes)"), "not cut: {right}");
        found.extend(apart(&format!("cut hex tail {tail:?}"), &right, &wrong));
    }
    eprintln!("ORACLE quoted: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// completion/complete quotes an unknown resource template with Debug; resources/read quotes
/// an unknown URI as sent.
#[tokio::test]
async fn review39_held_completion_and_resource_uri() {
    let world = World::new().await;
    let mut found = Vec::new();
    for (label, enc) in [
        ("plain", (|g: &str| g.to_owned()) as fn(&str) -> String),
        ("percent", |g| {
            format!("{}%{:02X}", &g[..g.len() - 1], g.as_bytes()[g.len() - 1])
        }),
        ("newline", |g| {
            format!("{}\n{}", &g[..g.len() - 2], &g[g.len() - 2..])
        }),
    ] {
        for (what, method, params) in [
            (
                "completion",
                "completion/complete",
                (|u: String| json!({"ref": {"type": "ref/resource", "uri": format!("x://{u}")}, "argument": {"name": "a", "value": ""}}))
                    as fn(String) -> Value,
            ),
            (
                "read",
                "resources/read",
                |u| json!({"uri": format!("x://{u}")}),
            ),
        ] {
            let ask = |g: &str| json!({"jsonrpc": "2.0", "id": 4, "method": method, "params": params(enc(g))});
            let right = status_and_body(&world.mcp(&ask(PASSWORD)).await);
            let wrong = status_and_body(&world.mcp(&ask(WRONG)).await);
            assert!(right.contains("x://"), "not reached: {right}");
            found.extend(apart(&format!("{what} {label}"), &right, &wrong));
        }
    }
    eprintln!("ORACLE uri: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// The URI's authority (an absolute-form target, or HTTP/2's `:authority`) is judged by the
/// site check and quoted in its 403 (`does not answer to host "…"`); `serve` counts the Host
/// header, the path and the body as sent, not the authority.
async fn authority_answer(world: &World, authority: &str, with_host: bool) -> String {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{authority}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25");
    if with_host {
        request = request.header("host", "localhost:8787");
    }
    let answer = crate::harness()
        .request(&world.env, request.body(bytes::Bytes::from(body)).unwrap())
        .await
        .expect("answers");
    status_and_body(&answer)
}

#[tokio::test]
async fn review39_finding_b2_authority_oracle() {
    let mut found = b2_probes(&World::new().await).await;
    // Before the bearer is asked for: the same with `mcp_auth_token` set and none sent.
    let mut world = World::new().await;
    world.set("mcp_auth_token", "mcp-bearer-secret-39");
    found.extend(
        b2_probes(&world)
            .await
            .into_iter()
            .map(|f| format!("{f} (bearer set)")),
    );
    eprintln!("ORACLE authority: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

async fn b2_probes(world: &World) -> Vec<String> {
    let mut found = Vec::new();
    for (label, enc) in [
        ("plain", (|g: &str| g.to_owned()) as fn(&str) -> String),
        ("upper", |g| g.to_ascii_uppercase()),
        ("base64", |g| STANDARD.encode(g)),
        ("with port", |g| format!("{g}:8787")),
    ] {
        for with_host in [true, false] {
            let right = authority_answer(world, &enc(PASSWORD), with_host).await;
            let wrong = authority_answer(world, &enc(WRONG), with_host).await;
            assert!(
                right.contains("host") || right.starts_with("4"),
                "not reached: {right}"
            );
            found.extend(apart(
                &format!("authority {label} host={with_host}"),
                &right,
                &wrong,
            ));
        }
    }
    found
}

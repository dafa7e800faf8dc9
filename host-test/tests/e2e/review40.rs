//! Fortieth hostile review (issue 19), fresh context, time box 45 minutes: the request check
//! (`OwnSecrets::unknown_to` over what `service::serve` / `service::call_tool` count as sent)
//! against places that JOIN, DECODE or RE-SPELL caller or upstream text, and the live feed.
//!
//! Findings (each a failing test, ignored "issue 19: review40 <id>"):
//! - S3 (medium: oracle on ANY settings secret shaped as a Kubernetes name, e.g. a lower-case
//!   passphrase `correct-horse-…`; server; `src/feed/watch.rs` `Scrubbing` built with
//!   `OwnSecrets::of` = all secrets): a caller who may create apps creates one named as its
//!   guess (and one wrong), subscribes (`subscriptions/listen`) naming both URIs, and the
//!   change notification's `argocd-mcp/change` says `"app":"argocd/***"`, `"summary":
//!   "argocd/***: health …"` for the right guess and the name for the wrong one (the same
//!   notification's `uri` carries the right guess in clear, so the `***` is pure oracle).
//!   Repro: `review40_finding_s3_feed_masks_what_the_caller_named` (secret in
//!   `extra_headers`; apps made with `create_argocd_app`; `set_health`). Fix: the feed's
//!   `Scrubbing` should take the subscription request's `OwnSecrets::unknown_to` (the stream
//!   already has it in `WithoutOwnSecrets`), or mask the app's identity fields (`app`, the
//!   summary's prefix) never, as the `uri` is not.
//! - S4 (medium: LEAK of a settings secret past ASCII; server, approval elicitation with
//!   `ARGOCD_REQUIRE_APPROVAL`; `src/tools/statement.rs` `shown`/`escaped`): the question
//!   states the app as Argo CD holds it with every character past printable ASCII written as
//!   `\u{00e4}`. No reading of the cleaning decodes that spelling (`reading::json_escape`
//!   takes `\u` + 4 hex digits only; the spellings hold raw UTF-8 and `\u00e4`), so a secret
//!   such as `R40-p\u{e4}sswort-Zq9` (an extra header value, the Argo CD password) that Argo
//!   CD holds in `targetRevision`, `path` or the destination namespace goes out in the
//!   elicitation as `targetRevision "R40-p\u{00e4}sswort-Zq9"`. Repro:
//!   `review40_finding_s4_approval_question_rust_escape_leak`. Fix: clean every statement
//!   line of the own secrets BEFORE escaping (or mask the masked app, own secrets included,
//!   before stating it), and/or teach the reading `\u{…}` (Rust's `escape_default`/
//!   `escape_unicode` spelling, also used by `patch_spelling` and `check_patch_is_kept`).
//! - S1 (low-medium: oracle on a settings secret holding `/`, as base64 tokens and proxy
//!   secrets often do; BOTH components; `src/tools/patch_spelling.rs`): the spelling check's
//!   refusal names the refused key by its path, keys joined by `/`. `patch_argocd_app
//!   {"patch": {"pr0xy": {"T0ken-r40": {"\u{17f}pec": 1}}}}` answers `the patch key
//!   /***/\u{17f}pec …` when `pr0xy/T0ken-r40` is a secret and `/pr0xy/T0ken-r4X/…` for a
//!   wrong guess: the sent body (or the plugin's re-serialized arguments) holds the keys
//!   apart, never joined, so `unknown_to` keeps the secret masked. No Argo CD request is made.
//!   Repro: `review40_finding_s1_patch_path_slash_join_oracle`. Fix: quote the refused key
//!   alone (escaped), or the path as a JSON array of keys (each key as sent); generally, count
//!   as sent what the server builds from sent parts before quoting it, or quote after the
//!   scrub.
//! - S2 (low-medium: the same with `.`, e.g. a JWT-shaped or dotted API key; server, approval
//!   elicitation; `src/tools/statement.rs` `child`): the question names each changed field
//!   `parent.key` for plain keys (`[A-Za-z0-9_-]`, which a JWT's segments are), so
//!   `valuesObject: {"pr0xy": {"T0ken-r40": "x"}}` is stated as `valuesObject.***: (absent) →
//!   "x"` for the right guess and `valuesObject.pr0xy.T0ken-r4X` for a wrong one. Repro:
//!   `review40_finding_s2_approval_path_dot_join_oracle`. Fix: as S1 (state paths from the
//!   cleaned keys, each key cleaned alone, or count the joined paths as sent).
//!
//! Held (passing tests that reach the place):
//! - `_meta.progressToken` echoed in every `notifications/progress` of `sync_argocd_app`
//!   `wait: true`: plain, first character `\u0041`-escaped, all characters escaped, upper-case:
//!   right and wrong read the same (the reading decodes JSON escapes in the body as sent).
//! - JSON-escaped echoes (`\u00XX` first/last character, upper and lower hex, `\/` in a `/`
//!   secret): method (`Method not found`), tool name, string id, app name (`quoted`), prompt
//!   argument and prompt name, resource URI (message and `data.uri`): no difference.
//! - The plugin's `call_tool` check over name + re-serialized arguments: a `patch-json` whose
//!   key is `\u0041dm1n-s3cret-pw` is parsed and re-serialized plainly, so the refusal
//!   `the patch sets 'Adm1n-s3cret-pw'` reads the same as a wrong guess.
//! - By reading: the feed's subscription refusals quote URIs the caller sent (through the
//!   stream's `unknown_to`); `AppRef::parse` lets only DNS names through; `check_patch_is_kept`
//!   quotes one key whole (`escape_default` only adds escapes).
//!
//! Not reached (time box): user mode (`identity/`: token-exchange `error_description`
//! through `OwnSecrets::of` in `delegation.rs`, `WWW-Authenticate`, Cookie), numeric
//! progress tokens, surrogate pairs with an astral-plane secret, `completion/complete`
//! argument values, the health check's report through `scrubbed(…)`, other joins found by
//! grep but not probed: `actions.rs`/`lifecycle.rs` `{kind}/{resource_name}` in answers after
//! a resource action or delete (same class as S1, needs the resource to exist), `can_i`'s
//! `question` (`resource action object` joined by spaces; resource and action are fixed-shape
//! words, so only a secret of that shape).

use std::time::Duration;

use serde_json::{Value, json};

use crate::planting::status_and_body;
use crate::{PASSWORD, World, harness};

const WRONG: &str = "Adm1n-s3cret-pX";
/// An extra proxy header value holding `/` (base64 secrets and tokens often do).
const SLASHED: &str = "pr0xy/T0ken-r40";
const SLASHED_WRONG: &str = "pr0xy/T0ken-r4X";
/// An extra proxy header value holding `.` (a JWT's segments, a dotted API key).
const DOTTED: &str = "pr0xy.T0ken-r40";
const DOTTED_WRONG: &str = "pr0xy.T0ken-r4X";

/// Right vs wrong answer for one probe: `Some(label)` when they read apart.
fn apart(label: &str, right: &str, wrong: &str) -> Option<String> {
    eprintln!("{label}:\n  right: {right}\n  wrong: {wrong}");
    (right.matches("***").count() != wrong.matches("***").count()
        || right.split(' ').next() != wrong.split(' ').next())
    .then(|| label.to_owned())
}

fn headers_json(value: &str) -> String {
    json!({"X-Proxy-Token": value}).to_string()
}

async fn world_with_header(value: &str, extra: &[(&str, &str)]) -> World {
    let headers = headers_json(value);
    let mut variables = vec![
        ("argocd_username", "admin"),
        ("argocd_password", PASSWORD),
        ("extra_headers", headers.as_str()),
    ];
    variables.extend_from_slice(extra);
    World::with(host_test::standin::Config::default(), &variables).await
}

fn plugin_env_with_header(world: &World, value: &str) -> host_test::embed::HostEnv {
    let mut env = crate::planting::plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_EXTRA_HEADERS".into(), headers_json(value)));
    env
}

/// A nested patch whose path of keys, joined by `/`, spells `secret`, ending in a key the
/// spelling check refuses (`ſ`, not ASCII).
fn slash_patch(secret: &str) -> Value {
    let (a, b) = secret.split_once('/').unwrap();
    json!({ a: { b: { "\u{17f}pec": 1 } } })
}

async fn server_patch(world: &World, patch: Value) -> String {
    world
        .call(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "patch": patch, "confirm": true}),
        )
        .await
        .to_string()
}

async fn plugin_patch(env: &host_test::embed::HostEnv, patch: &str) -> String {
    let (p, mut s) = harness().plugin(env).await.unwrap();
    match p
        .call_patch_argocd_app(&mut s, "guestbook", patch, None, true, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    }
}

/// The spelling check's refusal names the refused key by its path, keys joined by `/`: two
/// keys the caller sent apart make a secret holding `/` that neither key as sent holds.
#[tokio::test]
async fn review40_fixed_s1_patch_path_slash_join_oracle() {
    let mut found = Vec::new();
    // Server.
    let right_world = world_with_header(SLASHED, &[]).await;
    let right = server_patch(&right_world, slash_patch(SLASHED)).await;
    let wrong = server_patch(&right_world, slash_patch(SLASHED_WRONG)).await;
    assert!(
        right.contains("could be read by Argo CD"),
        "not reached: {right}"
    );
    found.extend(apart("server patch path", &right, &wrong));
    // Plugin.
    let env = plugin_env_with_header(&right_world, SLASHED);
    let right = plugin_patch(&env, &slash_patch(SLASHED).to_string()).await;
    let wrong = plugin_patch(&env, &slash_patch(SLASHED_WRONG).to_string()).await;
    assert!(
        right.contains("could be read by Argo CD"),
        "not reached: {right}"
    );
    found.extend(apart("plugin patch path", &right, &wrong));
    eprintln!("ORACLE s1: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// The approval question names each changed field by its path, plain keys joined by `.`.
#[tokio::test]
async fn review40_fixed_s2_approval_path_dot_join_oracle() {
    let world = world_with_header(DOTTED, &[("require_approval", "true")]).await;
    let ask = |secret: &str| {
        let (a, b) = secret.split_once('.').unwrap();
        json!({"name": "patch_argocd_app", "arguments": {
            "app_name": "guestbook", "confirm": true,
            "patch": {"spec": {"source": {"helm": {"valuesObject": {a: {b: "x"}}}}}}}})
    };
    let right = crate::planting::asked_text(&world, &ask(DOTTED)).await;
    let wrong = crate::planting::asked_text(&world, &ask(DOTTED_WRONG)).await;
    assert!(
        right.contains("An agent asks to run"),
        "not reached: {right}"
    );
    let found: Vec<String> = apart("approval path", &right, &wrong).into_iter().collect();
    eprintln!("ORACLE s2: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// `_meta.progressToken` comes back in every progress notification of a waiting sync: plain,
/// JSON-escaped (`\u0041dm1n…` as sent; decoded before it is quoted), upper-cased.
#[tokio::test]
async fn review40_held_progress_token_echo() {
    let world = World::with(
        host_test::standin::Config {
            operation_time: Duration::from_millis(2500),
            ..Default::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    let escaped = |g: &str| {
        let mut out = String::new();
        for c in g.chars() {
            out.push_str(&format!("\\u{:04x}", c as u32));
        }
        out
    };
    let mut found = Vec::new();
    for (label, token) in [
        (
            "plain",
            (|g: &str| format!("\"{g}\"")) as fn(&str) -> String,
        ),
        ("first escaped", |g| {
            format!("\"\\u{:04X}{}\"", g.as_bytes()[0], &g[1..])
        }),
        ("upper", |g| format!("\"{}\"", g.to_ascii_uppercase())),
        ("all escaped", |_| String::new()),
    ] {
        let tok = |g: &str| {
            if label == "all escaped" {
                format!("\"{}\"", escaped(g))
            } else {
                token(g)
            }
        };
        let body = |g: &str| {
            format!(
                r#"{{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{{"name":"sync_argocd_app","arguments":{{"app_name":"guestbook","confirm":true,"wait":true,"timeout_seconds":30}},"_meta":{{"progressToken":{}}}}}}}"#,
                tok(g)
            )
        };
        let mut answers = Vec::new();
        for g in [PASSWORD, WRONG] {
            let response = world
                .http(
                    "POST",
                    "/mcp",
                    &[
                        ("content-type", "application/json"),
                        ("accept", "application/json, text/event-stream"),
                        ("mcp-protocol-version", "2025-11-25"),
                    ],
                    &body(g),
                )
                .await;
            answers.push(status_and_body(&response));
        }
        let echoed = ["Adm1n", "ADM1N", "***"]
            .iter()
            .map(|s| {
                answers[0]
                    .matches(&format!("\"progressToken\":\"{s}"))
                    .count()
            })
            .sum::<usize>();
        assert!(
            answers[0].contains("notifications/progress") && echoed >= 1,
            "not reached: {}",
            answers[0]
        );
        found.extend(apart(
            &format!("progress token {label}"),
            &answers[0],
            &answers[1],
        ));
    }
    eprintln!("ORACLE progress: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// Values the server quotes after decoding JSON, sent with `\u00XX` escapes (upper and lower
/// hex) and `\/`: method, tool name, id, app name, prompt argument, resource URI.
#[tokio::test]
async fn review40_held_json_escaped_echoes() {
    let world = world_with_header(SLASHED, &[]).await;
    let first_escaped = |g: &str| format!("\\u{:04X}{}", g.as_bytes()[0], &g[1..]);
    let last_escaped =
        |g: &str| format!("{}\\u{:04x}", &g[..g.len() - 1], g.as_bytes()[g.len() - 1]);
    type Body = fn(&str) -> String;
    let bodies: Vec<(&str, Body)> = vec![
        ("method", |g| {
            format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{g}","params":{{}}}}"#)
        }),
        ("tool name", |g| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"{g}","arguments":{{}}}}}}"#
            )
        }),
        ("id", |g| {
            format!(r#"{{"jsonrpc":"2.0","id":"{g}","method":"nope/x","params":{{}}}}"#)
        }),
        ("app name", |g| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"get_argocd_app_status","arguments":{{"app_name":"{g}"}}}}}}"#
            )
        }),
        ("prompt argument", |g| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{{"name":"triage_app","arguments":{{"app_name":"{g}"}}}}}}"#
            )
        }),
        ("prompt name", |g| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{{"name":"{g}","arguments":{{}}}}}}"#
            )
        }),
        ("resource uri", |g| {
            format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{{"uri":"x://{g}"}}}}"#
            )
        }),
    ];
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    let mut found = Vec::new();
    let mut reached = 0;
    let slash_escaped = |g: &str| g.replace('/', "\\/");
    for (what, body) in &bodies {
        for (how, right_g, wrong_g) in [
            (
                "first \\u00XX",
                first_escaped(PASSWORD),
                first_escaped(WRONG),
            ),
            ("last \\u00xx", last_escaped(PASSWORD), last_escaped(WRONG)),
            (
                "slash \\/",
                slash_escaped(SLASHED),
                slash_escaped(SLASHED_WRONG),
            ),
        ] {
            let right =
                status_and_body(&world.http("POST", "/mcp", &headers, &body(&right_g)).await);
            let wrong =
                status_and_body(&world.http("POST", "/mcp", &headers, &body(&wrong_g)).await);
            if right.contains(PASSWORD) || right.contains(SLASHED) || right.contains("***") {
                reached += 1;
            }
            found.extend(apart(&format!("{what} {how}"), &right, &wrong));
        }
    }
    eprintln!("ORACLE json escapes: {found:?} (reached {reached})");
    assert!(reached >= 6, "only {reached} echoes reached");
    assert!(found.is_empty(), "{found:?}");
}

/// The plugin counts name + arguments re-serialized; a patch sent as JSON text with escapes
/// is parsed, so its keys as re-serialized hold the guess plainly.
#[tokio::test]
async fn review40_held_plugin_escaped_patch_text() {
    let world = World::new().await;
    let mut env = crate::planting::plugin_env(&world.standin);
    env.env.push(("ARGOCD_USERNAME".into(), "admin".into()));
    env.env.retain(|(k, _)| k != "ARGOCD_TOKEN");
    env.env.push(("ARGOCD_PASSWORD".into(), PASSWORD.into()));
    let mk = |g: &str| format!(r#"{{"\u{:04x}{}": 1}}"#, g.as_bytes()[0], &g[1..]);
    let right = plugin_patch(&env, &mk(PASSWORD)).await;
    let wrong = plugin_patch(&env, &mk(WRONG)).await;
    assert!(
        right.contains(PASSWORD) || right.contains("***"),
        "not reached: {right}"
    );
    let found: Vec<String> = apart("plugin escaped patch", &right, &wrong)
        .into_iter()
        .collect();
    assert!(found.is_empty(), "{found:?}");
}

/// A secret shaped as a Kubernetes name (a lower-case passphrase with dashes).
const DNS_SECRET: &str = "correct-horse-r40-staple";
const DNS_WRONG: &str = "correct-horse-r40-stapxe";

/// The live feed's notifications were cleaned of ALL the settings' secrets
/// (`feed/watch.rs` `Scrubbing`, `OwnSecrets::of`), not of those the caller did not send: an
/// app the caller named (created under its guess, subscribed to by its URI) was told as
/// `argocd/***` when the guess was right, by name when it was wrong. Fixed: the feed is
/// cleaned of the secrets the subscribing request did not send.
#[tokio::test]
async fn review40_fixed_s3_feed_masks_what_the_caller_named() {
    let world = world_with_header(DNS_SECRET, &[]).await;
    for name in [DNS_SECRET, DNS_WRONG] {
        let created = world
            .call(
                "create_argocd_app",
                json!({"name": name, "project": "default",
                "repo_url": "https://git.example/x.git", "path": "x", "dest_namespace": "x",
                "confirm": true}),
            )
            .await;
        assert_eq!(created["isError"], false, "{created}");
    }
    let uri = |n: &str| format!("argocd://applications/argocd/{n}");
    let body = crate::modern::modern_body(
        40,
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions": [uri(DNS_SECRET), uri(DNS_WRONG)]}}),
    );
    let mut request = hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (name, value) in crate::modern::mirrored(&body) {
        request = request.header(name, value);
    }
    let request = request
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap();
    let response = harness().serve(&world.env, request).await.unwrap();
    let mut body = response.into_body();
    let mut buffer = String::new();
    let mut next = async || -> Option<Value> {
        use http_body_util::BodyExt;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                    continue;
                };
                return Some(serde_json::from_str(data).unwrap());
            }
            let frame = tokio::time::timeout_at(deadline, body.frame())
                .await
                .ok()??;
            if let Ok(data) = frame.ok()?.into_data() {
                buffer.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    };
    let ack = next().await.expect("an acknowledgment");
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );
    for _ in 0..300 {
        if world.standin.open_watches() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut told = Vec::new();
    for name in [DNS_SECRET, DNS_WRONG] {
        assert!(world.standin.set_health(name, "Degraded"), "no app {name}");
        let update = next().await.expect("a notification");
        told.push(update.to_string());
    }
    // Each told with its own name as "GUESS": the rest must read alike.
    let (right, wrong) = (
        told[0].replace(DNS_SECRET, "GUESS"),
        told[1].replace(DNS_WRONG, "GUESS"),
    );
    assert_eq!(right, wrong);
    let found: Vec<String> = apart("feed change", &right, &wrong).into_iter().collect();
    assert!(
        told[0].contains(DNS_SECRET) || told[0].contains("***"),
        "not reached: {}",
        told[0]
    );
    eprintln!("ORACLE s3: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

/// A secret past ASCII (a German passphrase), as the approval question writes text past ASCII
/// (`\u{…}`, Rust's spelling, which no reading of the cleaning decodes).
const UMLAUT: &str = "R40-p\u{e4}sswort-Zq9";

/// The approval question states the app as Argo CD holds it (source, destination) with every
/// character past printable ASCII escaped `\u{…}`: a settings secret Argo CD quotes there (a
/// revision, a path) must not come out in that spelling either.
#[tokio::test]
async fn review40_fixed_s4_approval_question_rust_escape_leak() {
    let world = world_with_header(UMLAUT, &[("require_approval", "true")]).await;
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("guestbook").expect("guestbook");
        record.app["spec"]["source"]["targetRevision"] = json!(UMLAUT);
        record.app["spec"]["source"]["path"] = json!(format!("deploy/{UMLAUT}"));
        record.app["spec"]["destination"]["namespace"] = json!(UMLAUT);
    }
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"metadata": {"labels": {"checked": "yes"}}}}});
    let answer = crate::planting::asked(&world, &call).await;
    let question = crate::planting::question_in(&answer);
    eprintln!("question:\n{question}");
    let escaped: String = UMLAUT
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{{{:04x}}}", c as u32)
            }
        })
        .collect();
    let text = answer.to_string();
    let mut found = Vec::new();
    for spelled in [
        UMLAUT.to_owned(),
        escaped.clone(),
        escaped.replace("\\", "\\\\"),
    ] {
        if text.contains(&spelled) || question.contains(&spelled) {
            found.push(spelled);
        }
    }
    eprintln!("LEAK approval: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

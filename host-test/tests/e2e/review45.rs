//! Forty-fifth hostile review (issue 19), fresh context, time box 25 minutes: the new "a secret
//! of several words counts as sent when each word is sent" rule (`OwnSecrets::unknown_to`,
//! `holds_word`, `serve`'s `json_texts`) and `masking::name_words`, through the server as
//! shipped (wasmtime). No product code changed.
//!
//! Findings (each a failing test, ignored "issue 19: review45 <id>"):
//!
//! - L1 (HIGH, leak, server; `src/tools/scrub/own_secrets.rs` `OwnSecrets::unknown_to` /
//!   `holds_words`): ZERO knowledge. Any own secret whose ASCII-alphanumeric words are all at
//!   most 3 characters is shown whole (exact case, order, separators) wherever Argo CD quotes
//!   it, to a caller whose request holds every 1–3 character word: 36+36²+36³ words, ~190 KB,
//!   under the 1 MiB body limit, in an ignored `params._meta.note`. Repro:
//!   `ARGOCD_EXTRA_HEADERS={"X-Proxy-Key":"Kx-9q-Z2-7w"}`, guestbook condition message
//!   `the proxy echoed Kx-9q-Z2-7w back`; `tools/call get_argocd_app_status {app_name:
//!   guestbook}` plain → `echoed *** back`; the same with `_meta.note = "a b … 999 zzz"` →
//!   `echoed Kx-9q-Z2-7w back`. Generated tokens of short groups (`xk2-9qa-…`), licence keys,
//!   any word ≤3 chars the secret has, fall this way; 4-digit numbers (`2024`) cost 50 KB more.
//! - L2 (HIGH, leak, server; same place): knowledge of a word LIST only. A passphrase of list
//!   words (`Correct-Horse-Battery-Staple`, diceware/EFF: 7776 words, ~60–80 KB) is shown whole
//!   to ONE request holding the list; the caller learns which words, their order, separators
//!   and case — i.e. the whole secret — without guessing any of it. The rule also turns guessing
//!   into a per-word search: a request holding candidate sets S₁…S_k tests all |S₁|·…·|S_k|
//!   combinations at once (the secret shows iff every word is in the request).
//! - L3 (medium, leak of order/case/separators; same place; extends documented review37 A2):
//!   `_meta.note = "PW S3CRET ADM1N"` unmasks the Argo CD password `Adm1n-s3cret-pw` in its
//!   exact form in the planted condition. A caller that knows the words (but not order, case
//!   or separators: 3!·2^n·separators combinations) learns them.
//!   Fix for L1–L3: drop the "each word anywhere" rule. Count a secret as sent only when the
//!   request holds it byte for byte (or as a whole in one of the joins this server itself
//!   makes, computed from the request: `{kind} {name}`, `can_i`'s question, the approval path),
//!   or better (review37 A1's fix) never switch a secret's masking off: mask the whole answer
//!   with every own secret and put back only the caller's own echoed argument bytes (replace
//!   each sent argument by a placeholder in the upstream's text before masking, restore after).
//!   At the least, require each word ≥ 8 chars and the words to appear adjacent in one text in
//!   the secret's order — but that still leaves the oracle shape.
//! - N1 (low, under-hiding, both; `src/tools/masking.rs` `name_words`): a credential word with
//!   digits and then letters glued after it in lower case is not read as the word: `key2b=…`,
//!   `db_pass2x=…` shown (while `KEY_2A`, `apikey2b`, `DB_PASS2` hide). Fix: also strip a
//!   `\d+[a-z]{0,2}` tail (a version/variant suffix) before looking up the word, or read digits
//!   as a word boundary in lower-case names.
//! - L4 (part of L1–L3, server): the same words unmask through the `Accept` header
//!   (`application/json, text/event-stream, kx/9q, z2/7w`), the path's query string
//!   (`POST /mcp?kx=9q&z2=7w` is served normally), and glued to non-ASCII letters
//!   (`éKxé9qéZ2é7wé`: `holds_word` takes any non-ASCII byte as a word boundary, while
//!   `words_of` keeps non-ASCII inside words). Same fix as L1–L3.
//!
//! Held:
//! - no word-by-word signal: a request holding only some words (`adm1n s3cret`), a word only
//!   inside another (`s3cretly`, `pwx`), a word cut (`adm1n-s3c ret-pw`) leaves `***`
//!   (`review45_held_partial_words_leave_password_hidden`);
//! - `name_words` over-hiding: `ipv4 http2 k8s sha256 md5sum base64 utf8 oauth2 s3 ec2 v1 h2
//!   x509 bypass2 pk2` and `keys[0][1]` (JWKS-like `keys` alone) stay shown; `pin2` is hidden
//!   (a PIN: intended);
//! - numbered credentials hidden: `API_KEY2 DB_PASS2 KEY_2A apikey2b pw2 token2x secret_v2
//!   API_KEY_V2 api_keys[0][1][2] passwd1a` (`indexed_name` reads `[0][1][2]`).
//!
//! Not reached (time box): the plugin (`call_tool` name + arguments JSON: `get-argocd-app-status`
//! has no free string argument that leaves the lookup working; the same rule is applied to
//! `[name, arguments]` in `src/service.rs` so L1–L3 are expected to hold there with any tool
//! whose free string argument is quoted beside a planted secret); words inside `Host`/`Origin`/
//! `Mcp-*` and the health check's `profile` (the same `sent` list; `Accept` and the query
//! reached in L4); joins without separators and secrets of one word
//! split across two fields (`Adm1n-s3c` + `ret-pw` is not counted, by design of whole words:
//! an oracle only if some join glues fields without a separator — none found in the time);
//! `quoted`'s 128-byte cut; OIDC client secret and MCP bearer as the planted secret (same
//! `secret_values` list as `ARGOCD_EXTRA_HEADERS`, used here).

use serde_json::{Value, json};

use crate::{PASSWORD, World};

fn plant_condition(world: &World, secret: &str) {
    let mut state = world.standin.state();
    let app = state.apps.get_mut("guestbook").expect("guestbook");
    app.app["status"]["conditions"] = json!([{
        "type": "ComparisonError",
        "message": format!("the proxy echoed {secret} back"),
    }]);
}

fn status_call(note: Option<&str>) -> Value {
    let mut call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}});
    if let Some(note) = note {
        call["params"]["_meta"] = json!({"note": note});
    }
    call
}

async fn answer(world: &World, note: Option<&str>) -> String {
    let response = world.mcp_with(&status_call(note), &[]).await;
    String::from_utf8_lossy(&response.body).into_owned()
}

/// A world whose `ARGOCD_EXTRA_HEADERS` holds `secret` (an own secret), quoted by Argo CD in a
/// condition of guestbook.
async fn header_world(secret: &str) -> World {
    let mut world = World::new().await;
    world.set("extra_headers", &json!({"X-Proxy-Key": secret}).to_string());
    plant_condition(&world, secret);
    world
}

/// Every lower-case ASCII alphanumeric word of 1 to 3 characters, space-separated (~190 KB):
/// no knowledge of any secret at all.
fn all_short_words() -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::new();
    for a in ALNUM {
        out.push(*a as char);
        out.push(' ');
        for b in ALNUM {
            out.push(*a as char);
            out.push(*b as char);
            out.push(' ');
            for c in ALNUM {
                out.push(*a as char);
                out.push(*b as char);
                out.push(*c as char);
                out.push(' ');
            }
        }
    }
    out
}

/// A stand-in for a diceware list (7776 words: the EFF long list's size) holding the four words
/// of the planted passphrase among generated ones: the caller knows the list, not the phrase.
fn word_list() -> String {
    let mut words: Vec<String> = (0..7772)
        .map(|i| format!("w{}{}", ["alpha", "bravo", "delta", "omega"][i % 4], i))
        .collect();
    for (at, word) in [
        (100, "staple"),
        (2000, "horse"),
        (4000, "correct"),
        (7000, "battery"),
    ] {
        words.insert(at, word.to_owned());
    }
    words.join(" ")
}

/// L1: zero knowledge. A secret whose words are all 1–3 ASCII letters/digits (here an
/// `ARGOCD_EXTRA_HEADERS` value `Kx-9q-Z2-7w`; a generated `xxx-xxx-xxx` token, a
/// `a1b-c2d-…` licence key) is shown in full, exact case, order and separators, to a caller
/// whose request holds every short word (~190 KB in an ignored `_meta.note`).
#[tokio::test]
async fn review45_fixed_l1_all_short_words_unmask_any_short_word_secret() {
    let secret = "Kx-9q-Z2-7w";
    let world = header_world(secret).await;
    let plain = answer(&world, None).await;
    assert!(plain.contains("the proxy echoed"), "not reached: {plain}");
    assert!(!plain.contains(secret), "shown unasked: {plain}");
    let stuffed = answer(&world, Some(&all_short_words())).await;
    let at = stuffed.find("the proxy echoed").expect("reached");
    eprintln!("L1: {}", &stuffed[at..at + 60]);
    assert!(
        !stuffed.contains(&format!("echoed {secret} back")),
        "a request holding every short word shows the secret whole: {}",
        &stuffed[at..at + 60]
    );
}

/// L2: knowledge of the word LIST only. A passphrase of list words (`Correct-Horse-Battery-
/// Staple`) is shown whole to a caller that sends the whole list (~80 KB): one request, no
/// guess of order, separators or case.
#[tokio::test]
async fn review45_fixed_l2_word_list_unmasks_passphrase() {
    let secret = "Correct-Horse-Battery-Staple";
    let world = header_world(secret).await;
    let plain = answer(&world, None).await;
    assert!(plain.contains("the proxy echoed"), "not reached: {plain}");
    assert!(!plain.contains(secret), "shown unasked: {plain}");
    let listed = answer(&world, Some(&word_list())).await;
    let at = listed.find("the proxy echoed").expect("reached");
    eprintln!("L2: {}", &listed[at..at + 60]);
    assert!(
        !listed.contains(secret),
        "a request holding the word list shows the passphrase whole"
    );
}

/// L3: the words unordered, in the wrong case: the password `Adm1n-s3cret-pw` shown in its exact
/// case, order and separators to a caller that sent `PW S3CRET ADM1N`.
#[tokio::test]
async fn review45_fixed_l3_words_in_any_order_and_case_show_exact_password() {
    let world = World::new().await;
    plant_condition(&world, PASSWORD);
    let body = answer(&world, Some("PW S3CRET ADM1N")).await;
    assert!(body.contains("the proxy echoed"), "not reached: {body}");
    eprintln!("L3: {body}");
    assert!(
        !body.contains(PASSWORD),
        "the exact password shows from its words unordered"
    );
}

/// Held: a word only partly sent (`adm1n s3cret` without `pw`, `s3cret` only inside
/// `s3cretly`) leaves the password hidden: no word-by-word signal.
#[tokio::test]
async fn review45_held_partial_words_leave_password_hidden() {
    let world = World::new().await;
    plant_condition(&world, PASSWORD);
    for note in [
        "adm1n s3cret",
        "adm1n s3cretly pw",
        "adm1n-s3c ret-pw",
        "adm1n_s3cret_pwx",
    ] {
        let body = answer(&world, Some(note)).await;
        assert!(body.contains("the proxy echoed *** back"), "{note}: {body}");
    }
}

/// Name words: ordinary names with trailing digits are not taken for credentials, and what is
/// hidden / not hidden under the new `name_words`.
#[test]
fn review45_held_ordinary_numbered_names_not_hidden() {
    for name in [
        "ipv4",
        "http2",
        "k8s",
        "sha256",
        "md5sum",
        "base64",
        "utf8",
        "oauth2",
        "s3",
        "ec2",
        "v1",
        "h2",
        "x509",
        "bypass2",
        "pk2",
        "keys[0][1]",
    ] {
        let text = format!("{name}=Qz7vLw3pX9");
        let shown = argocd_mcp::tools::without_credentials(&text);
        eprintln!("{text} -> {shown}");
        assert_eq!(shown, text, "{name} over-hidden");
    }
}

/// Held: numbered credentials' names hidden (the N1 fix), in the brief's variants.
#[test]
fn review45_held_numbered_credential_names_hidden() {
    for name in [
        "API_KEY2",
        "DB_PASS2",
        "KEY_2A",
        "apikey2b",
        "pw2",
        "token2x",
        "secret_v2",
        "API_KEY_V2",
        "api_keys[0][1][2]",
        "passwd1a",
        "pin2",
    ] {
        let text = format!("{name}=Qz7vLw3pX9");
        let shown = argocd_mcp::tools::without_credentials(&text);
        assert!(!shown.contains("Qz7vLw3pX9"), "{text} -> {shown}");
    }
}

/// N1 (low): a credential word with digits and then letters glued after it, lower case, is not
/// read as the word: `key2b`, `db_pass2x` shown (while `KEY_2A`, `apikey2b`, `DB_PASS2` hide).
#[test]
fn review45_finding_n1_digit_then_letter_suffix_shown() {
    for name in ["key2b", "db_pass2x"] {
        let text = format!("{name}=Qz7vLw3pX9");
        let shown = argocd_mcp::tools::without_credentials(&text);
        assert!(!shown.contains("Qz7vLw3pX9"), "{text} -> {shown}");
    }
}

/// L4: L1–L3 by other channels: the words in `Accept`, in the path's query (`/mcp?kx=9q&z2=7w`
/// is served), glued to non-ASCII letters (`éKxé9qéZ2é7wé`: `holds_word` takes a non-ASCII byte
/// for a boundary).
#[tokio::test]
async fn review45_fixed_l4_words_by_accept_query_and_non_ascii_glue() {
    let secret = "Kx-9q-Z2-7w";
    let world = header_world(secret).await;
    let shown = |body: &str| body.contains(&format!("echoed {secret} back"));
    let accept = world
        .mcp_with(
            &status_call(None),
            &[(
                "accept",
                "application/json, text/event-stream, kx/9q, z2/7w",
            )],
        )
        .await;
    let accept = String::from_utf8_lossy(&accept.body).into_owned();
    let message = status_call(None).to_string();
    let query = world
        .http(
            "POST",
            "/mcp?kx=9q&z2=7w",
            &[
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            &message,
        )
        .await;
    let query = String::from_utf8_lossy(&query.body).into_owned();
    let glued = answer(&world, Some("éKxé\u{e9}9q\u{e9}Z2\u{e9}7w\u{e9}")).await;
    eprintln!(
        "accept shown={} ({}), query shown={} ({}), glued shown={} ({})",
        shown(&accept),
        accept.contains("the proxy echoed"),
        shown(&query),
        query.contains("the proxy echoed"),
        shown(&glued),
        glued.contains("the proxy echoed")
    );
    for (channel, body) in [("accept", &accept), ("query", &query), ("glued", &glued)] {
        assert!(
            body.contains("the proxy echoed"),
            "{channel} not reached: {body}"
        );
        assert!(!shown(body), "{channel}: the secret shows from its words");
    }
}

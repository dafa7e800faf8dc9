//! Thirty-eighth hostile review (issue 19), fresh context, time box 25 minutes: the own-secret
//! request check (`OwnSecrets::unknown_to` over the texts `service::serve` counts as sent),
//! two-line pairs as text, cost of the request check on a 1 MiB body.
//!
//! Findings (each a failing test, ignored "issue 19: review38 <id>"):
//! - A1 (medium-high: an MCP caller, the bearer's holder where `mcp_auth_token` is set, anyone
//!   where none is; oracle on the Argo CD password with NO upstream quote, server;
//!   `src/mcp/http.rs` `check_mirrored_headers` + `decode_header_value`, against
//!   `src/service.rs` `serve`'s request check): a 2026-07-28 request's `Mcp-Method` (also
//!   `Mcp-Name`, `Mcp-Param-*`, same decoder) may be written `=?base64?…?=`; the header check
//!   decodes it and quotes the DECODED text in its -32020 refusal. The request check reads the
//!   header only as sent (base64 of the decoded text), so a decoded text that spells the
//!   password in a way only the answer's masking reads (an escape, base64, a hex listing, an
//!   HTML entity) is not "sent": the password stays masked for the answer, and the echo of a
//!   right guess comes back `***` while a wrong one comes back as sent. Repro: POST /mcp,
//!   body `modern_body(1, "tools/list", {})` with its mirrored headers but
//!   `Mcp-Method: =?base64?<base64 of "Adm1n-s3cret-p\u0077">?=` answers
//!   `Mcp-Method is \"***\" but the body's method is \"tools/list\"`; with
//!   `…-p\u0058` it answers `Mcp-Method is \"Adm1n-s3cret-p\\u0058\"`. Same with the
//!   decoded text `Adm1n-s3cret-p%77`, `Adm1n-s3cret-p&#119;`, `QWRtMW4tczNjcmV0LXB3` (base64
//!   of the password) and `41 64 6d … 77` (hex listing). One HTTP request a guess, no Argo CD
//!   login, no lockout; a 400 before any tool runs.
//!   Fix: count what the server decodes from a request as sent too (the decoded values of
//!   every `=?base64?…?=` header, in `serve` before `unknown_to`); better, the general fix of
//!   review37 A1: quote the caller's own text only after masking (write echo sites after the
//!   scrub), so the request check is not needed for the server's own refusals at all.
//! - A2 (medium-high, same reach as A1, same oracle through the path, server; `src/service.rs` `profile_query` +
//!   `RequestContext::with_profile`'s refusal, with details on: no `mcp_auth_token`, or the
//!   bearer's holder): `GET /health/argocd?profile=<name>` percent-decodes the name and quotes
//!   it (404 `profile "<name>" is unknown…`); the request check reads the path as sent, one
//!   escape deep. Repro: `GET /health/argocd?profile=Adm1n-s3cret-p%5Cu0077` answers
//!   `profile \"***\" is unknown`, `…-p%5Cu0058` answers `profile \"Adm1n-s3cret-p\\u0058\"
//!   is unknown`; likewise the hex listing (`41%2064%20…%2077`) and `%26%23119%3B`
//!   (`&#119;`). Fix: as A1 (count the decoded query value as sent, or quote it after the
//!   scrub); also consider not quoting an unknown profile name at all.
//! - A3 (HIGH, pre-authentication oracle on the OIDC client secret in user mode, claim (b)
//!   broken, server; `src/identity/jwt.rs` `Unverified::parse` → `Rejection::Algorithm`'s
//!   Display quoting the unverified header's `alg`, via `identity::authenticate`'s
//!   `InvalidToken(rejection.to_string())` into the 401 body; `serve` does not count
//!   `Authorization` as sent): anyone who can reach /mcp sends `Authorization: Bearer
//!   <b64url({"alg":"<guess>","typ":"JWT"})>.e30.AAAA`; the 401 JSON-RPC body reads
//!   `the token is signed with \"***\"; …` for the right client secret and quotes the guess
//!   for a wrong one (the plain guess, and `\u`/`%`/`&#…;`/base64/hex spellings alike).
//!   (The `WWW-Authenticate` error_description quotes the alg unmasked in both cases, so the
//!   header itself is no oracle but also no place the scrub reaches.) No token, no login, no
//!   lockout: one request a guess. Fix: never quote an unverified token's fields (say "the
//!   token's alg is not RS256 or ES256"); generally, quote caller text after the scrub (A1).
//! - P1 (low-medium, pairs as text, both components; `src/tools/scrub/files.rs`
//!   `ini_pair_value`/`ini_entry`): a shell env file (`export PARAM_NAME=DB_PASSWORD` then
//!   `export PARAM_VALUE=<v>`, as `source`d files and `.envrc` write it) shows the value in
//!   get_argocd_resource of a ConfigMap, where the same lines without `export ` are hidden
//!   (review37 held "env underscore"). Fix: skip a leading `export `/`declare -x `/`set ` (and
//!   `setenv NAME value` of csh) before the key in `ini_entry`.
//!
//! Held (passing tests that reach the place):
//! - A tool's `profile` argument (quoted in its refusal) with the guess plain, `\u`-escaped
//!   in the decoded string, `%`-escaped, base64, hex-listed, HTML-entity: right and wrong
//!   guesses read the same (same status, same number of masks); so do the plain case of A1
//!   and the plain, `%`-escaped (`%2577`) and base64 cases of A2.
//! - 1 MiB `_meta.note` bodies (near-misses of the password repeated, `%41`, `\\`, hex
//!   bytes, `&`, spaces, non-ASCII runs, with an extra-header secret holding spaces and
//!   non-ASCII letters), with and without the guess at the end: each call under 0.6 s (the
//!   guess makes the N+1 readings, about 2x). A 1 MiB body of base64 lines gets 413.
//! - Pairs as text: Hadoop XML `<name>`/`<value>`, value before name, YAML list and CFN
//!   `ParameterKey`/`ParameterValue` in a text, YAML flow on one line, TOML `[[param]]`,
//!   `headerName: X-Api-Key`, JSON in a text, .properties entries 6 lines apart, INI name 6
//!   lines after the value, an HCL block. Not counted: `param.0.name\u003ddb.password`
//!   shows the value, but Java splits a key at a raw `=` only, so that key is the whole line.
//! - Cost: two ConfigMaps of 40,000 INI lines each (`value=x` / `name=db_password` in one
//!   section) read through both components in 3.7-4.0 s in all (not quadratic at this size).
//!
//! - Selectors (quick): `, db_password=x`, a bare `db_password` requirement, a prefixed key with
//!   `in`, `DB-PASSWORD`, `dbPassword`, `,,`, `client_secret`, `private-key`, `auth`, a blank
//!   before `,` are refused before Argo CD is asked. Not counted: `db_passw\u{2060}ord=x` and
//!   `team=a;db_password=x` reach Argo CD (the stand-in answers an empty list), but
//!   Kubernetes' `labels.Parse` rejects both (U+2060 is no label-key character; after the
//!   value `a;db_password` a second `=` is a syntax error); worth refusing non-ASCII keys.
//! - A1's reach: with `mcp_auth_token` set, the request without the bearer gets 401 before
//!   the header check; a guess of the password as the (wrong) bearer or in `x-guess` reads as
//!   a wrong one (outside user mode).
//!
//! Not reached (time box): Cookie and other unread headers in user mode, other quoted JWT
//! fields (iss/aud/kid in later refusals, after the signature is checked?), SSE/progress
//! tokens, `completion/complete`, `prompts/get`, `resources/read`, approval elicitations, the
//! plugin's request check (`call_tool`: name + arguments JSON; the plugin has no header
//! decoder, so A1's shape needs another decoding echo), pod logs for pairs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::modern::{mirrored, modern_body};
use crate::planting::{config_map, leaks_in_live, selector_requests, status_and_body};
use crate::{PASSWORD, World};

const WRONG: &str = "Adm1n-s3cret-pX";

/// The last character of `guess` written as `f(last)`.
fn last_as(guess: &str, f: impl Fn(u8) -> String) -> String {
    let (head, last) = guess.split_at(guess.len() - 1);
    format!("{head}{}", f(last.as_bytes()[0]))
}

type Encode = fn(&str) -> String;

fn encodings() -> Vec<(&'static str, Encode)> {
    vec![
        ("plain", |g| g.to_owned()),
        ("json \\u", |g| last_as(g, |b| format!("\\u{b:04x}"))),
        ("percent", |g| last_as(g, |b| format!("%{b:02X}"))),
        ("base64", |g| STANDARD.encode(g)),
        ("hex list", |g| {
            g.bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        }),
        ("html entity", |g| last_as(g, |b| format!("&#{b};"))),
    ]
}

/// Mcp-Method (2026-07-28) as `=?base64?…?=`: decoded and quoted by the header check. The
/// request check reads the header as sent (base64 of the decoded text), the answer's masking
/// reads the decoded text through its escapes.
async fn mcp_method_answer(world: &World, decoded: &str) -> String {
    let body = modern_body(1, "tools/list", json!({}));
    let mut headers = mirrored(&body);
    for (name, value) in headers.iter_mut() {
        if name == "mcp-method" {
            *value = format!("=?base64?{}?=", STANDARD.encode(decoded));
        }
    }
    headers.push(("content-type".into(), "application/json".into()));
    headers.push((
        "accept".into(),
        "application/json, text/event-stream".into(),
    ));
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    status_and_body(
        &world
            .http("POST", "/mcp", &headers, &body.to_string())
            .await,
    )
}

/// Right and wrong guess of `crate::PASSWORD` through `answer`; returns the encodings whose
/// answers tell them apart (a `***` where the other has none).
async fn oracle_over<F, Fut>(label: &str, answer: F) -> Vec<String>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let mut differs = Vec::new();
    for (name, encode) in encodings() {
        let right = answer(encode(PASSWORD)).await;
        let wrong = answer(encode(WRONG)).await;
        eprintln!("{label} {name}:\n  right: {right}\n  wrong: {wrong}");
        if right.matches("***").count() != wrong.matches("***").count()
            || right.split(' ').next() != wrong.split(' ').next()
        {
            differs.push(format!("{label} {name}"));
        }
    }
    differs
}

/// A1: the Mcp-Method header's `=?base64?…?=` value is decoded and quoted; a decoded text
/// spelling the password through an escape is not counted as sent, so the echo of a right
/// guess is masked and a wrong one is not.
#[tokio::test]
async fn review38_finding_a1_mcp_header_base64_oracle() {
    let world = World::new().await;
    let found = oracle_over("mcp-method", |d| {
        let world = &world;
        async move {
            let answer = mcp_method_answer(world, &d).await;
            assert!(answer.contains("Mcp-Method is"), "not reached: {answer}");
            answer
        }
    })
    .await;
    eprintln!("ORACLE mcp-method: {found:?}");
    assert!(
        found.is_empty(),
        "right and wrong guesses read apart: {found:?}"
    );
}

/// A2: `/health/argocd?profile=` is percent-decoded and quoted; a decoded name spelling the
/// password through a further escape is not counted as sent (the path is read as sent).
#[tokio::test]
async fn review38_finding_a2_health_profile_oracle() {
    let world = World::new().await;
    let found = oracle_over("health", |d| {
        let world = &world;
        async move {
            let escaped: String = d
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b == b'-' {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            let answer = status_and_body(
                &world
                    .http("GET", &format!("/health/argocd?profile={escaped}"), &[], "")
                    .await,
            );
            assert!(
                answer.contains("profile") && !answer.contains("no such endpoint"),
                "not reached: {answer}"
            );
            answer
        }
    })
    .await;
    eprintln!("ORACLE health: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn review38_held_profile_argument_echo() {
    let world = World::new().await;
    let found = oracle_over("profile arg", |d| {
        let world = &world;
        async move {
            let answer = world
                .call(
                    "get_argocd_app_status",
                    json!({"app_name": "guestbook", "profile": d}),
                )
                .await
                .to_string();
            assert!(answer.contains("profile"), "not reached: {answer}");
            answer
        }
    })
    .await;
    eprintln!("ORACLE profile arg: {found:?}");
    assert!(found.is_empty(), "{found:?}");
}

#[tokio::test]
async fn review38_held_request_check_cost_1mib() {
    let mut world = World::new().await;
    world.set(
        "extra_headers",
        &json!({"X-Proxy-Key": "Grüße proxy k3y 9"}).to_string(),
    );
    let fillers: Vec<(&str, String)> = vec![
        ("near", "Adm1n-s3cret-p".repeat(70_000)),
        ("percent", "%41".repeat(330_000)),
        ("backslash", "\\\\".repeat(250_000)),
        ("hex", "41 ".repeat(330_000)),
        ("spaces-nonascii", "Grü ".repeat(200_000)),
        ("spaces", format!("Gr{}", " ".repeat(1_000_000))),
        ("nonascii", format!("Gr{}", "ü".repeat(500_000))),
        ("base64 breaks", "QWRt\n".repeat(200_000)),
        ("amp", "&".repeat(1_000_000)),
    ];
    let mut slow = Vec::new();
    for (name, filler) in fillers {
        for with_guess in [false, true] {
            let note = if with_guess {
                format!("{filler}{PASSWORD}")
            } else {
                filler.clone()
            };
            let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"},
                "_meta": {"note": note}}});
            let started = std::time::Instant::now();
            let response = world.mcp(&message).await;
            let took = started.elapsed();
            eprintln!(
                "TIME {name} guess={with_guess}: {took:?} status {} len {}",
                response.status,
                response.body.len()
            );
            if took > std::time::Duration::from_secs(2) {
                slow.push(format!("{name} guess={with_guess}: {took:?}"));
            }
        }
    }
    assert!(slow.is_empty(), "{slow:?}");
}

/// P1: a shell env file's `export` before the key hides the pair from the rule.
#[tokio::test]
async fn review38_finding_p1_env_export_pair_leaks() {
    let shapes: Vec<crate::planting::LiveShape> = vec![(
        "env export",
        config_map(
            "r38-j",
            json!({"a.env": "export PARAM_NAME=DB_PASSWORD\nexport PARAM_VALUE=S38Dpair10\n"}),
        ),
        &["S38Dpair10"],
    )];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// Held: other two-line pair spellings in a ConfigMap text are hidden.
#[tokio::test]
async fn review38_held_pairs_as_text() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "hadoop xml",
            config_map(
                "r38-a",
                json!({"core-site.xml": "<configuration>\n<property>\n  <name>fs.s3a.secret.key</name>\n  <value>S38Dpair01</value>\n</property>\n</configuration>\n"}),
            ),
            &["S38Dpair01"],
        ),
        (
            "value before name props",
            config_map(
                "r38-b",
                json!({"a.properties": "param.0.value=S38Dpair02\nparam.0.name=db.password\n"}),
            ),
            &["S38Dpair02"],
        ),
        (
            "yaml list in text",
            config_map(
                "r38-c",
                json!({"a.yaml": "params:\n- name: db_password\n  value: S38Dpair03\n"}),
            ),
            &["S38Dpair03"],
        ),
        (
            "cfn yaml in text",
            config_map(
                "r38-d",
                json!({"a.yaml": "Parameters:\n  - ParameterKey: DBPassword\n    ParameterValue: S38Dpair04\n"}),
            ),
            &["S38Dpair04"],
        ),
        (
            "yaml flow one line",
            config_map(
                "r38-e",
                json!({"a.yaml": "params: [{name: db_password, value: S38Dpair05}]\n"}),
            ),
            &["S38Dpair05"],
        ),
        (
            "toml array table",
            config_map(
                "r38-f",
                json!({"a.toml": "[[param]]\nname = \"db_password\"\nvalue = \"S38Dpair06\"\n"}),
            ),
            &["S38Dpair06"],
        ),
        (
            "header pair yaml",
            config_map(
                "r38-g",
                json!({"a.yaml": "headers:\n  - headerName: X-Api-Key\n    headerValue: S38Dpair07\n"}),
            ),
            &["S38Dpair07"],
        ),
        (
            "json in text",
            config_map(
                "r38-h",
                json!({"a.json": "[{\"ParameterKey\": \"DBPassword\", \"ParameterValue\": \"S38Dpair08\"}]"}),
            ),
            &["S38Dpair08"],
        ),
        (
            "props far",
            config_map(
                "r38-i",
                json!({"a.properties": "param.0.name=db.password\na=1\nb=2\nc=3\nd=4\ne=5\nparam.0.value=S38Dpair09\n"}),
            ),
            &["S38Dpair09"],
        ),
        (
            "ini name after value far",
            config_map(
                "r38-k",
                json!({"a.ini": "[param]\nvalue=S38Dpair11\na=1\nb=2\nc=3\nd=4\ne=5\nname=db_password\n"}),
            ),
            &["S38Dpair11"],
        ),
        (
            "hcl block",
            config_map(
                "r38-l",
                json!({"a.tf": "parameter {\n  name  = \"db_password\"\n  value = \"S38Dpair12\"\n}\n"}),
            ),
            &["S38Dpair12"],
        ),
    ];
    let found = leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

#[tokio::test]
async fn review38_held_pairs_cost_many_lines() {
    let mut lines = String::from("[param]\n");
    for _ in 0..40_000 {
        lines.push_str("value=x\n");
    }
    let mut names = String::from("[param]\n");
    for _ in 0..40_000 {
        names.push_str("name=db_password\n");
    }
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "many values",
            config_map("r38-t1", json!({"a.ini": lines})),
            &[],
        ),
        (
            "many names",
            config_map("r38-t2", json!({"a.ini": names})),
            &[],
        ),
    ];
    let started = std::time::Instant::now();
    let _ = leaks_in_live(&shapes).await;
    let took = started.elapsed();
    eprintln!("TIME pairs: {took:?}");
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

/// Held (A1's reach): with `mcp_auth_token` set, A1's request without the bearer is refused
/// 401 before the header check quotes anything, and a guess sent only in `Authorization`
/// (claim b) or an unread `x-guess` header reads as a wrong one.
#[tokio::test]
async fn review38_held_a1_needs_the_bearer_and_unread_headers() {
    let mut world = World::new().await;
    world.set("mcp_auth_token", "mcp-bearer-secret-38");
    let body = modern_body(1, "tools/list", json!({}));
    let mut answers = Vec::new();
    for guess in [PASSWORD, WRONG] {
        let decoded = last_as(guess, |b| format!("\\u{b:04x}"));
        let mut headers = mirrored(&body);
        for (name, value) in headers.iter_mut() {
            if name == "mcp-method" {
                *value = format!("=?base64?{}?=", STANDARD.encode(&decoded));
            }
        }
        headers.push(("content-type".into(), "application/json".into()));
        headers.push((
            "accept".into(),
            "application/json, text/event-stream".into(),
        ));
        let mut plain: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let unauthenticated =
            status_and_body(&world.http("POST", "/mcp", &plain, &body.to_string()).await);
        eprintln!("no bearer {guess}: {unauthenticated}");
        assert!(unauthenticated.starts_with("401"), "{unauthenticated}");
        let bearer = format!("Bearer {guess}");
        plain.push(("authorization", &bearer));
        plain.push(("x-guess", guess));
        let wrong_bearer =
            status_and_body(&world.http("POST", "/mcp", &plain, &body.to_string()).await);
        eprintln!("guess as bearer {guess}: {wrong_bearer}");
        answers.push((
            unauthenticated.replace(guess, "GUESS"),
            wrong_bearer.replace(guess, "GUESS"),
        ));
    }
    assert_eq!(answers[0], answers[1]);
}

/// A3 (claim b, user mode): the caller's bearer is not counted as sent, but an unverified
/// JWT's `alg` is quoted in the 401 body ("the token is signed with …"). A guess of the OIDC
/// client secret written there, even plain, reads apart from a wrong one, before any login.
#[tokio::test]
async fn review38_finding_a3_jwt_alg_oracle_before_login() {
    use crate::identity::{CLIENT_SECRET, user_mode};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let world = user_mode(&[]).await;
    let wrong_secret = "Cl1ent-s3cret-of-the-servex";
    let mut differs = Vec::new();
    for (name, encode) in encodings() {
        let mut answers = Vec::new();
        for guess in [CLIENT_SECRET, wrong_secret] {
            let alg = encode(guess);
            let header = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
            let token = format!("{header}.e30.AAAA");
            let bearer = format!("Bearer {token}");
            let response = world
                .mcp_with(
                    &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
                    &[("authorization", &bearer)],
                )
                .await;
            let mut seen = status_and_body(&response);
            for (k, v) in response.headers.iter() {
                seen.push_str(&format!(
                    "\n  {k}: {}",
                    String::from_utf8_lossy(v.as_bytes())
                ));
            }
            eprintln!("jwt alg {name} {guess}: {seen}");
            assert!(
                seen.contains("the token's algorithm is not"),
                "not reached: {seen}"
            );
            answers.push(seen);
        }
        if answers[0].matches("***").count() != answers[1].matches("***").count() {
            differs.push(name);
        }
    }
    eprintln!("ORACLE jwt alg: {differs:?}");
    assert!(differs.is_empty(), "{differs:?}");
}

/// Held (claim 3, quick): more selector spellings naming a credential are refused before Argo
/// CD is asked; a plain selector reaches it.
#[tokio::test]
async fn review38_held_selector_variants() {
    let world = World::new().await;
    let before = selector_requests(&world).len();
    world
        .call("list_argocd_apps", json!({"selector": "team=payments"}))
        .await;
    assert!(selector_requests(&world).len() > before, "not reached");
    let mut reached = Vec::new();
    for selector in [
        "team=a, db_password=x",
        "team=a,db_password",
        "db_password",
        "example.com/db-password in (x)",
        "DB-PASSWORD=x",
        "dbPassword=x",
        "team=a,,db_password=x",
        "client_secret=x",
        "private-key=x",
        "auth=x",
        "x=y,db_password in (a,b)",
        "team in (a,b) ,db_password=x",
    ] {
        let before = selector_requests(&world).len();
        let result = world
            .call("list_argocd_apps", json!({"selector": selector}))
            .await;
        if selector_requests(&world).len() > before {
            eprintln!("SELECTOR REACHED Argo CD: {selector:?} -> {result}");
            reached.push(selector);
        }
    }
    assert!(reached.is_empty(), "reached Argo CD: {reached:?}");
}

//! Seventeenth hostile review (issue 19): the approval question of `patch_argocd_app` after the
//! sixteenth review's fixes (hidden changes refused, keys judged like values), `check_site` after
//! U1, projects and Argo CD's own ApplicationSets, Argo CD's error bodies under faults, and text
//! shapes a reader would expect hidden — through the built components (the server component
//! and, where the tool exists there, the plugin).
//!
//! Findings (each `review17_finding_*` asserts the secure behaviour, fails today and is ignored
//! with issue 19):
//!
//! - M1 (high, credential leak in the approval question) a patch that changes only what tells
//!   the masking a value is a credential — an embedded Secret's `kind` in Helm `valuesObject`,
//!   the `name` of a name/value pair (in `valuesObject` or in `metadata.annotations`), the
//!   `env[0].name` key of a `--set` pair — is asked with the credential Argo CD already holds
//!   shown whole (`…value: "***" → "<the password>"`). `hidden_change` judges only the fields
//!   the patch changes raw; `Statement::changes` lists every field the MASKED sides differ in.
//!   The question is in the `input_required` answer the MCP client receives before anyone
//!   approves (a client that can show forms): the person, and whatever the client does with the
//!   message, read the credential; no yes is needed.
//! - P1 (medium, question misstates) `{"spec":{"source":{"helm":{"passCredentials":true}}}}` is
//!   asked as `spec.source.helm.passCredentials: ***`: the line `path: before → after` is
//!   scrubbed whole in `Statement::finish`, where a credential-like name at the start of the line
//!   takes everything after it, while `hidden_change` scrubs the path and each value apart.
//! - S1 (medium, credential leak) a Kubernetes Secret written out in a message (a condition,
//!   Argo CD's error: JSON, YAML or a flow map, as Argo CD or an admission webhook quotes a
//!   manifest) keeps its `data` / `stringData` values when their keys name no credential.
//! - T1 (medium, credential leak) `password: {{ "…" | b64enc }}`, `apiKey: {{ default "…" … }}`,
//!   `token: {{ "…" }}` in text keep the literal: `{{` is taken for a YAML flow map whose own
//!   members are judged (it has none). Objects (a ConfigMap holding a chart template, Helm values
//!   text of an Application) held.
//! - T2 (low, shapes the README does not claim) `docker login -p …`, `mysql -p…`,
//!   `echo … | docker login --password-stdin`, `sshpass -p …`, `kubectl create secret
//!   --from-literal=conn=…`, `password IN ('…')`, `assertEquals("…", token)`,
//!   `subtle.ConstantTimeCompare` / `hmac.Equal`, Rust's `let token: &str = "…"` (hides `&str`),
//!   Python's `auth=('u', '…')` (hides the `(`), `SetBasicAuth("u", "…")`, `put("password",
//!   "…")`, a multi-line backtick literal after `password =`.
//! - L1 (low, credential leak) Helm values text whose lines are broken by NEL, U+2028 or U+2029
//!   (line breaks to go-yaml) is one line to the masking: `password: |` and its block show.
//!
//! Held (the other tests, or tried and dropped): Argo CD's error bodies (gRPC-gateway JSON with
//! `details`, an HTML page with userinfo in its title, plain text, `Authorization:` quoted, a
//! `git::` URL, Go's `map[…]`, a JSON-escaped Secret with credential-named keys) through both
//! components; one header holding two bearers, an empty second `Authorization`, two `Origin`s,
//! an `Origin` with userinfo naming localhost, an absolute-form URI naming another host (two
//! `Host` headers cannot be tried here: wasmtime's wasi-http drops `Host` and the component
//! sees the URI's authority only); projects (description, `sourceRepos`, destinations, roles,
//! JWT token ids, sync windows) and ApplicationSets (git / scmProvider / plugin / matrix
//! generators, template source and values, conditions) through `get_argocd_project` and
//! `get_argocd_applicationset` of both components; patches changing the app's source shape
//! (adding `sources`, a hydrator, a plugin, a chart) keep `valuesObject` masked; booleans under
//! credential keys inside `valuesObject` (`auth.enabled`, `password.required`, `token.enabled`)
//! are refused, not asked hidden; values text broken at `\r` is masked.

use serde_json::{Value, json};

use crate::World;
use crate::identity::{token, user_mode};
use crate::planting::{approval_world, asked_text, plugin_env};

/// Every marker of `markers` found in `text`, named by `what`.
fn found_in(what: &str, text: &str, markers: &[&str]) -> Vec<String> {
    markers
        .iter()
        .filter(|m| text.contains(*m))
        .map(|m| format!("{what}: {m} in {text}"))
        .collect()
}

fn refused(text: &str) -> bool {
    !text.contains("Approve?")
}

async fn patch_question(world: &World, patch: Value) -> String {
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    asked_text(world, &call).await
}

/// Guestbook's source becomes a Helm chart with these `valuesObject` (and kustomize-free).
fn plant_values_object(world: &World, values: Value) {
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("guestbook").unwrap().app;
    app["spec"]["source"]["helm"] = json!({"valuesObject": values});
}

/// FINDING M1 (credential leak, high): the question of a patch that changes only what tells the
/// masking a value is a credential (a Secret's `kind` in Helm `valuesObject`, the `name` of a
/// name/value entry, the `type` of a Keycloak credential, the `.name` key of a `--set` pair)
/// shows the credential Argo CD already holds, unmasked: `***` → the value. The check that
/// refuses hidden changes only looks at fields the patch changes raw; the statement lists the
/// fields the MASKED sides change, and the masked value "changes" from `***` to itself.
#[tokio::test]
async fn review17_finding_m1_patch_unmasking_context_leaks_existing_credential() {
    let cases = [
        (
            "extraObjects Secret kind → ConfigMap",
            json!({"extraObjects": [{"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "db"}, "stringData": {"conn": "R17m01x-db"}}],
                "extra": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db2"},
                "data": {"conn": "R17m01y-db"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"extra": {"kind": "ConfigMap"}}}}}}),
            "R17m01y",
        ),
        (
            "name/value map: name changed",
            json!({"db": {"name": "DB_PASSWORD", "value": "R17m02x-pw"}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"db": {"name": "GREETING"}}}}}}),
            "R17m02x",
        ),
        (
            "--set pair as two keys: name changed",
            json!({"env[0].name": "DB_PASSWORD", "env[0].value": "R17m03x-pw"}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"env[0].name": "GREETING"}}}}}),
            "R17m03x",
        ),
        (
            "Keycloak credential: type changed",
            json!({"realm": {"credential": {"type": "password", "value": "R17m04x-pw"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"realm": {"credential": {"type": "otp"}}}}}}}),
            "R17m04x",
        ),
        (
            "name/value map: name removed",
            json!({"db": {"name": "DB_PASSWORD", "value": "R17m05x-pw"}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"db": {"name": null}}}}}}),
            "R17m05x",
        ),
    ];
    let mut failures = Vec::new();
    for (what, values, patch, marker) in cases {
        let world = approval_world().await;
        plant_values_object(&world, values);
        let text = patch_question(&world, patch).await;
        failures.extend(found_in(what, &text, &[marker]));
    }
    // Not Helm only: annotations holding a name/value pair, the name patched.
    let world = approval_world().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["metadata"]["annotations"] = json!({"name": "API_TOKEN", "value": "R17m06x-tok"});
    }
    let text = patch_question(
        &world,
        json!({"metadata": {"annotations": {"name": "owner"}}}),
    )
    .await;
    failures.extend(found_in("annotations name/value", &text, &["R17m06x"]));
    assert!(failures.is_empty(), "{failures:#?}");
}

/// FINDING P1 (question misstates, medium): a patch turning on `helm.passCredentials` (Helm
/// then sends the repository's credentials to every domain a chart names) is asked with the
/// change shown as `***`: the field's name reads like a credential's to the scrubbing of the
/// statement's line, while the value `true` alone does not, so the check for hidden changes
/// lets it through and the line the person reads loses what it changes to.
#[tokio::test]
async fn review17_finding_p1_pass_credentials_change_asked_hidden() {
    let mut failures = Vec::new();
    for (patch, field) in [
        (
            json!({"spec": {"source": {"helm": {"passCredentials": true}}}}),
            "passCredentials",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"auth": {"enabled": false}}}}}}),
            "auth.enabled",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"redis": {"auth": {"enabled": false}}}}}}}),
            "redis.auth.enabled",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"password": {"required": false}}}}}}),
            "password.required",
        ),
    ] {
        let world = approval_world().await;
        plant_values_object(
            &world,
            json!({"replicas": 1, "auth": {"enabled": true}, "redis": {"auth": {"enabled": true}},
                   "password": {"required": true}}),
        );
        let text = patch_question(&world, patch.clone()).await;
        let message = question_in_text(&text);
        if refused(&text) {
            continue;
        }
        let line = message
            .lines()
            .find(|l| l.contains(field))
            .unwrap_or("")
            .to_owned();
        if !line.contains("→") {
            failures.push(format!("{patch}: asked as {line:?} in {message}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn question_in_text(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|answer| crate::planting::question_in(&answer))
        .unwrap_or_else(|_| text.to_owned())
}

// ---------------------------------------------------------------------------------------------
// check_site after U1: one header holding two values, absolute-form URIs, odd spellings
// ---------------------------------------------------------------------------------------------

/// Variations on U1 that must not let a request through as someone or somewhere else (held).
#[tokio::test]
async fn review17_site_checks_hold_for_header_variations() {
    let world = user_mode(&[]).await;
    let (alice, bob) = (token(&world, "alice"), token(&world, "bob"));
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "get_argocd_server_info", "arguments": {}}});
    let joined = format!("Bearer {alice}, Bearer {bob}");
    let alice_bearer = format!("Bearer {alice}");
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "two bearers in one header",
            vec![("authorization", &joined)],
        ),
        (
            "an empty Authorization beside alice's",
            vec![("authorization", ""), ("Authorization", &alice_bearer)],
        ),
        (
            "two Origins, one allowed",
            vec![
                ("authorization", &alice_bearer),
                ("origin", "http://localhost:8787"),
                ("origin", "http://evil.example.com"),
            ],
        ),
        (
            "Origin with userinfo naming localhost",
            vec![
                ("authorization", &alice_bearer),
                ("origin", "http://evil.example.com@localhost:8787"),
            ],
        ),
    ];
    let mut accepted = Vec::new();
    for (what, headers) in cases {
        let answer = world.mcp_with(&body, &headers).await;
        let text = String::from_utf8_lossy(&answer.body).into_owned();
        println!("review17 site {what}: {} {text}", answer.status);
        if answer.status == 200 {
            accepted.push(format!("{what}: {text}"));
        }
    }
    // An absolute-form URI whose authority is another site than the Host header.
    let request = http::Request::builder()
        .method("POST")
        .uri("http://evil.example.com/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("authorization", &alice_bearer)
        .body(bytes::Bytes::from(body.to_string()))
        .unwrap();
    let answer = crate::harness()
        .request(&world.env, request)
        .await
        .expect("answers");
    println!(
        "review17 site absolute-form: {} {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
    if answer.status == 200 {
        accepted.push("absolute-form URI to evil.example.com".into());
    }
    assert!(accepted.is_empty(), "{accepted:#?}");
}

// ---------------------------------------------------------------------------------------------
// Argo CD's own error bodies under faults (gRPC-gateway JSON with details, HTML, plain text)
// ---------------------------------------------------------------------------------------------

const FAULT_BODIES: [(u16, &str, &str); 8] = [
    (
        500,
        r#"{"error":"rpc error","code":13,"message":"failed to get app details: rpc error: code = Unknown desc = helm pull --username robot --password R17e01x oci://registry.example.com/c","details":[]}"#,
        "R17e01x",
    ),
    (
        500,
        r#"{"error":"x","code":2,"message":"x","details":[{"@type":"type.googleapis.com/google.rpc.DebugInfo","detail":"git fetch https://oauth2:R17e02x@gitlab.example.com/g/r.git failed"}]}"#,
        "R17e02x",
    ),
    (
        502,
        "<html><head><title>502 https://admin:R17e03x@argocd-repo-server:8081</title></head><body>bad gateway</body></html>",
        "R17e03x",
    ),
    (
        500,
        r#"{"code":13,"message":"error with \"Authorization: Bearer R17e04xAAAAAAAAAAAA\" header"}"#,
        "R17e04x",
    ),
    (
        500,
        r#"{"code":2,"message":"kustomize build failed: Error: accumulating resources: git::https://u:R17e05x@git.example.com/base?ref=main"}"#,
        "R17e05x",
    ),
    (
        500,
        r#"{"code":2,"message":"plugin env: map[ARGOCD_ENV_DB_PASSWORD:R17e06x ARGOCD_APP_NAME:guestbook]"}"#,
        "R17e06x",
    ),
    (
        503,
        "upstream connect error: token=R17e07x; reset reason: connection failure",
        "R17e07x",
    ),
    (
        500,
        r#"{"code":2,"message":"ComparisonError: failed to unmarshal \"{\\\"apiVersion\\\":\\\"v1\\\",\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":{\\\"password\\\":\\\"UjE3ZTA4eA==\\\"},\\\"stringData\\\":{\\\"token\\\":\\\"R17e08x\\\"}}\""}"#,
        "R17e08x",
    ),
];

#[tokio::test]
async fn review17_argocd_error_bodies_hide_credentials() {
    use host_test::standin::{Fault, FaultRule};
    let mut leaks = Vec::new();
    for (status, body, marker) in FAULT_BODIES {
        let world = World::new().await;
        world.standin.inject(FaultRule::new(
            Some("GET"),
            "/api/v1/applications/guestbook",
            Fault::Answer(status, body.to_owned()),
        ));
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        println!("review17 fault {status} server: {server}");
        leaks.extend(found_in("server", &server, &[marker, "UjE3ZTA4eA"]));
        let env = plugin_env(&world.standin);
        let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
        let plugin = match p
            .call_get_argocd_app_status(&mut s, "guestbook", None, None, None)
            .await
            .expect("plugin answers")
        {
            Ok(a) | Err(a) => a,
        };
        println!("review17 fault {status} plugin: {plugin}");
        leaks.extend(found_in("plugin", &plugin, &[marker, "UjE3ZTA4eA"]));
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// A Secret written out in a message (Argo CD and admission webhooks quote manifests)
// ---------------------------------------------------------------------------------------------

const SECRET_IN_TEXT: [(&str, &str); 4] = [
    (
        "error validating data: Secret.v1 \"db\" {\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"},\"data\":{\"conn\":\"UjE3czAxeA==\"}} is invalid",
        "UjE3czAxeA",
    ),
    (
        "failed to apply manifest:\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  conn: postgres-R17s02x\n",
        "R17s02x",
    ),
    (
        "admission webhook \"validate.kyverno.svc\" denied the request: Secret/guestbook/db: {\"kind\":\"Secret\",\"stringData\":{\"DATABASE_URL\":\"R17s03x-conn\"}}",
        "R17s03x",
    ),
    (
        "error converting YAML to JSON: {kind: Secret, data: {conn: UjE3czA0eA==}}",
        "UjE3czA0eA",
    ),
];

fn secret_in_text_of(text: &str) -> &str {
    SECRET_IN_TEXT
        .iter()
        .find(|(t, _)| *t == text)
        .map_or("", |(_, m)| *m)
}

/// FINDING S1 (credential leak, medium): a Kubernetes Secret written out in a message — a
/// condition, an operation's message, Argo CD's own error (a manifest Argo CD or an admission
/// webhook quotes, as JSON or YAML) — keeps its `data` / `stringData` values whenever their keys
/// do not name a credential (`conn`, `DATABASE_URL`). The masking hides a Secret's data whatever
/// its keys only in objects and Helm values text; the scrubbing of text reads keys only.
#[tokio::test]
async fn review17_finding_s1_secret_written_out_in_a_message() {
    use host_test::standin::{Fault, FaultRule};
    let texts: Vec<&str> = SECRET_IN_TEXT.iter().map(|(t, _)| *t).collect();
    let mut found = crate::planting::leaks_in_conditions(&texts, secret_in_text_of).await;
    // The same text as Argo CD's error for the app.
    let world = World::new().await;
    let body = json!({"code": 2, "message": SECRET_IN_TEXT[0].0}).to_string();
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/applications/guestbook",
        Fault::Answer(500, body),
    ));
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    found.extend(found_in("server error", &server, &[SECRET_IN_TEXT[0].1]));
    assert!(found.is_empty(), "{found:#?}");
}

// ---------------------------------------------------------------------------------------------
// Helm template text: `password: {{ "…" | b64enc }}` and other pipelines
// ---------------------------------------------------------------------------------------------

const TEMPLATE_LINES: [(&str, &str); 4] = [
    (
        "helm template: secret.yaml:6:\n  password: {{ \"R17t01x\" | b64enc | quote }}",
        "R17t01x",
    ),
    (
        "rendering secret.yaml:\napiKey: {{ default \"R17t02x\" .Values.apiKey }}",
        "R17t02x",
    ),
    (
        "rendering values:\nDB_PASSWORD: {{ .Values.db.password | default \"R17t03x\" }}",
        "R17t03x",
    ),
    ("render: token: {{ \"R17t04x\" }}", "R17t04x"),
];

fn template_secret_of(text: &str) -> &str {
    TEMPLATE_LINES
        .iter()
        .find(|(t, _)| *t == text)
        .map_or("", |(_, m)| *m)
}

/// FINDING T1 (credential leak, medium): a credential-named member whose value is a Helm / Go
/// template action (`password: {{ "…" | b64enc }}`, `apiKey: {{ default "…" .Values.apiKey }}`)
/// keeps the literal: the rule "`password: …` to the end of the line when the name begins the
/// line" stops at the `{`, taking `{{ … }}` for a YAML flow map whose own members are judged —
/// but it has none. Charts carry such defaults; Argo CD quotes template lines in its errors,
/// and objects (a ConfigMap holding a chart's template, Helm values text) carry them too.
#[tokio::test]
async fn review17_finding_t1_template_action_after_credential_name() {
    let texts: Vec<&str> = TEMPLATE_LINES.iter().map(|(t, _)| *t).collect();
    let mut found = crate::planting::leaks_in_conditions(&texts, template_secret_of).await;
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "ConfigMap holding a chart template",
            crate::planting::config_map(
                "r17-chart-templates",
                json!({"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {{ \"R17t05x\" | b64enc }}\n",
                       "notes.txt": "token: {{ \"R17t06x\" }}\n"}),
            ),
            &["R17t05x", "R17t06x"],
        ),
        (
            "Application with Helm values text holding a template default",
            crate::planting::app_with_source(
                "r17-app-tpl",
                crate::planting::helm_source("replicas: 1\npassword: {{ \"R17t07x\" | b64enc }}\n"),
            ),
            &["R17t07x"],
        ),
    ];
    found.extend(crate::planting::leaks_in_live(&shapes).await);
    assert!(found.is_empty(), "{found:#?}");
}

// ---------------------------------------------------------------------------------------------
// Shapes the README does not claim, which a reader would expect hidden
// ---------------------------------------------------------------------------------------------

const UNCLAIMED: [(&str, &str); 14] = [
    (
        "+ kubectl create secret generic db --from-literal=conn=R17u10x",
        "R17u10x",
    ),
    (
        "client.py:9: r = requests.get(url, auth=('admin', 'R17u11x'))",
        "R17u11x",
    ),
    (
        "client.go:5: req.SetBasicAuth(\"admin\", \"R17u12x\")",
        "R17u12x",
    ),
    (
        "Settings.java:3: props.put(\"password\", \"R17u13x\");",
        "R17u13x",
    ),
    ("+ sshpass -p R17u14x ssh deploy@host", "R17u14x"),
    (
        "+ docker login -u robot -p R17u01x registry.example.com",
        "R17u01x",
    ),
    ("+ mysql -uroot -pR17u02x app", "R17u02x"),
    (
        "+ echo R17u03x | docker login --password-stdin -u robot registry.example.com",
        "R17u03x",
    ),
    (
        "query failed: SELECT id FROM users WHERE password IN ('R17u04x')",
        "R17u04x",
    ),
    (
        "test failed at auth_test.go:12: assertEquals(\"R17u05x\", token)",
        "R17u05x",
    ),
    (
        "main.go:40: subtle.ConstantTimeCompare([]byte(token), []byte(\"R17u06x\"))",
        "R17u06x",
    ),
    (
        "main.go:41: hmac.Equal([]byte(apiKey), []byte(\"R17u07x\"))",
        "R17u07x",
    ),
    ("main.rs:3: let token: &str = \"R17u08x\";", "R17u08x"),
    ("config.go:7: const password = `first\nR17u09x`", "R17u09x"),
];

fn unclaimed_secret_of(text: &str) -> &str {
    UNCLAIMED
        .iter()
        .find(|(t, _)| *t == text)
        .map_or("", |(_, m)| *m)
}

/// FINDING T2 (credential leak, low — shapes the README does not claim): a password given to
/// `docker login -p` / `mysql -p…` / piped to `--password-stdin`, a literal in SQL's
/// `password IN ('…')`, in `assertEquals("…", token)`, `subtle.ConstantTimeCompare` /
/// `hmac.Equal` against a credential, Rust's `let token: &str = "…"` (the rule hides `&str`
/// and keeps the value), a multi-line backtick literal after a credential's name, a Secret's
/// data given to `kubectl create secret --from-literal=conn=…`, Python's `auth=('u', '…')` (the
/// rule hides the `(` and keeps the password), Go's `SetBasicAuth("u", "…")`, Java's
/// `put("password", "…")` and `sshpass -p …`.
#[tokio::test]
async fn review17_finding_t2_unclaimed_shapes_keep_credentials() {
    let texts: Vec<&str> = UNCLAIMED.iter().map(|(t, _)| *t).collect();
    let found = crate::planting::leaks_in_conditions(&texts, unclaimed_secret_of).await;
    assert!(found.is_empty(), "{found:#?}");
}

// ---------------------------------------------------------------------------------------------
// Projects and Argo CD's own ApplicationSets, as Argo CD serves them
// ---------------------------------------------------------------------------------------------

const PROJECT_AND_SET_MARKERS: [&str; 12] = [
    "R17j01x", "R17j02x", "R17j03x", "R17j04x", "R17j05x", "R17j07x", "R17j10x", "R17j11x",
    "R17j12x", "R17j13x", "R17j14x", "R17j15x",
];

#[tokio::test]
async fn review17_projects_and_applicationsets_hide_credentials() {
    use host_test::standin::{Fault, FaultRule};
    let world = World::new().await;
    let project = json!({"metadata": {"name": "r17-proj"}, "spec": {
        "description": "CI uses glpat-R17j01xAAAAAAAAAAAAAAAA; old one password=R17j02x",
        "sourceRepos": ["https://robot:R17j03x@git.example.com/*", "git::ssh://git:R17j04x@git.example.com/r"],
        "destinations": [{"server": "https://admin:R17j05x@k8s.example.com:6443", "namespace": "*"}],
        "roles": [{"name": "ci-token", "description": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.R17j07xsignature",
                   "policies": ["p, proj:r17-proj:ci-token, applications, sync, r17-proj/*, allow"],
                   "jwtTokens": [{"iat": 1700000000, "id": "5d4f0d7a-r17"}]}],
        "signatureKeys": [{"keyID": "4AEE18F83AFDEB23"}],
        "syncWindows": [{"kind": "allow", "schedule": "* * * * *", "duration": "1h", "applications": ["*"]}]},
        "status": {"jwtTokensByRole": {"ci-token": {"items": [{"iat": 1700000000, "id": "5d4f0d7a-r17"}]}}}});
    let set = json!({"metadata": {"name": "r17-set", "namespace": "argocd"}, "spec": {
        "generators": [
            {"git": {"repoURL": "https://u:R17j10x@git.example.com/r.git", "revision": "HEAD",
                     "directories": [{"path": "apps/*"}]}},
            {"scmProvider": {"gitlab": {"api": "https://u:R17j11x@gitlab.example.com", "group": "g",
                     "tokenRef": {"secretName": "gitlab-token", "key": "token"}}}},
            {"plugin": {"configMapRef": {"name": "p"}, "input": {"parameters": {"password": "R17j12x"}}}},
            {"matrix": {"generators": [{"list": {"elements": [{"token": "R17j12x"}]}}]}}],
        "template": {"metadata": {"name": "{{path.basename}}"}, "spec": {"project": "default",
            "source": {"repoURL": "https://deploy:R17j13x@git.example.com/r.git", "path": "{{path}}",
                       "helm": {"values": "password: R17j14x\n"}},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{path.basename}}"}}}},
        "status": {"conditions": [{"type": "ErrorOccurred", "status": "True",
            "message": "failed to clone https://oauth2:R17j15x@gitlab.example.com/g.git"}],
            "resources": [{"name": "a", "status": "Synced", "health": {"status": "Healthy"}}]}});
    for (path, body) in [
        ("/api/v1/projects/r17-proj", project.clone()),
        ("/api/v1/projects", json!({"items": [project.clone()]})),
        ("/api/v1/applicationsets/r17-set", set.clone()),
        ("/api/v1/applicationsets", json!({"items": [set.clone()]})),
    ] {
        let mut rule = FaultRule::new(Some("GET"), path, Fault::Answer(200, body.to_string()));
        rule.times = None;
        world.standin.inject(rule);
    }
    let mut answers = vec![
        (
            "server get project",
            world
                .call("get_argocd_project", json!({"name": "r17-proj"}))
                .await
                .to_string(),
        ),
        (
            "server get set",
            world
                .call("get_argocd_applicationset", json!({"name": "r17-set"}))
                .await
                .to_string(),
        ),
    ];
    let env = plugin_env(&world.standin);
    let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
    let either = |r: Result<String, String>| match r {
        Ok(a) | Err(a) => a,
    };
    answers.push((
        "plugin get project",
        either(
            p.call_get_argocd_project(&mut s, "r17-proj", None)
                .await
                .unwrap(),
        ),
    ));
    let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
    answers.push((
        "plugin get set",
        either(
            p.call_get_argocd_applicationset(&mut s, "r17-set", None, None)
                .await
                .unwrap(),
        ),
    ));
    let mut leaks = Vec::new();
    for (what, answer) in &answers {
        println!("review17 {what}: {answer}");
        leaks.extend(found_in(what, answer, &PROJECT_AND_SET_MARKERS));
    }
    // What was planted reached the answers (the seeding is not silently lost).
    assert!(answers[0].1.contains("git.example.com"), "{}", answers[0].1);
    assert!(answers[1].1.contains("failed to clone"), "{}", answers[1].1);
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// Helm values text whose lines YAML breaks at other characters than `\n`
// ---------------------------------------------------------------------------------------------

/// FINDING L1 (credential leak, low): Helm values text (in an Application passed on: an
/// app-of-apps child read with `get_argocd_resource`) whose lines are broken by NEL
/// (U+0085), LINE SEPARATOR (U+2028) or PARAGRAPH SEPARATOR (U+2029) — line breaks to the YAML
/// 1.1 reader Helm uses (go-yaml) — is read by the masking as one line under its first key, so
/// a credential key's block value (`password: |` then the lines below) is shown. The scrubber
/// after it hides only the first word after a `name:` in the middle of a line.
#[tokio::test]
async fn review17_finding_l1_values_text_with_other_line_breaks() {
    const BREAKS: [(&str, &str, &[&str]); 4] = [
        ("r17-cr", "\r", &["R17l01x"]),
        ("r17-nel", "\u{0085}", &["R17l02x"]),
        ("r17-ls", "\u{2028}", &["R17l03x"]),
        ("r17-ps", "\u{2029}", &["R17l04x"]),
    ];
    let shapes: Vec<crate::planting::LiveShape> = BREAKS
        .iter()
        .map(|(name, sep, markers)| {
            let marker = markers[0];
            let values = format!(
                "replicas: 1{sep}db:{sep}  password: |{sep}    first {marker} line{sep}    {marker}-2{sep}"
            );
            (
                "Application with values text broken at another character",
                crate::planting::app_with_source(name, crate::planting::helm_source(&values)),
                *markers,
            )
        })
        .collect();
    let found = crate::planting::leaks_in_live(&shapes).await;
    assert!(found.is_empty(), "{found:#?}");
}

/// A patch changing where the app's sources sit (adding `sources`, a hydrator, a chart, a
/// plugin, values text) does not unmask what `valuesObject` holds (held).
#[tokio::test]
async fn review17_source_shape_patches_keep_values_object_masked() {
    let mut failures = Vec::new();
    for (what, patch) in [
        (
            "sources added",
            json!({"spec": {"sources": [{"repoURL": "https://git.example.com/x.git", "path": "p"}]}}),
        ),
        (
            "hydrator added",
            json!({"spec": {"sourceHydrator": {"drySource": {"repoURL": "https://git.example.com/x.git", "path": "p", "targetRevision": "HEAD"}, "syncSource": {"targetBranch": "env", "path": "p"}}}}),
        ),
        (
            "plugin added",
            json!({"spec": {"source": {"plugin": {"name": "x"}}}}),
        ),
        ("chart added", json!({"spec": {"source": {"chart": "c"}}})),
    ] {
        let world = approval_world().await;
        plant_values_object(
            &world,
            json!({"password": "R17c01x", "db": {"name": "DB_PASSWORD", "value": "R17c02x"},
                   "extra": {"kind": "Secret", "data": {"conn": "R17c03x"}}}),
        );
        let text = patch_question(&world, patch).await;
        failures.extend(found_in(what, &text, &["R17c01x", "R17c02x", "R17c03x"]));
        if refused(&text) && !text.contains("Nothing was changed") {
            failures.push(format!("{what}: neither asked nor refused: {text}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

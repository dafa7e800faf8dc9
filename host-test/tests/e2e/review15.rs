//! Fifteenth hostile review (issue 19): probes of the fourteenth review's fixes — YAML flow
//! collections read as objects, YAML JSON-patch operations, Secrets written out as YAML text,
//! the approval question's text changes and key blocks — and of comparisons and XML in text.
//! Every probe goes through the built components: `get_argocd_resource` of planted live objects
//! and `get_argocd_app_status` / `get_argocd_app_logs` on the server component and the plugin,
//! and the approval question of `patch_argocd_app` on the server component.
//!
//! Each `review15_finding_*` asserts the secure behaviour, fails today and is ignored with
//! issue 19; the other tests are shapes that held.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    LiveShape, approval_world, assert_none, leaks_in_conditions, leaks_in_live, plugin_env,
};

const ENV0: &str = "/spec/template/spec/containers/0/env/0";

fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "guestbook"}, "data": data})
}

fn app_with_source(name: &str, source: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd"},
           "spec": {"project": "default",
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                    "source": source}})
}

fn helm_app(name: &str, values: &str) -> Value {
    app_with_source(
        name,
        json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
               "helm": {"values": values}}),
    )
}

fn kustomize_app(name: &str, patches: Value) -> Value {
    app_with_source(
        name,
        json!({"repoURL": "https://git.example.com/platform/guestbook.git", "path": "k",
               "kustomize": {"patches": patches}}),
    )
}

fn flux(name: &str, patches: Value) -> Value {
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "guestbook"},
           "spec": {"interval": "10m", "path": "./apps", "prune": true,
                    "sourceRef": {"kind": "GitRepository", "name": "apps"},
                    "patches": patches}})
}

/// `text` as a YAML double-quoted scalar's content.
fn yaml_quoted(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A Secret as JSON text.
fn secret_json(marker: &str) -> String {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
           "stringData": {"conn": marker}})
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// YAML flow collections (masking/flow.rs, values_text.rs, mask_embedded_document)
// ---------------------------------------------------------------------------------------------

fn flow_probes() -> Vec<LiveShape> {
    vec![
        (
            "fl01 helm values: env pair as a flow map, comment after it",
            helm_app(
                "r15-fl01",
                "env:\n  - {name: DB_PASSWORD, value: R15f01}  # the database\n",
            ),
            &["R15f01"],
        ),
        (
            "fl02 ConfigMap text: a Secret as a flow map, comment after it",
            config_map(
                "r15-fl02",
                json!({"objects.yaml": "items:\n- {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {conn: R15f02}}  # db\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"}),
            ),
            &["R15f02"],
        ),
        (
            "fl04 ConfigMap text: a Secret as a flow map, its value tagged",
            config_map(
                "r15-fl04",
                json!({"objects.yaml": "items:\n- {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {conn: !!str R15f04}}\n"}),
            ),
            &["R15f04"],
        ),
        (
            "fl05 ConfigMap text: a Secret as a flow map over two lines with a comment",
            config_map(
                "r15-fl05",
                json!({"objects.yaml": "items:\n- {apiVersion: v1, kind: Secret,  # the db\n   metadata: {name: db}, stringData: {conn: R15f05}}\n"}),
            ),
            &["R15f05"],
        ),
        (
            "fl06 values: a Secret's entry a flow list over two lines (span across a line break)",
            helm_app(
                "r15-fl06",
                "obj: {kind: Secret, stringData: {conn: [R15f06a,\n    R15f06b]}}\nreplicas: 2\n",
            ),
            &["R15f06a", "R15f06b"],
        ),
        (
            "fl07 values: a flow map holding a Secret as JSON text (masked in part)",
            helm_app(
                "r15-fl07",
                &format!(
                    "extra: {{manifest: \"{}\"}}\n",
                    yaml_quoted(&secret_json("R15f07"))
                ),
            ),
            &["R15f07"],
        ),
        (
            "fl08 ConfigMap one-line flow string holding a Secret as JSON text",
            config_map(
                "r15-fl08",
                json!({"extra": format!("{{manifest: \"{}\"}}", yaml_quoted(&secret_json("R15f08")))}),
            ),
            &["R15f08"],
        ),
        (
            "fl09 values: an Application as a flow map whose Helm values hold a Secret",
            helm_app(
                "r15-fl09",
                "apps: [{apiVersion: argoproj.io/v1alpha1, kind: Application, spec: {source: {helm: {values: \"kind: Secret\\nstringData:\\n  conn: R15f09\\n\"}}}}]\n",
            ),
            &["R15f09"],
        ),
        (
            "fl11 values: a flow map, escaped credential key, comment after it",
            helm_app("r15-fl11", "db: {\"p\\x61ssword\": R15f11} # note\n"),
            &["R15f11"],
        ),
        (
            "fl12 values: a flow map over two lines, escaped credential key, a comment",
            helm_app(
                "r15-fl12",
                "db: {user: app,  # the app's\n  \"p\\x61ssword\": R15f12}\n",
            ),
            &["R15f12"],
        ),
        (
            "fl13 values: env pair as a flow map, an anchor on the name",
            helm_app(
                "r15-fl13",
                "env:\n  - {name: &n DB_PASSWORD, value: R15f13}\n",
            ),
            &["R15f13"],
        ),
        (
            "fl15 values: helm --set pair inside a flow list of args",
            helm_app(
                "r15-fl15",
                "args: [upgrade, api, ./chart, --set, \"env[0].name=DB_PASSWORD\", --set, \"env[0].value=R15f15\"]\n",
            ),
            &["R15f15"],
        ),
    ]
}

fn flow_held() -> Vec<LiveShape> {
    vec![
        (
            "fl03 values: flow map with a password and a comment: hidden whole",
            helm_app(
                "r15-fl03",
                "image: {repository: nginx, password: R15f03} # pinned\n",
            ),
            &["R15f03"],
        ),
        (
            "fl10 values: flow map with an escaped credential key",
            helm_app("r15-fl10", "db: {\"p\\x61ssword\": R15f10, host: db}\n"),
            &["R15f10"],
        ),
        (
            "fl14 values: nested flows, quoted keys, masked-once text",
            helm_app(
                "r15-fl14",
                "a: {'b': [{c: {\"api_key\": R15f14}}], d: ***, password: ***}\nx: [{name: API_TOKEN, \"value\": 'R15f14b'}]\n",
            ),
            &["R15f14", "R15f14b"],
        ),
    ]
}

#[tokio::test]
async fn review15_flow_probes() {
    let found = leaks_in_live(&flow_probes()).await;
    println!("review15 flow probes leaked:\n{}", found.join("\n"));
}

#[tokio::test]
async fn review15_flow_held() {
    assert_none(leaks_in_live(&flow_held()).await);
}

// ---------------------------------------------------------------------------------------------
// Secrets written out as YAML text (values_text::secret_columns)
// ---------------------------------------------------------------------------------------------

fn secret_text_probes() -> Vec<LiveShape> {
    vec![
        (
            "st01 kind on the next line",
            config_map(
                "r15-st01",
                json!({"objects.yaml": "apiVersion: v1\nkind:\n  Secret\nmetadata:\n  name: db\nstringData:\n  conn: R15s01\n"}),
            ),
            &["R15s01"],
        ),
        (
            "st02 kind as a block scalar",
            config_map(
                "r15-st02",
                json!({"objects.yaml": "apiVersion: v1\nkind: >-\n  Secret\nmetadata:\n  name: db\nstringData:\n  conn: R15s02\n"}),
            ),
            &["R15s02"],
        ),
        (
            "st03 stringData as an explicit key",
            config_map(
                "r15-st03",
                json!({"objects.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n? stringData\n:\n  conn: R15s03\n"}),
            ),
            &["R15s03"],
        ),
        (
            "st05 kind through an alias",
            config_map(
                "r15-st05",
                json!({"objects.yaml": "apiVersion: v1\nmetadata:\n  name: db\n  labels:\n    k: &k Secret\nkind: *k\nstringData:\n  conn: R15s05\n"}),
            ),
            &["R15s05"],
        ),
        (
            "st08 stringData through a merge key",
            config_map(
                "r15-st08",
                json!({"objects.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n<<: {stringData: {conn: R15s08}}\n"}),
            ),
            &["R15s08"],
        ),
    ]
}

#[tokio::test]
async fn review15_secret_text_probes() {
    let found = leaks_in_live(&secret_text_probes()).await;
    println!("review15 secret text probes leaked:\n{}", found.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// YAML JSON-patch operations
// ---------------------------------------------------------------------------------------------

fn ops_app(name: &str, kind: &str, patch: String) -> Value {
    kustomize_app(
        name,
        json!([{"target": {"kind": kind, "name": "db"}, "patch": patch}]),
    )
}

fn operation_probes() -> Vec<LiveShape> {
    vec![
        (
            "op01 Secret target: `value :` with a space before the colon",
            ops_app(
                "r15-op01",
                "Secret",
                "- op: add\n  path: /data/conn\n  value : R15o01\n".into(),
            ),
            &["R15o01"],
        ),
        (
            "op02 pair: the name as a plain scalar on the line below `value:`",
            ops_app(
                "r15-op02",
                "Deployment",
                format!(
                    "- op: add\n  path: {ENV0}/name\n  value:\n    DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: R15o02\n"
                ),
            ),
            &["R15o02"],
        ),
        (
            "op03 pair: the value's index spelled 00 (Go's strconv.Atoi)",
            ops_app(
                "r15-op03",
                "Deployment",
                "- op: add\n  path: /spec/template/spec/containers/0/env/0/name\n  value: DB_PASSWORD\n- op: add\n  path: /spec/template/spec/containers/0/env/00/value\n  value: R15o03\n".into(),
            ),
            &["R15o03"],
        ),
        (
            "op04 Flux pair as objects: the container index spelled +0",
            flux(
                "r15-op04",
                json!([{"target": {"kind": "Deployment", "name": "api"}, "patch": [
                    {"op": "add", "path": "/spec/template/spec/containers/0/env/0/name", "value": "API_TOKEN"},
                    {"op": "add", "path": "/spec/template/spec/containers/+0/env/0/value", "value": "R15o04"}]}]),
            ),
            &["R15o04"],
        ),
        (
            "op05 pair: the name operation's `path :` with a space before the colon",
            ops_app(
                "r15-op05",
                "Deployment",
                format!(
                    "- op: add\n  path : {ENV0}/name\n  value: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: R15o05\n"
                ),
            ),
            &["R15o05"],
        ),
        (
            "op06 target kind as a Kustomize regular expression (Secret|ConfigMap)",
            ops_app(
                "r15-op06",
                "Secret|ConfigMap",
                "- op: add\n  path: /data/conn\n  value: R15o06\n".into(),
            ),
            &["R15o06"],
        ),
        (
            "op07 Flux target kind as a regular expression, operations as objects",
            flux(
                "r15-op07",
                json!([{"target": {"kind": "Secre.", "name": "db"}, "patch": [
                    {"op": "add", "path": "/data/conn", "value": "R15o07"}]}]),
            ),
            &["R15o07"],
        ),
        (
            "op08 JSON text ops: pair with the value's index spelled 00",
            kustomize_app(
                "r15-op08",
                json!([{"target": {"kind": "Deployment"}, "patch":
                    json!([{"op": "add", "path": format!("{ENV0}/name"), "value": "DB_PASSWORD"},
                           {"op": "add", "path": "/spec/template/spec/containers/0/env/00/value", "value": "R15o08"}]).to_string()}]),
            ),
            &["R15o08"],
        ),
        (
            "op09 across two patches: the second's index spelled 00",
            kustomize_app(
                "r15-op09",
                json!([
                    {"target": {"kind": "Deployment"}, "patch": format!("- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n")},
                    {"target": {"kind": "Deployment"}, "patch": "- op: add\n  path: /spec/template/spec/containers/0/env/00/value\n  value: R15o09\n"}]),
            ),
            &["R15o09"],
        ),
    ]
}

fn operation_held() -> Vec<LiveShape> {
    vec![
        (
            "op10 Secret target: a flow item over two lines",
            ops_app(
                "r15-op10",
                "Secret",
                "- {op: add, path: /data/conn,\n   value: R15o10}\n".into(),
            ),
            &["R15o10"],
        ),
        (
            "op11 Secret target: a tab after the colon",
            ops_app(
                "r15-op11",
                "Secret",
                "- op: add\n  path: /data/conn\n  value:\tR15o11\n".into(),
            ),
            &["R15o11"],
        ),
        (
            "op12 Secret target: strategic merge as a flow map",
            ops_app(
                "r15-op12",
                "Secret",
                "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {conn: R15o12}\n"
                    .into(),
            ),
            &["R15o12"],
        ),
        (
            "op13 pair: quoted keys, the name double-quoted with an escape",
            ops_app(
                "r15-op13",
                "Deployment",
                format!(
                    "- \"op\": add\n  'path': {ENV0}/name\n  \"value\": \"DB_P\\x41SSWORD\"\n- op: add\n  path: {ENV0}/value\n  'value': R15o13\n"
                ),
            ),
            &["R15o13"],
        ),
        (
            "op14 pair: the whole entry added with its name, value in a block scalar",
            ops_app(
                "r15-op14",
                "Deployment",
                format!(
                    "- op: add\n  path: {ENV0}\n  value: {{name: API_TOKEN}}\n- op: replace\n  path: {ENV0}/value\n  value: >-\n    R15o14\n"
                ),
            ),
            &["R15o14"],
        ),
    ]
}

#[tokio::test]
async fn review15_operation_probes() {
    let found = leaks_in_live(&operation_probes()).await;
    println!("review15 operation probes leaked:\n{}", found.join("\n"));
}

#[tokio::test]
async fn review15_operation_held() {
    assert_none(leaks_in_live(&operation_held()).await);
}

// ---------------------------------------------------------------------------------------------
// Comparisons and XML in text
// ---------------------------------------------------------------------------------------------

fn secret_of(text: &str) -> &str {
    let at = text.find("R15").expect("every shape holds R15");
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..end]
}

const TEXT_PROBES: &[&str] = &[
    ".data.password|test(\"R15c01\")",
    ".data.password == (\"R15c02\")",
    "password.equalsIgnoreCase('R15c03')",
    "\"R15c04\" != password",
    "password eq \"R15c05\"",
    ".data.password|startswith(\"R15c06\")",
    "PASSWORD<>'R15c07'",
    "password !== `R15c08`",
    ".data.password | test(\"R15c09\"; \"i\")",
    "select(.data.token == \"R15c10\" or .x)",
    ".data.password | contains(\"R15c11\")",
    ".data[\"api-key\"] == \"R15c12\"",
    ".data.password as $p | ($p == \"R15c15\")",
    "password ne 'R15c17'",
    "password contains 'R15c18'",
    "self.data.password.matches(\"R15c19\")",
    ".data.password | endswith(\"R15c20\")",
    "{{ if eq \"R15c22\" .Values.password }}",
    "{{ if ne .Values.password \"R15c23\" }}",
    "[.data.password] == [\"R15c24\"]",
    ".data.password | . == \"R15c25\"",
    "password==='R15c26'",
    "<key>password</key>\n<value>R15x01</value>",
    "<key>password</key> <string>R15x02</string>",
    "<name>db.password</name><value>R15x03</value>",
    "<entry><key>api_key</key><value><![CDATA[R15x04]]></value></entry>",
    "<entry><key>password</key><value type=\"string\">R15x05</value></entry>",
    "<key>password</key><!-- c --><value>R15x06</value>",
    "<Key>Password</Key><Value>R15x07</Value>",
    "<key> password </key><value>R15x09</value>",
    "<key>password</key><value>R15x10 and more</value>",
    "<dict><key>APIToken</key><string>R15x11</string></dict>",
];

#[tokio::test]
async fn review15_text_probes() {
    let found = leaks_in_conditions(TEXT_PROBES, secret_of).await;
    println!("review15 text probes (conditions):\n{}", found.join("\n"));
    let world = World::new().await;
    world.standin.state().review_log_lines = TEXT_PROBES.iter().map(|l| (*l).to_owned()).collect();
    let server = crate::planting::server_logs(&world).await;
    let plugin = crate::planting::plugin_logs(&plugin_env(&world.standin)).await;
    for line in TEXT_PROBES {
        let s = secret_of(line);
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(s) {
                println!("review15 text probes (logs): {component} {line:?}: {s}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The approval question
// ---------------------------------------------------------------------------------------------

fn helm_source(values: &str) -> Value {
    json!({"repoURL": "https://charts.example.com", "chart": "guestbook", "targetRevision": "1.0.0",
           "helm": {"values": values}})
}

/// The approval question of a patch of guestbook's Helm values from `before` to `after`.
async fn values_question(before: &str, after: &str) -> String {
    let world = approval_world().await;
    world.standin.state().apps.get_mut("guestbook").unwrap().app["spec"]["source"] =
        helm_source(before);
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"spec": {"source": {"helm": {"values": after}}}}}});
    crate::planting::question_in(&crate::planting::asked(&world, &call).await)
}

fn refused(text: &str) -> bool {
    !text.contains("Approve?")
}

async fn question_cases(cases: &[(&str, &str, &str, &str)]) -> Vec<String> {
    let mut missing = Vec::new();
    for (what, before, after, shown) in cases {
        let text = values_question(before, after).await;
        println!("review15 question {what}:\n{text}\n");
        if text.contains("hunter2") {
            missing.push(format!("{what}: shows the password:\n{text}"));
        }
        if !refused(&text) && !text.contains(shown) {
            missing.push(format!("{what}: hides {shown}:\n{text}"));
        }
    }
    missing
}

#[tokio::test]
async fn review15_question_probes() {
    let pem = |last: &str| {
        format!(
            "initScript: |\n  -----BEGIN PRIVATE KEY-----\n  ////bin/true\n  ////bin/true\n  ////bin/true\n  ////bin/true\n  ////bin/true\n  {last}\n  -----END PRIVATE KEY-----\n"
        )
    };
    let missing = question_cases(&[
        (
            "a01 values text the line reading cannot place (a document marker with content)",
            "image:\n  repository: nginx\n",
            "--- {image: {repository: evil.example.com/miner}}\n",
            "evil.example.com/miner",
        ),
        (
            "a02 flow map with a password beside the image and a comment",
            "image: {password: hunter2, repository: nginx} # pinned\n",
            "image: {password: hunter2, repository: evil.example.com/miner} # pinned\n",
            "evil.example.com/miner",
        ),
        (
            "a03 flow map with a tagged password beside the image",
            "image: {password: !!str hunter2, repository: nginx}\n",
            "image: {password: !!str hunter2, repository: evil.example.com/miner}\n",
            "evil.example.com/miner",
        ),
        (
            "a04 flow map over two lines with a comment",
            "image: {password: hunter2,  # db\n  repository: nginx}\n",
            "image: {password: hunter2,  # db\n  repository: evil.example.com/miner}\n",
            "evil.example.com/miner",
        ),
        (
            "a05 a script's command dressed as the body of a PEM block",
            &pem("////bin/true"),
            &pem("/sbin/reboot"),
            "reboot",
        ),
        (
            "a06 a Secret line above makes the next `data:` hidden",
            "kind: Secret\ndata:\n  image: nginx\n",
            "kind: Secret\ndata:\n  image: evil.example.com/miner\n",
            "evil.example.com/miner",
        ),
    ])
    .await;
    println!("review15 question probes:\n{}", missing.join("\n"));
}

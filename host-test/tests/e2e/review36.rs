//! Thirty-sixth hostile review (issue 19), fresh context, time box 50 minutes: selector grammar,
//! progress notifications, the resource tree, revision metadata, user-mode provider errors,
//! name/value pairs written as text, the log caps, pinned syncs.
//!
//! Findings (each `review36_finding_*` asserts the secure behaviour, was seen failing on both
//! components, and is ignored until fixed):
//!
//! - P1 (medium, selector oracle, both components; `src/tools/arguments.rs` `check_selector` vs
//!   `src/tools/masking.rs` `names_its_credential` / `masking/field_by_field.rs`
//!   `mask_paired_keys`): answers hide a label's value not only by its own key but by its SIBLING:
//!   labels `{name: db-password, value: 4821}` (pair rule, any of `PAIR_NAMES` with a
//!   credential-named value, any of `PAIR_VALUES` incl. kinds: `param-name`/`param-value`) and
//!   flattened `{env.0.name: DB_PASSWORD, env.0.value: …}` (`mask_paired_keys`): the test reads
//!   them back hidden from a live Application via get_argocd_resource. `check_selector` judges
//!   each requirement's key alone (`value`, `param-value`, `env.0.value` name no credential), so
//!   `list_argocd_apps {selector: "name=db-password,value=4821"}` reaches Argo CD and answers
//!   `payments` for the right value and nothing for a wrong one (likewise `param-value in (…)` —
//!   many guesses a call — `env.0.value in (…)`, and `list_argocd_applicationsets {selector:
//!   "value=4821"}`; the plugin's export too). With `gt`/`lt` a numeric value (a PIN) is a binary
//!   search. Fix: refuse a selector whose key is a pair value field (`masking::is_pair_value` of
//!   the key or its last `/` part, and a flattened `….value`/`…_value` whose entry prefix has a
//!   name field), or more simply refuse any requirement on a key that `is_pair_value` or that
//!   `mask_paired_keys` could hide; better: decide it from the labels themselves — list with the
//!   selector only after checking (one unselected list of `items.metadata.labels`) that no app's
//!   label named in the selector is hidden by `mask_secrets` of that app's labels map.
//! - P2 (medium, free text, both components; `src/tools/scrub/members.rs` `PAIR_NAMES` =
//!   name/key/type, `PAIR_VALUES` = value/default/string, `SIBLINGS_MOST` = 4, value-first only
//!   when its name follows within the next siblings; `src/tools/masking/values_text.rs` masks YAML
//!   text line by line, with no pair rule): a name/value pair WRITTEN AS TEXT in a ConfigMap
//!   value, Helm values text or a log line keeps its value when its fields are spelled as the
//!   structured masking knows them (`masking::PAIR_NAMES`/`PAIR_VALUES` with `PAIR_KINDS`) but the
//!   text rule does not: `- ParameterKey: DBPassword\n  ParameterValue: S33D…` (CloudFormation
//!   parameters; the text rule even hides `DBPassword` — `…Key` read as a credential name — and
//!   then cannot see the pair), `ParameterKey:/ParameterValue:` as a map, `header:
//!   X-Api-Key\nvalue: …`, `- headerName: X-Api-Key\n  headerValue: …`, `- env_name: DB_PASSWORD\n
//!   env_value: …`; `name=db_password\nvalue=…` (INI); `param.0.name=db.password
//!   \nparam.0.value=…` (properties: `mask_paired_keys` exists only for JSON objects); a YAML item
//!   whose `name` comes after `value` with other fields between (`- description: …\n  value: …\n
//!   type: string\n  name: api_key`). Repro: get_argocd_resource of a ConfigMap whose `data` holds
//!   one of these (`review36_finding_p2_*`, 8 shapes, 16 leaks), and the same lines logged by a
//!   pod through get_argocd_app_logs (4 leaks). Fix: one list of pair spellings for both readers
//!   (use `masking::is_pair_name`/`is_pair_value` in `members::names_the_pair`/`PAIR_VALUES`),
//!   don't hide a pair-name field's value by the `…Key` rule (`ParameterKey`), look for the name
//!   among ALL members of the same map (before and after, to its end), and read
//!   `a.N.name=`/`a[N].name=` assignments as `mask_paired_keys` does.
//! - L1 (low, length of a hidden value, both components; `src/tools/logs.rs` `read_stream`): the 8
//!   MiB stream cap counts the RAW frames, before credentials are hidden, so whether the stream is
//!   cut (a `warnings` entry "the log stream was cut after 8388608 bytes", and where, `received`)
//!   depends on the hidden password's length. Repro (`review36_finding_l1_*`, ~2 minutes): a first
//!   line `connecting with password=SSSSSSSSSSSS`, 7000 lines of 1000 bytes, a last line of n
//!   bytes; at the n where the stream just fits, the same logs with a 13-character password answer
//!   with the cut warning, with 12 characters without it. Presumably the same for the 1 MiB frame
//!   cap (a frame holding the secret; not tested). Fix: count the cap on the lines as shown (scrub
//!   each frame before counting), or make the cut coarse (cap in lines, or round the byte budget
//!   down to whole 64 KiB blocks of shown text); low because the agent cannot choose what pods
//!   log.
//!
//! Held (`review36_held_*`): label keys whose value answers hide (82 spellings, 54 of them hidden:
//! `otp`, `pw`, `kennwort`, `x.io/kennwort`, `keystore-pass`, `sessionid`, …, read back from a live
//! Application) are all refused as selector keys — `check_selector` and the label masking agree on
//! single keys; pairs as text that the flow reader, the JSON reading or the text rule do hide (flow
//! `{variable: …, value: …}`, JSON lists and SSM `Parameters`, value-then-name adjacent, Helm
//! `env`, `--set env[0].name=…`, TOML, Hadoop XML `<name>/<value>`, block scalars, quoted keys,
//! plugin `string`, Keycloak `credentials`, Azure account key XML, `<add key= value=>`, YAML in a
//! JSON string, tfvars, compose env lists, a Secret as YAML text, Argo Workflows params,
//! `NPM_TOKEN:`; each answer also shows the object and `***`); the resource tree forwards no
//! `info`/`networkingInfo` at all (only kind, name, namespace, health, message, images, parent).
//!
//! Read, not tested: progress notifications (`tools/operations.rs` reports only `{phase} after
//! {n}s; health {health}`, and `scrub::ScrubbedProgress` applies the settings' secrets and
//! `without_credentials`, as answers get); revision metadata (`author`, `tags`, `message` go
//! through the answer scrubber, `message` scrubbed before it is cut; signature info is not
//! forwarded); user-mode provider errors were already probed by reviews 18–22
//! (`idp.exchange_error_echo`); the description is cut at a word's edge after the settings' secrets
//! are taken out, the `error` code is not cut but goes through the tool-error scrubber; an OPAQUE
//! caller token echoed by a provider would not be recognised by shape (only the caller's own token,
//! not tested). Pinned syncs of `spec.sourceHydrator` apps: the guard judges the manifests Argo CD
//! renders from the sync source (`GetSource()` is the sync source for hydrator apps) and pins their
//! revision; `sourceHydrator` stays in `spec_but_revisions_and_policy`, so approvals seal it.
//!
//! The stand-in was not changed (only its review hooks `review_live`, `review_log_lines`).
//!
//! Not reached: a stand-in hydrator app end to end; `wait: true` progress over SSE with a planted
//! operation message; pod-less log entries (`warnings`) spanning several entries (each is scrubbed
//! alone by the answer scrubber, not as the pod's text; real Argo CD sends one k8s error per
//! entry).

use serde_json::{Value, json};

use crate::harness;
use crate::planting::{config_map, leaks_in_live, plugin_env, selector_requests};

/// Labels on `payments` that are a name/value pair naming a credential: answers hide `value`
/// (the pair rule, `masking::names_its_credential`), but a selector on `value` is not refused.
fn label_pair(world: &crate::World) {
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("payments").unwrap().app;
    app["metadata"]["labels"]["name"] = json!("db-password");
    app["metadata"]["labels"]["value"] = json!("4821");
    app["metadata"]["labels"]["param-name"] = json!("api-token");
    app["metadata"]["labels"]["param-value"] = json!("S33Dlabel7");
    app["metadata"]["labels"]["env.0.name"] = json!("DB_PASSWORD");
    app["metadata"]["labels"]["env.0.value"] = json!("S33Dflat9");
    for set in state.appsets.iter_mut() {
        set["metadata"]["labels"]["name"] = json!("db-password");
        set["metadata"]["labels"]["value"] = json!("4821");
    }
}

fn count_of(answer: &Value) -> String {
    let text = answer.to_string();
    let apps = answer["apps"]
        .as_array()
        .or_else(|| answer["applicationsets"].as_array())
        .or_else(|| answer["items"].as_array())
        .map(|a| a.len());
    format!("{apps:?} {}", text.len())
}

/// P1: a selector on the value field of a label pair naming a credential.
#[tokio::test]
async fn review36_finding_p1_selector_on_pair_value_label() {
    let world = crate::World::new().await;
    label_pair(&world);
    // Reached: answers hide the pair's value.
    // Reached: where answers show such labels (an Application managed by an app of apps, read
    // with get_argocd_resource), the pair's value is hidden.
    let child = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "r36-child", "namespace": "argocd",
            "labels": {"name": "db-password", "value": "4821", "env.0.name": "DB_PASSWORD", "env.0.value": "S33Dflat9"}},
        "spec": {"project": "default"}});
    crate::planting::plant_live(&world, std::slice::from_ref(&child));
    let (server, plugin) =
        crate::planting::read_live(&world, &plugin_env(&world.standin), &child).await;
    for shown in [&server, &plugin] {
        assert!(
            shown.contains("r36-child") && shown.contains("db-password"),
            "{shown}"
        );
        assert!(
            !shown.contains("4821") && !shown.contains("S33Dflat9"),
            "{shown}"
        );
    }
    let mut found = Vec::new();
    for (tool, right, wrong) in [
        (
            "list_argocd_apps",
            "name=db-password,value=4821",
            "name=db-password,value=4822",
        ),
        (
            "list_argocd_apps",
            "param-value in (S33Dlabel7)",
            "param-value in (S33Dlabel8)",
        ),
        (
            "list_argocd_apps",
            "env.0.value in (S33Dflat9)",
            "env.0.value in (S33Dflat8)",
        ),
        ("list_argocd_applicationsets", "value=4821", "value=4822"),
    ] {
        let a = world.call(tool, json!({"selector": right})).await;
        let b = world.call(tool, json!({"selector": wrong})).await;
        eprintln!(
            "{tool} {right}: {}\n  {wrong}: {}",
            count_of(&a),
            count_of(&b)
        );
        let refused =
            a["isError"] == json!(true) && a.to_string().contains("Select by other labels");
        if !refused {
            found.push(format!(
                "server {tool} {right:?}: not refused (right {} / wrong {})",
                count_of(&a),
                count_of(&b)
            ));
        }
    }
    let before = selector_requests(&world).len();
    let (plugin, mut store) = harness().plugin(&plugin_env(&world.standin)).await.unwrap();
    let answer = plugin
        .call_list_argocd_apps(
            &mut store,
            None,
            None,
            None,
            None,
            Some("name=db-password,value=4821"),
            None,
            None,
            None,
            None,
        )
        .await
        .expect("the plugin answers");
    if answer.is_ok() || selector_requests(&world).len() > before {
        found.push(format!("plugin value=4821: {answer:?}"));
    }
    eprintln!("sent: {:?}", selector_requests(&world));
    crate::planting::assert_none(found);
}

/// P2: name/value pairs written as YAML, INI or properties TEXT inside a string, in the
/// spellings the structured masking knows (`masking::PAIR_NAMES`/`PAIR_VALUES` with their
/// kinds) but the text rules (`scrub/members.rs` `PAIR_NAMES` = name/key/type, `PAIR_VALUES` =
/// value/default/string, next 4 siblings, value-then-name only when adjacent) do not.
#[tokio::test]
async fn review36_finding_p2_pairs_in_text_leak_their_value() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        (
            "cfn yaml",
            config_map(
                "r36-a",
                json!({"params.yaml": "- ParameterKey: DBPassword\n  ParameterValue: S33Dpair01\n"}),
            ),
            &["S33Dpair01"],
        ),
        (
            "header value",
            config_map(
                "r36-c",
                json!({"h.yaml": "header: X-Api-Key\nvalue: S33Dpair03\n"}),
            ),
            &["S33Dpair03"],
        ),
        (
            "ini pair",
            config_map(
                "r36-m",
                json!({"p.ini": "[param]\nname=db_password\nvalue=S33Dpair13\n"}),
            ),
            &["S33Dpair13"],
        ),
        (
            "fields between",
            config_map(
                "r36-n",
                json!({"s.yaml": "- description: the key\n  value: S33Dpair14\n  type: string\n  name: api_key\n"}),
            ),
            &["S33Dpair14"],
        ),
        (
            "java props pair",
            config_map(
                "r36-r",
                json!({"a.properties": "param.0.name=db.password\nparam.0.value=S33Dpair18\n"}),
            ),
            &["S33Dpair18"],
        ),
        (
            "cfn yaml map",
            config_map(
                "r36-zc",
                json!({"p.yaml": "ParameterKey: DBPassword\nParameterValue: S33Dpair30\n"}),
            ),
            &["S33Dpair30"],
        ),
        (
            "env name yaml",
            config_map(
                "r36-zd",
                json!({"p.yaml": "- env_name: DB_PASSWORD\n  env_value: S33Dpair31\n"}),
            ),
            &["S33Dpair31"],
        ),
        (
            "header name value",
            config_map(
                "r36-ze",
                json!({"h.yaml": "- headerName: X-Api-Key\n  headerValue: S33Dpair32\n"}),
            ),
            &["S33Dpair32"],
        ),
    ];
    let mut found = leaks_in_live(&shapes).await;
    // The same text logged by a pod: the logs' scrubber reads it with the same text rules.
    let world = crate::World::new().await;
    world.standin.state().review_log_lines = vec![
        "- ParameterKey: DBPassword".into(),
        "  ParameterValue: S33Dpair40".into(),
        "headerName: X-Api-Key".into(),
        "headerValue: S33Dpair41".into(),
    ];
    let server = crate::planting::server_logs(&world).await;
    let plugin = crate::planting::plugin_logs(&plugin_env(&world.standin)).await;
    assert!(
        server.contains("X-Api-Key") && plugin.contains("X-Api-Key"),
        "reached: {server}"
    );
    for secret in ["S33Dpair40", "S33Dpair41"] {
        if server.contains(secret) {
            found.push(format!("server logs: {secret}"));
        }
        if plugin.contains(secret) {
            found.push(format!("plugin logs: {secret}"));
        }
    }
    crate::planting::assert_none(found);
}

/// Held: pairs as text in strings that the text rules, the flow reader or the JSON reading do
/// hide (each answer also shows `***` where the value was, so the place was reached).
#[tokio::test]
async fn review36_held_pairs_as_text_in_strings() {
    let shapes: Vec<crate::planting::LiveShape> = vec![
        ("flow variable", config_map("r36-b", json!({"vars.yaml": "{variable: db_password, value: S33Dpair02}"})), &["S33Dpair02"]),
        ("json list", config_map("r36-d", json!({"env.json": "[{\"name\":\"DB_PASSWORD\",\"value\":\"S33Dpair04\"}]"})), &["S33Dpair04"]),
        ("value first", config_map("r36-e", json!({"e.yaml": "- value: S33Dpair05\n  name: API_TOKEN\n"})), &["S33Dpair05"]),
        ("helm env", config_map("r36-f", json!({"values.yaml": "app:\n  env:\n    - name: SECRET_KEY\n      value: S33Dpair06\n"})), &["S33Dpair06"]),
        ("helm set", config_map("r36-g", json!({"cmd": "helm upgrade x . --set env[0].name=DB_PASSWORD --set env[0].value=S33Dpair07"})), &["S33Dpair07"]),
        ("toml", config_map("r36-h", json!({"c.toml": "[[env]]\nname = \"DB_PASSWORD\"\nvalue = \"S33Dpair08\"\n"})), &["S33Dpair08"]),
        ("hadoop xml", config_map("r36-i", json!({"core-site.xml": "<configuration>\n<property>\n  <name>fs.s3a.secret.key</name>\n  <value>S33Dpair09</value>\n</property>\n<property>\n  <name>javax.jdo.option.ConnectionPassword</name>\n  <value>S33Dpair19</value>\n</property>\n</configuration>"})), &["S33Dpair09", "S33Dpair19"]),
        ("block scalar", config_map("r36-j", json!({"l.yaml": "- name: DB_PASSWORD\n  value: |\n    S33Dpair10\n"})), &["S33Dpair10"]),
        ("quoted keys", config_map("r36-k", json!({"q.yaml": "\"name\": \"DB_PASSWORD\"\n\"value\": \"S33Dpair11\"\n"})), &["S33Dpair11"]),
        ("plugin string", config_map("r36-l", json!({"p.yaml": "parameters:\n  - name: token\n    string: S33Dpair12\n"})), &["S33Dpair12"]),
        ("keycloak creds", config_map("r36-o", json!({"realm.json": "{\"users\":[{\"username\":\"a\",\"credentials\":[{\"type\":\"password\",\"value\":\"S33Dpair15\"}]}]}"})), &["S33Dpair15"]),
        ("azure key xml", config_map("r36-p", json!({"core-site.xml": "<property><name>fs.azure.account.key.acct.blob.core.windows.net</name><value>S33Dpair16</value></property>"})), &["S33Dpair16"]),
        ("xml attrs", config_map("r36-q", json!({"web.config": "<appSettings><add key=\"DbPassword\" value=\"S33Dpair17\" /></appSettings>"})), &["S33Dpair17"]),
        ("yaml in json string", config_map("r36-s", json!({"x.json": "{\"values\": \"env:\\n- name: DB_PASSWORD\\n  value: S33Dpair20\\n\"}"})), &["S33Dpair20"]),
        ("tfvars", config_map("r36-t", json!({"t.tfvars": "variables = [\n  { name = \"db_password\", value = \"S33Dpair21\" },\n]\n"})), &["S33Dpair21"]),
        ("compose env list", config_map("r36-u", json!({"c.yaml": "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=S33Dpair22\n"})), &["S33Dpair22"]),
        ("ssm params", config_map("r36-v", json!({"s.json": "{\"Parameters\":[{\"Name\":\"/prod/db/password\",\"Type\":\"SecureString\",\"Value\":\"S33Dpair23\"}]}"})), &["S33Dpair23"]),
        ("k8s secret yaml text", config_map("r36-w", json!({"s.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  conn: S33Dpair24\n"})), &["S33Dpair24"]),
        ("argo wf param", config_map("r36-x", json!({"wf.yaml": "arguments:\n  parameters:\n  - name: github-token\n    value: S33Dpair25\n"})), &["S33Dpair25"]),
        ("cfn json text", config_map("r36-z", json!({"params.json": "[{\"ParameterKey\": \"DBPassword\", \"ParameterValue\": \"S33Dpair27\"}]"})), &["S33Dpair27"]),
        ("cfn object", config_map("r36-za", json!({"x": "y"})).as_object().map(|o| { let mut o = o.clone(); o.insert("spec".into(), json!({"parameters": [{"ParameterKey": "DBPassword", "ParameterValue": "S33Dpair28"}]})); Value::Object(o) }).unwrap(), &["S33Dpair28"]),
        ("spring list", config_map("r36-zb", json!({"application.properties": "app.params[0].name=db.password\napp.params[0].value=S33Dpair29\n"})), &["S33Dpair29"]),
        ("key value", config_map("r36-zf", json!({"t.yaml": "tags:\n  - key: api_token\n    value: S33Dpair33\n"})), &["S33Dpair33"]),
        ("gh actions env", config_map("r36-y", json!({"w.yml": "env:\n  NPM_TOKEN: S33Dpair26\n"})), &["S33Dpair26"]),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
    // Reached: each answer shows the object and a `***` where its value was.
    let world = crate::World::new().await;
    let objects: Vec<Value> = shapes.iter().map(|(_, o, _)| o.clone()).collect();
    crate::planting::plant_live(&world, &objects);
    let env = plugin_env(&world.standin);
    for (shape, object, _) in &shapes {
        let (server, plugin) = crate::planting::read_live(&world, &env, object).await;
        let name = object["metadata"]["name"].as_str().unwrap();
        for shown in [&server, &plugin] {
            assert!(
                shown.contains(name) && shown.contains("***"),
                "{shape}: {shown}"
            );
        }
    }
}

/// Label keys whose value some answer hides (read back from a live Application's labels), each
/// tried as a selector key: refused, or it would be an oracle.
const LABEL_KEYS: &[&str] = &[
    "pin",
    "otp",
    "totp",
    "seed",
    "otp-seed",
    "pat",
    "pwd",
    "pw",
    "pass",
    "passwd",
    "auth",
    "session",
    "cookie",
    "sig",
    "signature",
    "hmac",
    "salt",
    "nonce",
    "jwt",
    "bearer",
    "apikey",
    "api-key",
    "key",
    "access-key",
    "secret-key",
    "private-key",
    "client-secret",
    "license",
    "license-key",
    "cert",
    "tls-key",
    "ssh-key",
    "recovery-code",
    "mfa",
    "passcode",
    "pincode",
    "security-answer",
    "credentials",
    "creds",
    "connection-string",
    "dsn",
    "webhook",
    "signing-key",
    "master-key",
    "encryption-key",
    "kek",
    "dek",
    "sas",
    "sas-token",
    "account-key",
    "shared-key",
    "psk",
    "community",
    "authkey",
    "auth-key",
    "access-token-id",
    "mot-de-passe",
    "kennwort",
    "contrasena",
    "clave",
    "senha",
    "haslo",
    "parola",
    "passord",
    "example.com/pin",
    "x.io/kennwort",
    "unlock-code",
    "vault-token-accessor",
    "api-secret-name",
    "sessionid",
    "csrf",
    "xsrf",
    "authorization",
    "basic-auth",
    "htpasswd",
    "keystore-pass",
    "storepass",
    "keypass",
    "pgpass",
    "secret",
    "token",
    "password",
];

#[tokio::test]
async fn review36_held_hidden_label_keys_are_refused_as_selectors() {
    let world = crate::World::new().await;
    let mut labels = serde_json::Map::new();
    for (i, key) in LABEL_KEYS.iter().enumerate() {
        labels.insert((*key).to_owned(), json!(format!("S33Dv{i:03}x")));
    }
    let child = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "r36-keys", "namespace": "argocd", "labels": labels},
        "spec": {"project": "default"}});
    crate::planting::plant_live(&world, std::slice::from_ref(&child));
    let (server, plugin) =
        crate::planting::read_live(&world, &plugin_env(&world.standin), &child).await;
    assert!(server.contains("r36-keys"), "{server}");
    let mut hidden = Vec::new();
    for (i, key) in LABEL_KEYS.iter().enumerate() {
        let value = format!("S33Dv{i:03}x");
        if !server.contains(&value) || !plugin.contains(&value) {
            hidden.push((*key, value));
        }
    }
    eprintln!(
        "hidden: {:?}",
        hidden.iter().map(|h| h.0).collect::<Vec<_>>()
    );
    assert!(hidden.len() > 5, "reached: some label values are hidden");
    let mut found = Vec::new();
    for (key, value) in &hidden {
        let selector = format!("{key}={value}");
        let answer = world
            .call("list_argocd_apps", json!({"selector": selector}))
            .await;
        if !answer.to_string().contains("Select by other labels") {
            found.push(format!("{selector}: not refused"));
        }
    }
    crate::planting::assert_none(found);
}

/// `received`, `truncated` and the warnings of the logs of payments whose first line logs a
/// password of `secret_len` characters, then 7000 lines of 1000 bytes, then one of `last_len`.
async fn logs_near_the_cap(secret_len: usize, last_len: usize) -> (Value, Value, Value) {
    let world = crate::World::new().await;
    let mut lines = vec![format!(
        "connecting with password={}",
        "S".repeat(secret_len)
    )];
    lines.extend((0..7000).map(|i| format!("{i:06} {}", "x".repeat(993))));
    lines.push("y".repeat(last_len));
    world.standin.state().review_log_lines = lines;
    let answer = world
        .ok(
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook",
                "tail_lines": 100, "max_lines": 5, "max_bytes": 2048}),
        )
        .await;
    (
        answer["received"].clone(),
        answer["truncated"].clone(),
        answer["warnings"].clone(),
    )
}

/// L1 (low, logs, both components; `src/tools/logs.rs` `read_stream`): the 8 MiB stream cap
/// counts raw bytes, before credentials are hidden, so where the stream is cut (`received`)
/// depends on the hidden password's length.
#[tokio::test]
#[ignore = "documented limit (README, What cannot be hidden): review36 L1, takes 2 minutes"]
async fn review36_finding_l1_stream_cap_tells_a_hidden_length() {
    let secret = 12;
    // The last line's length at which it no longer fits under the cap.
    let (mut fits, mut cut) = (0usize, 600_000usize);
    let at_fits = logs_near_the_cap(secret, fits).await;
    let at_cut = logs_near_the_cap(secret, cut).await;
    assert_ne!(
        at_fits.0, at_cut.0,
        "reached: the cap falls in the last line's range"
    );
    while cut - fits > 1 {
        let mid = (fits + cut) / 2;
        if logs_near_the_cap(secret, mid).await == at_fits {
            fits = mid;
        } else {
            cut = mid;
        }
    }
    eprintln!("boundary: fits {fits}, cut {cut}: {at_fits:?} / {at_cut:?}");
    // The same logs but for one more character of the hidden password.
    let shorter = logs_near_the_cap(secret, fits).await;
    let longer = logs_near_the_cap(secret + 1, fits).await;
    assert_eq!(
        shorter, longer,
        "the answer tells the hidden password's length"
    );
}

/// Held (area 3): the resource tree answer forwards no node `info` pairs and no
/// `networkingInfo`, only kind, name, namespace, health (status and message), images and parent;
/// the stand-in's Pods carry `info` (`Status Reason`, `Containers`).
#[tokio::test]
async fn review36_held_resource_tree_forwards_no_info() {
    let world = crate::World::new().await;
    let answer = world
        .ok(
            "get_argocd_app_resource_tree",
            json!({"app_name": "guestbook", "kind": "Pod"}),
        )
        .await;
    let nodes = answer["nodes"].as_array().expect("nodes");
    assert!(!nodes.is_empty(), "reached: {answer}");
    let text = answer.to_string();
    for absent in ["Status Reason", "\"info\"", "networkingInfo", "Containers"] {
        assert!(!text.contains(absent), "{absent}: {text}");
    }
    let fields: std::collections::BTreeSet<&str> = nodes
        .iter()
        .flat_map(|n| n.as_object().unwrap().keys().map(String::as_str))
        .collect();
    for field in &fields {
        assert!(
            [
                "kind",
                "name",
                "namespace",
                "health",
                "message",
                "images",
                "parent"
            ]
            .contains(field),
            "{field}"
        );
    }
}

//! Hostile review (fifth) of "no credential in any answer": shapes that still get through,
//! planted in the stand-in and read back through the shipped server component and the plugin.
//! Each test FAILS while its finding stands, and prints what came back.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::modern::{mirrored, modern_body};
use crate::planting::{
    plant_conditions, plant_live, plugin_env, plugin_logs, plugin_status, read_live, server_logs,
};
use crate::{World, harness};

type Shape = (&'static str, &'static str, &'static str);

/// Findings of this review still open (issue 19; named in the README's Security section):
/// printed when they show, not failed, until they are fixed. None is open now.
const STILL_OPEN: [&str; 0] = [];

fn still_open(finding: &str) -> bool {
    STILL_OPEN.iter().any(|open| finding.contains(open))
}

fn leaked(what: &str, shapes: &[Shape], answer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (shape, text, secret) in shapes {
        if answer.contains(secret) && !still_open(shape) {
            out.push(format!("{what}: {shape}: {text:?}"));
        }
    }
    eprintln!("== {what}: {} of {} shapes leaked", out.len(), shapes.len());
    for l in &out {
        eprintln!("  LEAK {l}");
    }
    out
}

/// Credential words glued into one word (no `.`/`_`/`-`/case change to split at): Redis's
/// `requirepass`/`masterauth`, keytool's `-storepass`/`-keypass`, openssl's `-passout pass:`,
/// `DBPASS`, `SMTPPass`, a `.pgpass` line; and webhook URLs whose path is the credential
/// (Discord, Teams), an age secret key.
fn text_shapes() -> Vec<Shape> {
    vec![
        (
            "redis --requirepass",
            "exec redis-server --requirepass R5t01x --appendonly yes",
            "R5t01x",
        ),
        (
            "redis --masterauth",
            "exec redis-server --masterauth R5t02x --replicaof db 6379",
            "R5t02x",
        ),
        ("redis.conf directive", "requirepass R5t03x", "R5t03x"),
        (
            "keytool -storepass",
            "keytool -importkeystore -srcstorepass R5t04x -deststorepass R5t04y",
            "R5t04",
        ),
        (
            "keytool -keypass",
            "keytool -genkeypair -alias app -keypass R5t05x -keystore k.jks",
            "R5t05x",
        ),
        (
            "openssl -passout pass:",
            "openssl pkcs12 -export -in c.pem -passout pass:R5t06x -out k.p12",
            "R5t06x",
        ),
        ("DBPASS=", "DBPASS=R5t07x", "R5t07x"),
        ("SMTPPass:", "SMTPPass: R5t08x", "R5t08x"),
        ("JSON dbpass", "{\"dbpass\": \"R5t09x\"}", "R5t09x"),
        (
            ".pgpass line",
            "db.example.com:5432:app:appuser:R5t10x",
            "R5t10x",
        ),
        (
            "Discord webhook",
            "POST https://discord.com/api/webhooks/123456789012345678/R5t11xAbCdEfGh failed: 429",
            "R5t11x",
        ),
        (
            "Teams webhook",
            "POST https://acme.webhook.office.com/webhookb2/0f0e@2a2b/IncomingWebhook/R5t12xabcdef/4c4d failed",
            "R5t12x",
        ),
        (
            "GCS V4 signed URL",
            "GET https://storage.googleapis.com/charts/app-1.0.tgz?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature=R5t14xabcdef0123456789",
            "R5t14x",
        ),
        (
            "TOML quoted key with =",
            "[database]\n\"password\" = \"R5t15x\"",
            "R5t15x",
        ),
        (
            "age secret key",
            "AGE-SECRET-KEY-1R5T13XQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ",
            "R5T13X",
        ),
        (".pgpass line, any host", "*:*:*:postgres:R5t16x", "R5t16x"),
        (
            "Grafana secureJsonData in provisioning YAML",
            "datasources:\n- name: loki\n  jsonData:\n    httpHeaderName1: X-Api-Key\n  secureJsonData:\n    httpHeaderValue1: R5t17x\n  url: https://loki.example.com",
            "R5t17x",
        ),
        (
            "Grafana secureJsonData in JSON",
            "datasource loki: {\"jsonData\":{\"httpHeaderName2\":\"X-Api-Key\"},\"secureJsonData\":{\"httpHeaderValue2\":\"R5t18x\"}}",
            "R5t18x",
        ),
        (
            "Go short declaration mid-line",
            "main.go:42: if password := \"R5t19x\"; password != \"\" {",
            "R5t19x",
        ),
        (
            "userinfo right after {",
            "dial failed: {app:R5t20x@db.internal:5432}",
            "R5t20x",
        ),
        (
            "jsessionid path parameter",
            "GET https://shop.example.com/cart;jsessionid=R5t21xABCDEF?item=3 404",
            "R5t21x",
        ),
        (
            "OAuth code in a query",
            "callback https://app.example.com/oauth/callback?code=R5t22xabc&state=s1 failed; retry https://app.example.com/cb?state=s2&code=R5t22y",
            "R5t22",
        ),
        (
            "PowerShell ConvertTo-SecureString",
            "$pw = ConvertTo-SecureString \"R5t23x\" -AsPlainText -Force",
            "R5t23x",
        ),
        (
            "HTML-entity-quoted JSON",
            "<pre>{&quot;user&quot;:&quot;app&quot;,&quot;password&quot;:&quot;R5t24x&quot;}</pre>",
            "R5t24x",
        ),
    ]
}

/// Finding A/C: glued credential names and credential URL paths, as condition messages.
#[tokio::test]
async fn review5_text_shapes_in_conditions() {
    let world = World::new().await;
    let shapes = text_shapes();
    plant_conditions(&world.standin, "guestbook", &shapes);
    let answer = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    eprintln!("server status: {answer}");
    let mut found = leaked("server get_argocd_app_status", &shapes, &answer);
    let plugin = plugin_status(&plugin_env(&world.standin)).await;
    found.extend(leaked("plugin get_argocd_app_status", &shapes, &plugin));
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The same shapes as pod log lines.
#[tokio::test]
async fn review5_text_shapes_in_logs() {
    let world = World::new().await;
    let shapes = text_shapes();
    world.standin.state().review_log_lines =
        shapes.iter().map(|(_, t, _)| (*t).to_owned()).collect();
    let answer = server_logs(&world).await;
    eprintln!("server logs: {answer}");
    let mut found = leaked("server get_argocd_app_logs", &shapes, &answer);
    let plugin = plugin_logs(&plugin_env(&world.standin)).await;
    found.extend(leaked("plugin get_argocd_app_logs", &shapes, &plugin));
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Finding B: what Argo CD sends is already cut by `tailLines` (the window starts inside the
/// key) or thinned by `filter` (`!BEGIN`, `!password`): the lines planted here are what Argo CD
/// returns then. Without the `-----BEGIN … PRIVATE KEY-----` line, or the `password: |` line,
/// nothing marks the lines below as a credential.
#[tokio::test]
async fn review5_key_body_without_its_marker_line_in_logs() {
    let world = World::new().await;
    let lines = [
        // tail_lines starting two lines into a logged key
        "MIIEowIBAAKCAQEAR5pem01xyzUVWXYZabcdefghijklmnopqrstuvwxyz012345",
        "R5pem02aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789+/abcdefghijklmnopq",
        "-----END RSA PRIVATE KEY-----",
        // filter "!password" dropped `  password: |`
        "effective config:",
        "db:",
        "    R5block03x",
        "  user: app",
    ];
    world.standin.state().review_log_lines = lines.iter().map(|l| (*l).to_owned()).collect();
    let answer = server_logs(&world).await;
    eprintln!("server logs: {answer}");
    let plugin = plugin_logs(&plugin_env(&world.standin)).await;
    eprintln!("plugin logs: {plugin}");
    let mut found = Vec::new();
    for s in ["R5pem01", "R5pem02", "R5block03x"] {
        if answer.contains(s) {
            found.push(format!("server: {s}"));
        }
        if plugin.contains(s) {
            found.push(format!("plugin: {s}"));
        }
    }
    // And the request really passes the agent's filter/tail to Argo CD, which applies them.
    let args = json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "tail_lines": 3, "filter": "!BEGIN"});
    let _ = world.call("get_argocd_app_logs", args).await;
    let asked: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("/logs"))
        .map(|r| r.path.clone())
        .collect();
    eprintln!("log requests: {asked:?}");
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

fn live_objects() -> Vec<(&'static str, Value, &'static [&'static str])> {
    vec![
        (
            "Redis StatefulSet args and env with glued names",
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "r5-redis", "namespace": "default"},
                   "spec": {"template": {"spec": {"containers": [{"name": "redis", "image": "redis:7",
                       "args": ["redis-server", "--requirepass", "R5obj01a", "--masterauth", "R5obj01b"],
                       "env": [{"name": "DBPASS", "value": "R5obj01c"}]}]}}}}),
            &["R5obj01a", "R5obj01b", "R5obj01c"],
        ),
        (
            "Grafana datasource custom header value in secureJsonData",
            json!({"apiVersion": "grafana.integreatly.org/v1beta1", "kind": "GrafanaDatasource", "metadata": {"name": "r5-ds", "namespace": "default"},
                   "spec": {"datasource": {"name": "loki", "type": "loki", "url": "https://loki.example.com",
                       "jsonData": {"httpHeaderName1": "X-Scope-OrgID", "httpHeaderName2": "X-Api-Key"},
                       "secureJsonData": {"httpHeaderValue1": "tenant-a", "httpHeaderValue2": "R5obj02"}}}}),
            &["R5obj02"],
        ),
        (
            "ConfigMap: .pgpass, redis.conf, age keys.txt",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "r5-cm", "namespace": "default"},
                   "data": {".pgpass": "db.example.com:5432:app:appuser:R5obj03a\n", "redis.conf": "port 6379\nrequirepass R5obj03b\n",
                            "keys.txt": "# created: 2026-01-01\n# public key: age1qqqq\nAGE-SECRET-KEY-1R5OBJ03CQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n"}}),
            &["R5obj03a", "R5obj03b", "R5OBJ03C"],
        ),
        (
            "Grafana provisioning ConfigMap: secureJsonData in datasources.yaml",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "r5-grafana", "namespace": "default"},
                   "data": {"datasources.yaml": "apiVersion: 1\ndatasources:\n- name: loki\n  type: loki\n  jsonData:\n    httpHeaderName1: X-Scope-OrgID\n  secureJsonData:\n    httpHeaderValue1: R5obj05\n"}}),
            &["R5obj05"],
        ),
        (
            "argocd-notifications-cm: Discord and Teams webhooks",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "argocd-notifications-cm", "namespace": "default"},
                   "data": {"service.webhook.discord": "url: https://discord.com/api/webhooks/123456789012345678/R5obj04aAbCdEf\nheaders:\n- name: Content-Type\n  value: application/json\n",
                            "service.teams": "recipientUrls:\n  ops: https://acme.webhook.office.com/webhookb2/0f0e@2a2b/IncomingWebhook/R5obj04b/4c4d\n"}}),
            &["R5obj04a", "R5obj04b"],
        ),
    ]
}

/// Findings A/C/D in objects passed on by get_argocd_resource.
#[tokio::test]
async fn review5_live_objects() {
    let world = World::new().await;
    let objects = live_objects();
    plant_live(
        &world,
        &objects
            .iter()
            .map(|(_, o, _)| o.clone())
            .collect::<Vec<_>>(),
    );
    let env = plugin_env(&world.standin);
    let mut found = Vec::new();
    for (shape, object, secrets) in &objects {
        let (server, plugin) = read_live(&world, &env, object).await;
        eprintln!("{shape}\n  server: {server}\n  plugin: {plugin}");
        // What names the header (and where it goes) stays: the operator needs it.
        if shape.contains("Grafana") {
            for which in [&server, &plugin] {
                if !which.contains("X-Scope-OrgID") {
                    found.push(format!("{shape}: the header's name was lost: {which}"));
                }
            }
        }
        for s in *secrets {
            if still_open(shape) {
                continue;
            }
            if server.contains(s) {
                found.push(format!("server {shape}: {s}"));
            }
            if plugin.contains(s) {
                found.push(format!("plugin {shape}: {s}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---- the live feed ----

type Body = wasmtime_wasi_http::p2::body::HyperOutgoingBody;

struct Listening {
    body: Body,
    buffer: String,
}

impl Listening {
    async fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                    continue;
                };
                return Some(serde_json::from_str(data).expect("SSE data is JSON"));
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(data) = frame.ok()?.into_data() {
                self.buffer.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }
}

async fn subscribe(world: &World, id: u64, uris: &[String]) -> Listening {
    let body = modern_body(
        id,
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions": uris}}),
    );
    let mut request = hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (name, value) in mirrored(&body) {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = harness().serve(&world.env, request).await.unwrap();
    let mut listening = Listening {
        body: response.into_body(),
        buffer: String::new(),
    };
    let ack = listening.next(Duration::from_secs(15)).await.expect("ack");
    eprintln!("ack: {ack}");
    listening
}

/// Finding E: subscription notifications quote the app's `status.sync.revision` (and sync,
/// health, phase) as Argo CD holds them, without the scrubber every answer goes through.
#[tokio::test]
async fn review5_feed_notification_quotes_revision_unscrubbed() {
    let world = World::new().await;
    let uri = "argocd://applications/argocd/guestbook".to_owned();
    let mut listening = subscribe(&world, 51, &[uri]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while world.standin.open_watches() != 1 {
        assert!(tokio::time::Instant::now() < deadline, "watch never opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("guestbook").unwrap();
        record.app["status"]["sync"]["revision"] =
            json!("https://deploybot:R5feed01x@git.example.com/org/charts.git");
    }
    let mut heard = Vec::new();
    while let Some(message) = listening.next(Duration::from_secs(5)).await {
        eprintln!("notification: {message}");
        heard.push(message.to_string());
        if heard.len() > 3 {
            break;
        }
    }
    // The same app read as a resource goes through the tools' scrubber.
    let (_, read) = world
        .modern(
            "resources/read",
            json!({"uri": "argocd://applications/argocd/guestbook"}),
        )
        .await;
    eprintln!("resources/read: {read}");
    let all = heard.join("\n");
    assert!(!heard.is_empty(), "no notification came");
    assert!(
        !read.to_string().contains("R5feed01x"),
        "resources/read leaked"
    );
    assert!(!all.contains("R5feed01x"), "notification leaked: {all}");
}

/// Over-masking: an image's tag whose last path segment has a `-` and a credential word
/// (`external-secrets`, `sealed-secrets-controller`, `token-service`) is read as a header
/// (`Token-Service: 2.0`) and loses its tag everywhere: objects, conditions, events.
/// ExternalSecret's `secretKey` (the NAME of the key in the target Secret) and Vault's
/// `agent-inject-secret-*` annotation (a Vault path) are hidden as if they were credentials.
#[tokio::test]
async fn review5_overmasking_image_tags_and_secret_key_names() {
    let world = World::new().await;
    let objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "r5-eso", "namespace": "default",
               "annotations": {"vault.hashicorp.com/agent-inject": "true", "vault.hashicorp.com/agent-inject-secret-db-creds": "database/creds/db-app"}},
               "spec": {"template": {"spec": {"containers": [
                   {"name": "eso", "image": "ghcr.io/external-secrets/external-secrets:v0.9.11"},
                   {"name": "ss", "image": "docker.io/bitnami/sealed-secrets-controller:0.24.5"},
                   {"name": "api", "image": "registry.example.com/token-service:2.0.7"}]}}}}),
        json!({"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": "r5-es", "namespace": "default"},
               "spec": {"secretStoreRef": {"name": "aws", "kind": "ClusterSecretStore"}, "target": {"name": "db"},
                        "data": [{"secretKey": "DB_PASSWORD", "remoteRef": {"key": "prod/db", "property": "password"}}]}}),
    ];
    plant_live(&world, &objects);
    let env = plugin_env(&world.standin);
    let needed = [
        "external-secrets:v0.9.11",
        "sealed-secrets-controller:0.24.5",
        "token-service:2.0.7",
        "database/creds/db-app",
        "\"DB_PASSWORD\"",
        "DB_PASSWORD",
    ];
    let mut lost = Vec::new();
    for object in &objects {
        let (server, plugin) = read_live(&world, &env, object).await;
        eprintln!("server: {server}\nplugin: {plugin}");
        let _ = (&server, &plugin);
        let check = |needle: &str, which: &str, text: &str, lost: &mut Vec<String>| {
            if !text.contains(needle) && !text.contains(&needle.replace('"', "\\\"")) {
                lost.push(format!("{which} {} lost {needle}", object["kind"]));
            }
        };
        let wanted: &[&str] = if object["kind"] == "Deployment" {
            &needed[..4]
        } else {
            &needed[5..]
        };
        for n in wanted {
            check(n, "server", &server, &mut lost);
            check(n, "plugin", &plugin, &mut lost);
        }
    }
    let shapes: [Shape; 2] = [
        (
            "image pull event",
            "Back-off pulling image \"ghcr.io/external-secrets/external-secrets:v0.9.11\"",
            "",
        ),
        (
            "ExternalSecret quoted as text",
            "could not apply ExternalSecret r5-es: data:\n- secretKey: R5_KEY_NAME\n  remoteRef:\n    key: prod/db",
            "",
        ),
    ];
    plant_conditions(&world.standin, "guestbook", &shapes);
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = plugin_status(&env).await;
    eprintln!("status server: {status}\nstatus plugin: {plugin}");
    for (which, text) in [("server status", &status), ("plugin status", &plugin)] {
        if !text.contains("external-secrets:v0.9.11") {
            lost.push(format!("{which} condition lost the tag"));
        }
        if !text.contains("secretKey: R5_KEY_NAME") {
            lost.push(format!(
                "{which} condition lost the ExternalSecret's key name"
            ));
        }
    }
    lost.retain(|finding| !still_open(finding));
    assert!(lost.is_empty(), "lost {}:\n{}", lost.len(), lost.join("\n"));
}

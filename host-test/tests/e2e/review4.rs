//! Hostile review (fourth) of "no credential in any answer", after the scrubber's rewrite:
//! shapes that still get through and texts the rules destroy, planted in the stand-in and read
//! back through the shipped server component and the plugin. Each test FAILS while its finding
//! stands, and prints what came back.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    plant_conditions, plant_live, plugin_env, plugin_logs, plugin_status, read_live, server_logs,
};

/// (shape, text planted, the secret marker that must not come back)
type Shape = (&'static str, &'static str, &'static str);

fn leaked(what: &str, shapes: &[Shape], answer: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (shape, text, secret) in shapes {
        if answer.contains(secret) {
            out.push(format!("{what}: {shape}: {text:?}"));
        }
    }
    eprintln!("== {what}: {} of {} shapes leaked", out.len(), shapes.len());
    for l in &out {
        eprintln!("  LEAK {l}");
    }
    out
}

/// Values whose tail survives (a character the value reader stops at), shapes that name the
/// credential but that no rule reads, and single-line shapes the rules misread.
fn value_shapes() -> Vec<Shape> {
    vec![
        // README: `name=value` runs "to the next whitespace, quote or `;`" — but it also stops
        // at `&`, `<`, `>` and a backquote, so the password's tail stays.
        (
            "conn string password with &",
            "host=db user=app password=Tr0ub&R4amp01 dbname=app",
            "R4amp01",
        ),
        (
            "logfmt password with <",
            "level=info password=ab<R4lt02 user=x",
            "R4lt02",
        ),
        (
            "flag= with backquote",
            "exec app --db-password=pa`R4bq03 --debug",
            "R4bq03",
        ),
        (
            "flag argument with >",
            "exec app --password ab>R4gt04 --debug",
            "R4gt04",
        ),
        (
            "prose member with > (mid-line)",
            "loaded DB_PASSWORD: Xy7>R4gt05 from env",
            "R4gt05",
        ),
        ("header value with &", "X-Api-Key: ab&R4hdr06", "R4hdr06"),
        ("Cookie with &", "Cookie: session=abc&R4ck07=1", "R4ck07"),
        (
            "curl -u with <",
            "curl -u deploy:pa<R4cu08 https://api.example.com",
            "R4cu08",
        ),
        ("one-sided '= '", "password= R4eq09", "R4eq09"),
        // Go prints maps and unexported struct fields lower-case, without a space.
        (
            "Go %v map",
            "config: map[database:map[password:R4gomap10 user:app]]",
            "R4gomap10",
        ),
        (
            "Go %+v lower-case fields",
            "cfg={user:app password:R4gost11 insecure:false}",
            "R4gost11",
        ),
        (
            "Java .properties with ':'",
            "spring.datasource.password:R4prop12",
            "R4prop12",
        ),
        // Ruby / PHP / Perl hashes.
        (
            "Ruby hash inspect",
            r#"params: {"user"=>"app", "password"=>"R4ruby13"}"#,
            "R4ruby13",
        ),
        (
            "PHP print_r",
            "Array ( [password] => R4php14 [user] => app )",
            "R4php14",
        ),
        (
            "Perl Data::Dumper",
            "$VAR1 = { 'password' => 'R4perl15' };",
            "R4perl15",
        ),
        // XML elements the element rule cannot read.
        (
            "XML element with attributes (WS-Security)",
            r#"<wsse:Password Type="http://docs.oasis-open.org/wss#PasswordText">R4wsse16</wsse:Password>"#,
            "R4wsse16",
        ),
        (
            "XML element with CDATA",
            "<password><![CDATA[R4cdata17]]></password>",
            "R4cdata17",
        ),
        // YAML's own escape of a quote in a single-quoted scalar.
        (
            "YAML '' inside a single-quoted value",
            "password: 'it''sR4yq18'",
            "R4yq18",
        ),
        // nginx: no `:` after the header name, and Basic credentials that are all letters.
        (
            "nginx proxy_set_header X-Api-Key",
            "proxy_set_header X-Api-Key R4nginx19;",
            "R4nginx19",
        ),
        (
            "nginx Basic of user:pass (all letters)",
            "proxy_set_header Authorization \"Basic dXNlcjpwYXNz\";",
            "dXNlcjpwYXNz",
        ),
        // scheme-less addresses the scp rule gives up on.
        (
            "scheme-less to an IPv6 host",
            "psql app:R4ipv620@[fd00::5]:5432/app",
            "R4ipv620",
        ),
        (
            "scheme-less ending in a bare @",
            "dsn=app:R4at21@db.example.com:5432/app?fallback=@",
            "R4at21",
        ),
        // A password with a space, inside an encoded URL inside a URL (encoded twice: %2520).
        (
            "encoded inner URL, password with %2520",
            "https://sso.example.com/?next=https%3A%2F%2Fu%3Aa%2520R4enc22%40git.example.com%2Fa",
            "R4enc22",
        ),
    ]
}

/// Finding 1-7: the value shapes as condition messages (get_argocd_app_status).
#[tokio::test]
async fn review4_value_shapes_in_conditions() {
    let world = World::new().await;
    let shapes = value_shapes();
    let env = plugin_env(&world.standin);
    let mut found = Vec::new();
    for batch in shapes.chunks(20) {
        plant_conditions(&world.standin, "guestbook", batch);
        let answer = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        eprintln!("server status: {answer}");
        found.extend(leaked("server get_argocd_app_status", batch, &answer));
        let plugin = plugin_status(&env).await;
        found.extend(leaked("plugin get_argocd_app_status", batch, &plugin));
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The same value shapes as pod log lines (get_argocd_app_logs).
#[tokio::test]
async fn review4_value_shapes_in_logs() {
    let world = World::new().await;
    let shapes = value_shapes();
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

/// Finding: every log line is its own string and starts with `timestamp [pod]`, so what spans
/// lines (a PEM private key printed by a pod, a YAML block or next-line value) is judged line by
/// line, and a `password: …` line's value is one word, never "the rest of the line".
#[tokio::test]
async fn review4_multi_line_credentials_in_logs() {
    let world = World::new().await;
    let lines = [
        "loading TLS key:",
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEAR4pemBody01xyzUVWXYZabcdefghijklmnopqrstuv",
        "R4pemBody02aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789+/abcdefgh",
        "-----END RSA PRIVATE KEY-----",
        "effective config:",
        "db:",
        "  password: |",
        "    R4block03",
        "  token:",
        "    R4next04",
        "password: correct horse R4words05 staple",
    ];
    world.standin.state().review_log_lines = lines.iter().map(|l| (*l).to_owned()).collect();
    let answer = server_logs(&world).await;
    eprintln!("server logs: {answer}");
    let plugin = plugin_logs(&plugin_env(&world.standin)).await;
    eprintln!("plugin logs: {plugin}");
    let secrets = [
        "R4pemBody01",
        "R4pemBody02",
        "R4block03",
        "R4next04",
        "R4words05",
    ];
    let mut found = Vec::new();
    for s in secrets {
        if answer.contains(s) {
            found.push(format!("server: {s}"));
        }
        if plugin.contains(s) {
            found.push(format!("plugin: {s}"));
        }
    }
    // The same lines in one condition message are hidden: the loss is the log tool's shape.
    plant_conditions(
        &world.standin,
        "guestbook",
        &[("joined", Box::leak(lines.join("\n").into_boxed_str()), "")],
    );
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let in_condition: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| status.contains(s))
        .collect();
    eprintln!("same text as one condition message leaks only: {in_condition:?}");
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
            "Argo Rollouts AnalysisTemplate web headers as {key, value}",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "r4-analysis", "namespace": "default"},
                   "spec": {"metrics": [{"name": "error-rate", "provider": {"web": {"url": "https://metrics.example.com/api", "headers": [{"key": "X-Api-Key", "value": "R4obj01key"}, {"key": "Authorization", "value": "Token R4obj01auth"}]}}}]}}),
            &["R4obj01key", "R4obj01auth"],
        ),
        (
            "Istio EnvoyFilter header {key, value}",
            json!({"apiVersion": "networking.istio.io/v1alpha3", "kind": "EnvoyFilter", "metadata": {"name": "r4-envoy", "namespace": "default"},
                   "spec": {"configPatches": [{"applyTo": "HTTP_ROUTE", "patch": {"operation": "MERGE", "value": {"request_headers_to_add": [{"header": {"key": "x-api-key", "value": "R4obj02"}}]}}}]}}),
            &["R4obj02"],
        ),
        (
            "list and object under credential keys",
            json!({"apiVersion": "example.com/v1", "kind": "ApiGateway", "metadata": {"name": "r4-gw", "namespace": "default"},
                   "spec": {"apiKeys": ["R4obj03a", "R4obj03b"], "adminPassword": {"value": "R4obj03c"}}}),
            &["R4obj03a", "R4obj03c"],
        ),
        (
            "Secret embedded in a Crossplane Object",
            json!({"apiVersion": "kubernetes.crossplane.io/v1alpha2", "kind": "Object", "metadata": {"name": "r4-xp", "namespace": "default"},
                   "spec": {"forProvider": {"manifest": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "app"},
                                                         "stringData": {"DATABASE_DSN": "R4obj04dsn"}, "data": {"config.json": "UjRvYmowNGI2NA=="}}}}}),
            &["R4obj04dsn", "UjRvYmowNGI2NA"],
        ),
        (
            "nginx ingress configuration-snippet",
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "r4-ing", "namespace": "default",
                   "annotations": {"nginx.ingress.kubernetes.io/configuration-snippet": "proxy_set_header X-Api-Key R4obj05;\nproxy_set_header Authorization \"Basic dXNlcjpwYXNz\";"}},
                   "spec": {"rules": []}}),
            &["R4obj05", "dXNlcjpwYXNz"],
        ),
        (
            "ConfigMap config file: YAML '' escape, Go-style and properties lines",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "r4-cm", "namespace": "default"},
                   "data": {"application.yaml": "db:\n  user: app\n  password: 'it''sR4obj06q'\n", "app.properties": "db.user=app\ndb.password:R4obj06p\n",
                            "env.yaml": "env:\n- value: R4obj06e\n  name: DB_PASSWORD\n"}}),
            &["R4obj06q", "R4obj06p", "R4obj06e"],
        ),
        (
            "app-of-apps: Helm values text with a flag and its argument as list items",
            json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "r4-child", "namespace": "argocd"},
                   "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "child"},
                            "source": {"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                                       "helm": {"values": "image: nginx:1.25\nextraArgs:\n  - --db-password\n  - R4obj07a\n  - --api-token\n  - R4obj07b\n"}}}}),
            &["R4obj07a", "R4obj07b"],
        ),
    ]
}

/// Findings: objects passed on by get_argocd_resource keep credentials that masking.rs does not
/// walk ({key, value} pairs, lists and maps under credential keys, a Secret inside another
/// kind, Helm values' flag lists) or that the text rules misread.
#[tokio::test]
async fn review4_live_objects() {
    let found = crate::planting::leaks_in_live(&live_objects()).await;
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Over-masking: what an on-call engineer needs and the rules destroy. Secret NAMES under
/// `existingSecret` (the Bitnami charts' way to name the Secret), the kind word in Kubernetes'
/// own FailedMount event, and a URL whose userinfo removal invents another host.
#[tokio::test]
async fn review4_overmasking() {
    let world = World::new().await;
    let app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "r4-db", "namespace": "argocd"},
        "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc", "namespace": "db"},
                 "source": {"repoURL": "https://charts.bitnami.com/bitnami", "chart": "postgresql", "targetRevision": "15.0.0",
                            // Under `auth:` (a credential's name) values text hides everything, by
                            // design (README); the names it must keep stand elsewhere here.
                            "helm": {"values": "auth:\n  enablePostgresUser: true\nglobal:\n  existingSecret: pg-r4-credentials\nprimary:\n  persistence:\n    size: 8Gi\n"}}}});
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "r4-dep", "namespace": "default"},
        "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "ghcr.io/org/api:1.0",
            "env": [{"name": "DB_EXISTING_SECRET", "value": "pg-r4-envsecret"}]}],
            "volumes": [{"name": "creds", "secret": {"secretName": "pg-r4-volume"}}]}}}});
    plant_live(&world, &[app.clone(), deployment.clone()]);
    let env = plugin_env(&world.standin);
    let mut lost = Vec::new();
    for (object, kept) in [
        (&app, &["pg-r4-credentials", "8Gi"][..]),
        (&deployment, &["pg-r4-envsecret", "pg-r4-volume"][..]),
    ] {
        let (server, plugin) = read_live(&world, &env, object).await;
        eprintln!("server: {server}\nplugin: {plugin}");
        for k in kept {
            if !server.contains(k) {
                lost.push(format!("server get_argocd_resource lost {k}"));
            }
            if !plugin.contains(k) {
                lost.push(format!("plugin get_argocd_resource lost {k}"));
            }
        }
    }
    plant_conditions(
        &world.standin,
        "guestbook",
        &[
            (
                "FailedMount",
                "MountVolume.SetUp failed for volume \"db-credentials\" : secret \"pg-r4-credentials\" not found",
                "",
            ),
            (
                "existingSecret in a message",
                "values: auth.existingSecret: pg-r4-missing is not in namespace db",
                "",
            ),
            (
                "npm scoped package URL",
                "fetch https://deploy:pw@npm.example.com/@myorg/lib/-/lib-1.0.tgz failed: 401",
                "",
            ),
        ],
    );
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = plugin_status(&env).await;
    eprintln!("server status: {status}\nplugin status: {plugin}");
    for (answer, who) in [(&status, "server"), (&plugin, "plugin")] {
        for k in [
            ": secret \\\"pg-r4-credentials\\\"",
            "pg-r4-missing",
            "npm.example.com/@myorg",
        ] {
            if !answer.contains(k) {
                lost.push(format!("{who} get_argocd_app_status lost {k}"));
            }
        }
    }
    assert!(
        lost.is_empty(),
        "destroyed {}:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

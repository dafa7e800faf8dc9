//! The plugin component's typed exports, one fresh instance per call as Wassette does.

use host_test::embed::{HostEnv, ResourceRef};
use host_test::standin::{Config, StandIn};
use serde_json::Value;

use crate::harness;

async fn setup(extra: &[(&str, &str)]) -> (StandIn, HostEnv) {
    setup_with(Config::default(), extra).await
}

/// A stand-in made with `config`, and the environment a plugin host gives the plugin for it.
pub(crate) async fn setup_with(config: Config, extra: &[(&str, &str)]) -> (StandIn, HostEnv) {
    let standin = StandIn::start(config).await.unwrap();
    let mut env = vec![
        (
            "ARGOCD_URL".to_string(),
            "https://argocd.example.com".to_string(),
        ),
        ("ARGOCD_USERNAME".into(), "admin".into()),
        ("ARGOCD_PASSWORD".into(), "password".into()),
    ];
    for (k, v) in extra {
        env.push((k.to_string(), v.to_string()));
    }
    let host = HostEnv {
        env,
        redirect: Some(standin.addr),
        ..HostEnv::default()
    };
    (standin, host)
}

fn parse(answer: Result<String, String>) -> Value {
    serde_json::from_str(&answer.expect("tool succeeds")).unwrap()
}

#[tokio::test]
async fn every_tool_works_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let status = parse(
        plugin
            .call_get_argocd_app_status(&mut store, "broken-app", Some(true), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(status["health"]["status"], "Degraded");
    assert_eq!(status["resources"]["total"], 3);

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let list = parse(
        plugin
            .call_list_argocd_apps(
                &mut store,
                Some("payments"),
                None,
                None,
                None,
                None,
                None,
                Some(5),
                None,
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(list["returned"], 5);
    assert!(
        list["apps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["project"] == "payments")
    );

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let history = parse(
        plugin
            .call_list_argocd_app_history(&mut store, "guestbook", None, None)
            .await
            .unwrap(),
    );
    assert_eq!(history["entries"][0]["id"], 3);

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let refused = plugin
        .call_sync_argocd_app(
            &mut store,
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            false,
            None,
        )
        .await
        .unwrap();
    assert!(refused.unwrap_err().contains("confirm"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let resources = vec![ResourceRef {
        group: Some("apps".into()),
        kind: "Deployment".into(),
        name: "guestbook".into(),
        namespace: Some("guestbook".into()),
    }];
    let started = parse(
        plugin
            .call_sync_argocd_app(
                &mut store,
                "guestbook",
                None,
                None,
                None,
                None,
                Some(true),
                Some(&resources),
                None,
                None,
                None,
                true,
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(started["resources"], 1);
    let sync_body = standin
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/sync"))
        .unwrap();
    assert_eq!(sync_body.content_type.as_deref(), Some("application/json"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let auto = plugin
        .call_rollback_argocd_app(
            &mut store, "payments", 0, None, None, None, None, None, true, None,
        )
        .await
        .unwrap();
    assert!(auto.unwrap_err().contains("auto-sync"));

    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let bad = plugin
        .call_get_argocd_app_status(&mut store, "../secrets", None, None, None)
        .await
        .unwrap();
    assert!(bad.unwrap_err().contains("not a valid Kubernetes name"));
}

#[tokio::test]
async fn read_only_and_missing_settings_are_refused_clearly() {
    // A confirmed rollback of guestbook to history id 1, in a fresh instance.
    async fn rollback(env: &HostEnv) -> Result<String, String> {
        let (plugin, mut store) = harness().plugin(env).await.unwrap();
        plugin
            .call_rollback_argocd_app(
                &mut store,
                "guestbook",
                1,
                None,
                None,
                None,
                None,
                None,
                true,
                None,
            )
            .await
            .unwrap()
    }
    let (_standin, env) = setup(&[("ARGOCD_READ_ONLY", "true")]).await;
    assert!(rollback(&env).await.unwrap_err().contains("read-only"));

    let empty = HostEnv::default();
    let (plugin, mut store) = harness().plugin(&empty).await.unwrap();
    let unconfigured = plugin
        .call_list_argocd_apps(
            &mut store, None, None, None, None, None, None, None, None, None,
        )
        .await
        .unwrap();
    assert!(unconfigured.unwrap_err().contains("ARGOCD_URL"));

    // Nobody can approve a change in a plugin host: with approvals required, changes are refused
    // before anything reaches Argo CD; reads still work.
    let (standin, env) = setup(&[("ARGOCD_REQUIRE_APPROVAL", "true")]).await;
    assert!(rollback(&env).await.unwrap_err().contains("approval"));
    assert!(standin.requests().iter().all(|r| r.method == "GET"));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let status = plugin
        .call_get_argocd_app_status(&mut store, "guestbook", None, None, None)
        .await
        .unwrap();
    assert!(status.is_ok(), "{status:?}");
}

#[tokio::test]
async fn an_api_token_needs_no_login() {
    let (standin, mut env) = setup(&[]).await;
    let token = standin.api_token("admin", None);
    env.env.retain(|(k, _)| k == "ARGOCD_URL");
    env.env.push(("ARGOCD_TOKEN".into(), token));
    for _ in 0..3 {
        let (plugin, mut store) = harness().plugin(&env).await.unwrap();
        parse(
            plugin
                .call_get_argocd_app_status(&mut store, "guestbook", None, None, None)
                .await
                .unwrap(),
        );
    }
    assert_eq!(standin.login_count(), 0);
}

#[tokio::test]
async fn the_operator_tools_work_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let tree = parse(
        p.call_get_argocd_app_resource_tree(
            &mut s,
            "guestbook",
            Some("Pod"),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(tree["total"], 2);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let events = parse(
        p.call_get_argocd_app_events(
            &mut s,
            "guestbook",
            Some("Deployment"),
            Some("guestbook"),
            None,
            Some(2),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(events["events"].as_array().unwrap().len(), 2);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let logs = parse(
        p.call_get_argocd_app_logs(
            &mut s,
            "guestbook",
            None,
            Some("Deployment"),
            Some("guestbook"),
            None,
            None,
            Some(5),
            None,
            Some("!healthz"),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(
        logs["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l.as_str().unwrap().contains("healthz"))
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let refreshed = parse(
        p.call_refresh_argocd_app(&mut s, "guestbook", Some(false), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(refreshed["name"], "guestbook");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let info = parse(p.call_get_argocd_server_info(&mut s, None).await.unwrap());
    assert_eq!(info["logged_in"], true);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        parse(
            p.call_list_argocd_projects(&mut s, Some(2), None, None)
                .await
                .unwrap()
        )["projects"]
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_list_argocd_clusters(&mut s, None, None, None)
                .await
                .unwrap()
        )["total"],
        2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let started = parse(
        p.call_sync_argocd_app(
            &mut s,
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(true),
            Some(30),
            true,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(started["outcome"]["verdict"], "healthy");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let waited = parse(
        p.call_wait_for_argocd_operation(&mut s, "guestbook", Some(5), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(waited["phase"], "Succeeded");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let idle = p
        .call_terminate_argocd_operation(&mut s, "guestbook", None, true, None)
        .await
        .unwrap();
    assert!(idle.unwrap_err().contains("No operation is in progress"));
    assert!(standin.requests().iter().any(|r| r.method == "DELETE"));
}

#[tokio::test]
async fn the_inspection_tools_work_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let diff = parse(
        p.call_get_argocd_app_diff(&mut s, "broken-app", None, None, None, None, None, None)
            .await
            .unwrap(),
    );
    assert_eq!(diff["drifted"], 1);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let secret = parse(
        p.call_get_argocd_resource(
            &mut s, "huge-app", "Secret", "huge-app", None, None, None, None, None, None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(secret["manifest"]["data"]["API_KEY"], "***");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let actions = parse(
        p.call_list_argocd_resource_actions(
            &mut s,
            "guestbook",
            "Deployment",
            "guestbook",
            None,
            Some("apps"),
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(actions["available"][0], "restart");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let ran = parse(
        p.call_run_argocd_resource_action(
            &mut s,
            "guestbook",
            "Deployment",
            "guestbook",
            None,
            Some("apps"),
            None,
            None,
            "restart",
            true,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(ran["action"], "restart");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_sync_windows(&mut s, "guestbook", None, None)
                .await
                .unwrap()
        )["can_sync"],
        true
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_can_i_argocd(&mut s, "applications", "get", "*", None)
                .await
                .unwrap()
        )["allowed"],
        true
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        parse(
            p.call_list_argocd_repositories(&mut s, None, None, None)
                .await
                .unwrap()
        )["total"]
            .as_u64()
            .unwrap()
            > 0
    );
    let revision = standin.app("guestbook").unwrap()["status"]["history"][0]["revision"]
        .as_str()
        .unwrap()
        .to_owned();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let meta = parse(
        p.call_get_argocd_revision_metadata(&mut s, "guestbook", &revision, None, None, None)
            .await
            .unwrap(),
    );
    assert_eq!(meta["revision"], revision);
}

#[tokio::test]
async fn applicationsets_through_typed_exports() {
    let (_standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_list_argocd_applicationsets(&mut s, None, None, None, None, None)
                .await
                .unwrap()
        )["total"],
        2
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let one = parse(
        p.call_get_argocd_applicationset(&mut s, "guestbook-envs", None, None)
            .await
            .unwrap(),
    );
    assert_eq!(one["generators"][0], "list");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let spec = r#"{"metadata":{"name":"x"},"spec":{"generators":[{"list":{"elements":[{"n":"1"}]}}],"template":{"metadata":{"name":"app-{{n}}"},"spec":{"project":"default"}}}}"#;
    assert_eq!(
        parse(
            p.call_preview_argocd_applicationset(&mut s, spec, None)
                .await
                .unwrap()
        )["count"],
        1
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        p.call_preview_argocd_applicationset(&mut s, "{not json", None)
            .await
            .unwrap()
            .unwrap_err()
            .contains("not JSON")
    );
}

#[tokio::test]
async fn lifecycle_through_typed_exports() {
    let (standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let created = parse(
        p.call_create_argocd_app(
            &mut s,
            "plug-svc",
            "default",
            "https://git.example.com/p.git",
            Some("deploy"),
            None,
            None,
            None,
            None,
            "plug",
            None,
            None,
            None,
            None,
            None,
            None,
            true,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(created["app"], "plug-svc");
    let (p, mut s) = h.plugin(&env).await.unwrap();
    let patched = parse(
        p.call_patch_argocd_app(
            &mut s,
            "payments",
            r#"{"spec":{"syncPolicy":{"automated":null}}}"#,
            None,
            true,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(patched["auto_sync"], false);
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert!(
        p.call_patch_argocd_app(&mut s, "payments", "nope", None, true, None)
            .await
            .unwrap()
            .unwrap_err()
            .contains("not JSON")
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    parse(
        p.call_delete_argocd_resource(
            &mut s,
            "guestbook",
            "ConfigMap",
            "guestbook",
            None,
            None,
            None,
            None,
            None,
            None,
            true,
            None,
        )
        .await
        .unwrap(),
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    parse(
        p.call_delete_argocd_app(
            &mut s,
            "plug-svc",
            true,
            Some("foreground"),
            None,
            true,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(standin.app("plug-svc").is_none());
}

#[tokio::test]
async fn manifests_project_and_cluster_through_typed_exports() {
    let (_standin, env) = setup(&[]).await;
    let h = harness();
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_app_manifests(
                &mut s,
                "guestbook",
                None,
                None,
                None,
                Some(true),
                None,
                None,
                None
            )
            .await
            .unwrap()
        )["count"],
        3
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_project(&mut s, "payments", None)
                .await
                .unwrap()
        )["name"],
        "payments"
    );
    let (p, mut s) = h.plugin(&env).await.unwrap();
    assert_eq!(
        parse(
            p.call_get_argocd_cluster(&mut s, "in-cluster", None)
                .await
                .unwrap()
        )["connection"],
        "Successful"
    );
}

/// The shipped policy file, read the way a Wassette-style host applies it: hosts the plugin may
/// reach, environment keys it may read, its memory ceiling.
struct Policy {
    hosts: Vec<String>,
    keys: Vec<String>,
    memory_bytes: usize,
}

fn shipped_policy() -> Policy {
    let path = std::path::Path::new(host_test::embed::PLUGIN_WASM)
        .with_file_name("argocd_mcp_plugin.policy.yaml");
    let text = std::fs::read_to_string(&path).expect("the policy ships beside the plugin");
    let value_of = |line: &str, field: &str| {
        line.trim()
            .strip_prefix(field)
            .map(|v| v.trim().trim_matches('"').to_string())
    };
    let mut policy = Policy {
        hosts: Vec::new(),
        keys: Vec::new(),
        memory_bytes: 0,
    };
    for line in text.lines() {
        if let Some(host) = value_of(line, "- host:") {
            policy.hosts.push(host);
        } else if let Some(key) = value_of(line, "- key:") {
            policy.keys.push(key);
        } else if let Some(memory) = value_of(line, "memory:") {
            let mebibytes: usize = memory.trim_end_matches("Mi").parse().unwrap();
            policy.memory_bytes = mebibytes << 20;
        }
    }
    policy
}

#[tokio::test]
async fn the_shipped_policy_is_enough_and_no_more() {
    let policy = shipped_policy();
    // MCP_* guard the server's HTTP endpoints (bearer, hosts, origins), and user mode's settings
    // sign in the server's callers: no plugin business.
    let mut expected: Vec<&str> = argocd_mcp::settings::SERVICE_SETTINGS
        .iter()
        .map(|setting| setting.env)
        .filter(|&env| !env.starts_with("MCP_"))
        .collect();
    expected.sort_unstable();
    let mut keys: Vec<&str> = policy.keys.iter().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys, expected,
        "the policy grants exactly the settings the plugin reads"
    );
    assert_eq!(policy.hosts, ["argocd.example.com"]);
    assert!(policy.memory_bytes > 0);

    // The host gives the plugin only what the policy allows, as Wassette does.
    let (_standin, mut env) = setup(&[("AWS_SECRET_ACCESS_KEY", "not-for-the-plugin")]).await;
    env.env.retain(|(key, _)| policy.keys.contains(key));
    env.allowed_hosts = Some(policy.hosts.clone());
    env.memory_limit = Some(policy.memory_bytes);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let tree = parse(
        p.call_get_argocd_app_resource_tree(
            &mut s,
            "huge-app",
            None,
            None,
            Some(500),
            None,
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(tree["total"].as_u64().unwrap() >= 500, "{tree}");
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let list = parse(
        p.call_list_argocd_apps(
            &mut s,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(500),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert_eq!(list["returned"], list["total"], "every app, in one page");

    // Anywhere else is out of reach, and the tool says so.
    env.env.retain(|(key, _)| key != "ARGOCD_URL");
    env.env
        .push(("ARGOCD_URL".into(), "https://elsewhere.example.net".into()));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let refused = p
        .call_get_argocd_app_status(&mut s, "guestbook", None, None, None)
        .await
        .unwrap()
        .expect_err("the host denies the request");
    assert!(refused.contains("elsewhere.example.net"), "{refused}");
}

fn read_leb(bytes: &[u8], at: &mut usize) -> usize {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte < 0x80 {
            return value;
        }
    }
}

/// The top-level custom sections of a component: (name, contents).
fn custom_sections(component: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut sections = Vec::new();
    let mut at = 8; // magic and layer/version
    while at < component.len() {
        let id = component[at];
        at += 1;
        let size = read_leb(component, &mut at);
        let end = at + size;
        if id == 0 {
            let mut inner = at;
            let name_len = read_leb(component, &mut inner);
            let name = String::from_utf8(component[inner..inner + name_len].to_vec()).unwrap();
            sections.push((name, component[inner + name_len..end].to_vec()));
        }
        at = end;
    }
    sections
}

#[test]
fn the_shipped_plugin_carries_its_tool_docs_and_a_root_name() {
    let component = std::fs::read(host_test::embed::PLUGIN_WASM).unwrap();
    let sections = custom_sections(&component);
    let section = |name: &str| {
        let found: Vec<&Vec<u8>> = sections
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, data)| data)
            .collect();
        assert_eq!(found.len(), 1, "one {name} section");
        found[0].clone()
    };

    // `package-docs`: a version byte, then JSON; hosts read worlds.*.func_exports.*.docs.
    let docs = section("package-docs");
    assert_eq!(docs[0], 1, "format version 1");
    let docs: Value = serde_json::from_slice(&docs[1..]).unwrap();
    let plugin = &docs["worlds"]["root"];
    assert!(plugin["docs"].as_str().unwrap().contains("profile"));
    let documented = plugin["func_exports"].as_object().unwrap();
    let tools = argocd_mcp::tools::definitions(false);
    assert_eq!(
        documented.len(),
        tools.len(),
        "one documented export per tool"
    );
    for tool in &tools {
        let export = tool.name.replace('_', "-");
        let text = documented[&export]["docs"].as_str().unwrap_or_default();
        assert!(text.len() > 40, "{export} is documented: {text:?}");
    }

    // The docs describe this component's world only, so the standard decoder (what
    // `wasm-tools component wit` and hosts use) reads the file and finds each export's doc.
    assert_eq!(
        docs["worlds"].as_object().unwrap().len(),
        1,
        "only the plugin world"
    );
    let wit_parser::decoding::DecodedWasm::Component(resolve, world) =
        wit_component::decode(&component).expect("the shipped plugin decodes")
    else {
        panic!("the plugin decodes as a component");
    };
    let world = &resolve.worlds[world];
    let exported: Vec<(String, Option<String>)> = world
        .exports
        .iter()
        .filter_map(|(key, item)| match item {
            wit_parser::WorldItem::Function(f) => {
                Some((resolve.name_world_key(key), f.docs.contents.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(exported.len(), tools.len(), "{exported:?}");
    for (name, docs) in &exported {
        assert!(
            docs.as_deref().is_some_and(|d| d.len() > 40),
            "{name}: {docs:?}"
        );
    }

    // `component-name`: subsection 0 names the component itself.
    let names = section("component-name");
    let mut at = 0;
    let mut root = None;
    while at < names.len() {
        let kind = names[at];
        at += 1;
        let size = read_leb(&names, &mut at);
        if kind == 0 {
            let mut inner = at;
            let len = read_leb(&names, &mut inner);
            root = Some(String::from_utf8(names[inner..inner + len].to_vec()).unwrap());
        }
        at += size;
    }
    assert_eq!(root.as_deref(), Some("argocd-mcp"));
}

/// A tool's answer, or a failure naming the step.
fn answered(step: &str, answer: Result<String, String>) -> Value {
    match answer {
        Ok(text) => serde_json::from_str(&text).unwrap(),
        Err(message) => panic!("{step}: {message}"),
    }
}

/// The plugin within its policy's 64 MiB, where answers are biggest: a 10,000-app fleet and an
/// app with 5,000 resources. Every tool whose work grows with the fleet or the app is called.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn within_its_memory_policy_the_plugin_serves_a_big_fleet_and_a_big_app() {
    let (_standin, mut env) = setup_with(
        Config {
            fleet_size: 10_000,
            huge_app_resources: 5_000,
            ..Config::default()
        },
        &[],
    )
    .await;
    let policy = shipped_policy();
    env.allowed_hosts = Some(policy.hosts.clone());
    env.memory_limit = Some(policy.memory_bytes);
    let fresh = || async { harness().plugin(&env).await.unwrap() };
    let huge = "huge-app";

    let (p, mut s) = fresh().await;
    let list = answered(
        "list page",
        p.call_list_argocd_apps(
            &mut s,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(500),
            Some(9_000),
            None,
        )
        .await
        .unwrap(),
    );
    assert!(
        list["total"].as_u64().unwrap() >= 10_000,
        "{}",
        list["total"]
    );
    let (p, mut s) = fresh().await;
    let degraded = answered(
        "list degraded",
        p.call_list_argocd_apps(
            &mut s,
            None,
            None,
            Some("Degraded"),
            None,
            None,
            None,
            Some(500),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(degraded["total"].as_u64().unwrap() > 0);
    let (p, mut s) = fresh().await;
    let status = answered(
        "status",
        p.call_get_argocd_app_status(&mut s, huge, Some(true), None, None)
            .await
            .unwrap(),
    );
    assert!(status.to_string().len() < 64 << 10, "a bounded answer");
    let (p, mut s) = fresh().await;
    let tree = answered(
        "tree",
        p.call_get_argocd_app_resource_tree(
            &mut s,
            huge,
            None,
            None,
            Some(1000),
            Some(4_000),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    assert!(
        tree["total"].as_u64().unwrap() >= 5_000,
        "{}",
        tree["total"]
    );
    let (p, mut s) = fresh().await;
    answered(
        "diff",
        p.call_get_argocd_app_diff(&mut s, huge, None, None, Some(true), Some(100), None, None)
            .await
            .unwrap(),
    );
    let (p, mut s) = fresh().await;
    answered(
        "manifests",
        p.call_get_argocd_app_manifests(
            &mut s,
            huge,
            None,
            None,
            None,
            Some(true),
            Some(500),
            None,
            None,
        )
        .await
        .unwrap(),
    );
    let (p, mut s) = fresh().await;
    answered(
        "events",
        p.call_get_argocd_app_events(&mut s, huge, None, None, None, Some(200), None, None)
            .await
            .unwrap(),
    );
    let (p, mut s) = fresh().await;
    answered(
        "wait",
        p.call_wait_for_argocd_operation(&mut s, huge, Some(5), None, None)
            .await
            .unwrap(),
    );
    for list_call in 0..4 {
        let (p, mut s) = fresh().await;
        let answer = match list_call {
            0 => {
                p.call_list_argocd_projects(&mut s, Some(500), None, None)
                    .await
            }
            1 => {
                p.call_list_argocd_clusters(&mut s, Some(500), None, None)
                    .await
            }
            2 => {
                p.call_list_argocd_repositories(&mut s, Some(500), None, None)
                    .await
            }
            _ => {
                p.call_list_argocd_applicationsets(&mut s, None, None, Some(500), None, None)
                    .await
            }
        };
        answered(&format!("list {list_call}"), answer.unwrap());
    }
}

/// The same guards and faults as the server component's, through the plugin: the allow-list
/// judges a patch by the project it leaves, and Argo CD failing ends in a clear error in time.
#[tokio::test]
async fn the_plugin_holds_the_allow_list_and_survives_faults() {
    use host_test::standin::{Fault, FaultRule};
    let (standin, env) = setup(&[
        ("ARGOCD_ALLOWED_PROJECTS", "payments"),
        ("ARGOCD_REQUEST_TIMEOUT_MS", "600"),
    ])
    .await;
    let call_status = || async {
        let (p, mut s) = harness().plugin(&env).await.unwrap();
        p.call_get_argocd_app_status(&mut s, "guestbook", None, None, None)
            .await
            .unwrap()
    };

    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let escape = p
        .call_patch_argocd_app(
            &mut s,
            "payments",
            r#"{"spec": {"project": null, "destination": {"namespace": "kube-system"}}}"#,
            None,
            true,
            None,
        )
        .await
        .unwrap()
        .expect_err("refused");
    assert!(escape.contains("without spec.project"), "{escape}");
    assert!(!standin.requests().iter().any(|r| r.method == "PATCH"));

    standin.inject(FaultRule::new(
        None,
        "/api/v1/applications/guestbook",
        Fault::ProxyPage(502),
    ));
    let page = call_status().await.expect_err("a 502");
    assert!(
        page.contains("502 Bad Gateway") && !page.contains('<'),
        "{page}"
    );
    standin.clear_faults();

    standin.inject(FaultRule::new(
        None,
        "/api/v1/applications/guestbook",
        Fault::Hang,
    ));
    let started = std::time::Instant::now();
    let hang = call_status().await.expect_err("a hang");
    assert!(hang.contains("did not answer within 600 ms"), "{hang}");
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    standin.clear_faults();

    standin.inject(
        FaultRule::new(Some("GET"), "/api/v1/applications/guestbook", Fault::Reset).times(1),
    );
    call_status().await.expect("a reset read is sent again");
    standin.clear_faults();

    standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/applications",
        Fault::Huge(200 << 20),
    ));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let huge = p
        .call_list_argocd_apps(&mut s, None, None, None, None, None, None, None, None, None)
        .await
        .unwrap()
        .expect_err("too big");
    assert!(huge.contains("ARGOCD_MAX_RESPONSE_BYTES"), "{huge}");
    standin.clear_faults();
    call_status().await.expect("the next call works");
}

/// A tool added to the registry reaches the plugin without glue written for it.
#[tokio::test]
async fn a_tool_from_the_registry_is_exported_without_glue_of_its_own() {
    let (_standin, env) = setup(&[]).await;
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let links = parse(
        plugin
            .call_list_argocd_app_links(&mut store, "guestbook", None, None)
            .await
            .unwrap(),
    );
    assert_eq!(links["app"], "guestbook");
    assert_eq!(
        links["links"][0]["url"],
        "https://grafana.example.com/d/apps?var-app=guestbook"
    );
}

/// `wit/plugin.wit` is the registry's, byte for byte (CI also fails when the committed file
/// differs from what the build generated), and it is what the shipped plugin exports: the same
/// functions, parameters, types and docs, as the standard decoder reads them.
#[test]
fn the_plugin_exports_exactly_what_the_registry_generates() {
    let surface =
        argocd_mcp_plugin_surface::PluginSurface::new(&argocd_mcp::tools::signatures()).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/plugin.wit")).unwrap();
    assert_eq!(
        committed,
        surface.wit(),
        "wit/plugin.wit is not the registry's"
    );

    let mut generated = wit_parser::Resolve::default();
    let (package, _) = generated
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit"))
        .unwrap();
    let world = generated.select_world(&[package], Some("plugin")).unwrap();
    let expected = exports_of(&generated, world);

    let component = std::fs::read(host_test::embed::PLUGIN_WASM).unwrap();
    let wit_parser::decoding::DecodedWasm::Component(shipped, world) =
        wit_component::decode(&component).unwrap()
    else {
        panic!("the plugin decodes as a component");
    };
    assert_eq!(exports_of(&shipped, world), expected);
    assert_eq!(expected.len(), argocd_mcp::tools::definitions(false).len());
}

/// Each exported function as `name(param: type, …) -> result` and its docs, sorted by name.
fn exports_of(
    resolve: &wit_parser::Resolve,
    world: wit_parser::WorldId,
) -> Vec<(String, Option<String>)> {
    fn type_name(resolve: &wit_parser::Resolve, ty: &wit_parser::Type) -> String {
        use wit_parser::{Type, TypeDefKind};
        match ty {
            Type::Id(id) => {
                let def = &resolve.types[*id];
                match &def.kind {
                    TypeDefKind::Option(inner) => format!("option<{}>", type_name(resolve, inner)),
                    TypeDefKind::List(inner) => format!("list<{}>", type_name(resolve, inner)),
                    TypeDefKind::Result(r) => format!(
                        "result<{}, {}>",
                        r.ok.as_ref().map_or("_".into(), |t| type_name(resolve, t)),
                        r.err.as_ref().map_or("_".into(), |t| type_name(resolve, t))
                    ),
                    TypeDefKind::Record(record) => format!(
                        "{}{{{}}}",
                        def.name.clone().unwrap_or_default(),
                        record
                            .fields
                            .iter()
                            .map(|f| format!("{}: {}", f.name, type_name(resolve, &f.ty)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    TypeDefKind::Type(inner) => type_name(resolve, inner),
                    other => format!("{other:?}"),
                }
            }
            primitive => format!("{primitive:?}").to_lowercase(),
        }
    }
    let mut exports: Vec<(String, Option<String>)> = resolve.worlds[world]
        .exports
        .iter()
        .filter_map(|(key, item)| match item {
            wit_parser::WorldItem::Function(f) => {
                let params: Vec<String> = f
                    .params
                    .iter()
                    .map(|p| format!("{}: {}", p.name, type_name(resolve, &p.ty)))
                    .collect();
                let result = f.result.as_ref().map(|t| type_name(resolve, t));
                Some((
                    format!(
                        "{}({}) -> {result:?}",
                        resolve.name_world_key(key),
                        params.join(", ")
                    ),
                    f.docs.contents.clone(),
                ))
            }
            _ => None,
        })
        .collect();
    exports.sort();
    exports
}

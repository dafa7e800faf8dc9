//! What the hostile reviews' probes share: a plugin beside the server component on the same
//! stand-in, and the places they plant text and objects in (condition messages, live objects)
//! and read them back from (status, logs, get_argocd_resource) through both components.

use host_test::embed::HostEnv;
use host_test::standin::StandIn;
use serde_json::{Value, json};

use crate::{World, harness};

/// The plugin, as an agent host runs it, on the stand-in with an API token.
pub(crate) fn plugin_env(standin: &StandIn) -> HostEnv {
    HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), standin.api_token("admin", None)),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    }
}

/// The texts of `shapes` (name, text, secret) as the condition messages of `app`.
pub(crate) fn plant_conditions<T: AsRef<str>>(
    standin: &StandIn,
    app: &str,
    shapes: &[(&str, T, &str)],
) {
    let mut state = standin.state();
    let record = state.apps.get_mut(app).expect("app");
    record.app["status"]["conditions"] = Value::Array(
        shapes
            .iter()
            .map(|(_, text, _)| json!({"type": "ComparisonError", "message": text.as_ref()}))
            .collect(),
    );
}

/// `get_argocd_app_status` of guestbook through the plugin.
pub(crate) async fn plugin_status(env: &HostEnv) -> String {
    let (p, mut s) = harness().plugin(env).await.unwrap();
    match p
        .call_get_argocd_app_status(&mut s, "guestbook", None, None, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    }
}

pub(crate) async fn plugin_logs(env: &HostEnv) -> String {
    plugin_logs_within(env, None, None).await
}

/// get_argocd_app_logs of guestbook through the plugin, with `max_lines` and `max_bytes`.
pub(crate) async fn plugin_logs_within(
    env: &HostEnv,
    max_lines: Option<u32>,
    max_bytes: Option<u32>,
) -> String {
    let (p, mut s) = harness().plugin(env).await.unwrap();
    match p
        .call_get_argocd_app_logs(
            &mut s,
            "guestbook",
            None,
            Some("Deployment"),
            Some("guestbook"),
            None,
            None,
            Some(500),
            None,
            None,
            None,
            max_lines,
            max_bytes,
            None,
            None,
        )
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    }
}

pub(crate) async fn server_logs(world: &World) -> String {
    let args = json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "tail_lines": 500});
    world.call("get_argocd_app_logs", args).await.to_string()
}

/// The Application `child` (in namespace argocd) among the resources `parent` manages, as an
/// app of apps holds it.
pub(crate) fn manages(standin: &StandIn, parent: &str, child: &str) {
    manages_resource(
        standin,
        parent,
        json!({"group": "argoproj.io", "version": "v1alpha1",
            "kind": "Application", "namespace": "argocd", "name": child, "status": "Synced"}),
    );
}

/// `resource` (as `status.resources` lists it) among the resources `app` manages.
pub(crate) fn manages_resource(standin: &StandIn, app: &str, resource: Value) {
    let mut state = standin.state();
    let record = state.apps.get_mut(app).unwrap();
    record.app["status"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(resource);
}

/// The Namespace `name` among the resources `app` manages (a platform app creating namespaces).
pub(crate) fn manages_namespace(standin: &StandIn, app: &str, name: &str) {
    manages_resource(
        standin,
        app,
        json!({"group": "", "version": "v1", "kind": "Namespace", "name": name, "status": "Synced"}),
    );
}

/// `objects` as live resources of guestbook, served by `get_argocd_resource`.
pub(crate) fn plant_live(world: &World, objects: &[Value]) {
    let mut state = world.standin.state();
    for object in objects {
        let name = object["metadata"]["name"].as_str().unwrap().to_owned();
        state.review_live.insert(name.clone(), object.clone());
        let api = object["apiVersion"].as_str().unwrap();
        let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
        let record = state.apps.get_mut("guestbook").unwrap();
        record.app["status"]["resources"]
            .as_array_mut()
            .unwrap()
            .push(json!({"group": group, "version": version, "kind": object["kind"], "namespace": object["metadata"]["namespace"], "name": name, "status": "Synced"}));
    }
}

/// get_argocd_resource of `object` through both components: (server, plugin).
pub(crate) async fn read_live(world: &World, env: &HostEnv, object: &Value) -> (String, String) {
    let api = object["apiVersion"].as_str().unwrap();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let args = json!({"app_name": "guestbook", "kind": object["kind"], "resource_name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"], "group": group, "version": version, "full": true});
    let answer = world.call("get_argocd_resource", args).await.to_string();
    let (p, mut s) = harness().plugin(env).await.unwrap();
    let plugin = match p
        .call_get_argocd_resource(
            &mut s,
            "guestbook",
            object["kind"].as_str().unwrap(),
            object["metadata"]["name"].as_str().unwrap(),
            object["metadata"]["namespace"].as_str(),
            Some(group),
            Some(version),
            Some(true),
            None,
            None,
        )
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    (answer, plugin)
}

/// A shape planted as a live object: what it is, the object, the secrets it holds.
pub type LiveShape = (&'static str, Value, &'static [&'static str]);

/// Each of `objects` read through get_argocd_resource of both components: what leaked.
pub async fn leaks_in_live(objects: &[LiveShape]) -> Vec<String> {
    let world = World::new().await;
    plant_live(
        &world,
        &objects
            .iter()
            .map(|(_, o, _)| o.clone())
            .collect::<Vec<_>>(),
    );
    let env = plugin_env(&world.standin);
    let mut found = Vec::new();
    for (shape, object, secrets) in objects {
        let (server, plugin) = read_live(&world, &env, object).await;
        eprintln!("{shape}\n  server: {server}\n  plugin: {plugin}");
        for s in *secrets {
            if server.contains(s) {
                found.push(format!("server get_argocd_resource {shape}: {s}"));
            }
            if plugin.contains(s) {
                found.push(format!("plugin get_argocd_resource {shape}: {s}"));
            }
        }
    }
    for f in &found {
        eprintln!("  LEAK {f}");
    }
    found
}

/// A world whose writes need a person's approval (logged in with a password).
pub(crate) async fn approval_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await
}

/// What the agent is answered for the `tools/call` params `call` by a client that can show
/// forms.
pub(crate) async fn asked(world: &World, call: &Value) -> Value {
    let mut body = crate::modern::modern_body(9, "tools/call", call.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    world.post(&body, &crate::modern::mirrored(&body)).await.1
}

/// The approval question's message in `answer`, or the whole answer when it asks none.
pub(crate) fn question_in(answer: &Value) -> String {
    answer["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .map_or_else(|| answer.to_string(), str::to_owned)
}

/// [`asked`] as text, the whole answer: the approval question's message is printed.
pub(crate) async fn asked_text(world: &World, call: &Value) -> String {
    let answer = asked(world, call).await;
    println!("asked:\n{}", question_in(&answer));
    answer.to_string()
}

/// Fails listing what leaked, if anything did.
pub(crate) fn assert_none(found: Vec<String>) {
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Each text as a condition message of guestbook, read back through `get_argocd_app_status` of
/// both components: the secrets (`secret_of` each text) that showed.
pub(crate) async fn leaks_in_conditions(
    texts: &[&str],
    secret_of: fn(&str) -> &str,
) -> Vec<String> {
    let shapes: Vec<(&str, &str, &str)> = texts.iter().map(|t| (*t, *t, secret_of(t))).collect();
    leaks_in_named_conditions(&shapes).await
}

/// As [`leaks_in_conditions`], each shape (name, text, secret) named in what leaked.
pub(crate) async fn leaks_in_named_conditions(shapes: &[(&str, &str, &str)]) -> Vec<String> {
    let world = World::new().await;
    plant_conditions(&world.standin, "guestbook", shapes);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = plugin_status(&plugin_env(&world.standin)).await;
    println!("conditions:\n server: {server}\n plugin: {plugin}");
    let mut found = Vec::new();
    for (name, _, secret) in shapes {
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            if answer.contains(secret) {
                found.push(format!(
                    "{component} get_argocd_app_status {name:?}: {secret}"
                ));
            }
        }
    }
    found
}

// Objects the reviews plant (the thirteenth's and the fifteenth's shapes).

/// The path of the first env entry of a Deployment's first container, as a JSON pointer.
pub(crate) const ENV0: &str = "/spec/template/spec/containers/0/env/0";

pub(crate) fn flux(name: &str, patches: Value) -> Value {
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "guestbook"},
           "spec": {"interval": "10m", "path": "./apps", "prune": true,
                    "sourceRef": {"kind": "GitRepository", "name": "apps"},
                    "patches": patches}})
}

pub(crate) fn app_with_source(name: &str, source: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd"},
           "spec": {"project": "default",
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
                    "source": source}})
}

pub(crate) fn kustomize_app(name: &str, patches: Value) -> Value {
    app_with_source(
        name,
        json!({"repoURL": "https://git.example.com/platform/guestbook.git", "path": "k",
               "kustomize": {"patches": patches}}),
    )
}

pub(crate) fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "guestbook"}, "data": data})
}

/// Each (name, file, text, secrets) planted as a ConfigMap guestbook manages, `file` its data's
/// key, and read back through `get_argocd_resource` of both components: what showed.
pub(crate) async fn shown_in_config_maps(
    files: &[(&'static str, &'static str, &str, &'static [&'static str])],
) -> Vec<String> {
    let shapes: Vec<LiveShape> = files
        .iter()
        .map(|(name, file, text, secrets)| {
            (*name, config_map(name, json!({ *file: text })), *secrets)
        })
        .collect();
    leaks_in_live(&shapes).await
}

pub(crate) fn helm_source(values: &str) -> Value {
    json!({"repoURL": "https://charts.example.com", "chart": "guestbook", "targetRevision": "1.0.0",
           "helm": {"values": values}})
}

/// A world whose admin password is `password` (one holding quotes, backslashes, `&`: what a
/// password may hold).
pub(crate) async fn world_with_password(password: &str) -> crate::World {
    let config = host_test::standin::Config {
        users: vec![("admin".into(), password.into())],
        ..Default::default()
    };
    let standin = host_test::standin::StandIn::start(config).await.unwrap();
    let mut env = host_test::embed::HostEnv {
        redirect: Some(standin.addr),
        stderr: Some(wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20)),
        ..Default::default()
    };
    env.variables
        .insert("argocd_url".into(), crate::ARGOCD_URL.into());
    env.variables
        .insert("argocd_username".into(), "admin".into());
    env.variables
        .insert("argocd_password".into(), password.into());
    crate::World { standin, env }
}

/// The plugin logging in with the admin account and `password`.
pub(crate) fn password_plugin_env(
    standin: &host_test::standin::StandIn,
    password: &str,
) -> host_test::embed::HostEnv {
    host_test::embed::HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), crate::ARGOCD_URL.into()),
            ("ARGOCD_USERNAME".into(), "admin".into()),
            ("ARGOCD_PASSWORD".into(), password.into()),
        ],
        redirect: Some(standin.addr),
        ..Default::default()
    }
}

/// A world with allowed_projects=payments where `payments` (allowed) manages the Application
/// `broken-app` (project default, refused), marked as to be pruned (gone from the parent's Git).
pub(crate) async fn pruning_world() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    crate::planting::manages(&world.standin, "payments", "broken-app");
    let mut state = world.standin.state();
    let record = state.apps.get_mut("payments").unwrap();
    for resource in record.app["status"]["resources"].as_array_mut().unwrap() {
        if resource["name"] == "broken-app" {
            resource["requiresPruning"] = json!(true);
            resource["status"] = json!("OutOfSync");
        }
    }
    drop(state);
    world
}

/// `world` with `payments`' auto-sync off, so that a rollback is Argo CD's to accept.
pub(crate) fn without_auto_sync(world: crate::World) -> crate::World {
    let mut state = world.standin.state();
    let record = state.apps.get_mut("payments").unwrap();
    record.app["spec"]["syncPolicy"] = json!({});
    // The stand-in judges auto-sync by its blueprint (real Argo CD by the spec).
    record.blueprint.auto_sync = false;
    drop(state);
    world
}

/// [`pruning_world`] with `payments`' auto-sync off.
pub(crate) async fn manual_payments() -> crate::World {
    without_auto_sync(pruning_world().await)
}

/// Every write sent to Argo CD (logins aside), as `METHOD path`.
pub(crate) fn sent_writes(world: &crate::World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && r.path != "/api/v1/session")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The bodies of the syncs of `payments` that reached the stand-in, in order.
pub(crate) fn payments_sync_bodies(world: &World) -> Vec<Value> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/payments/sync"))
        .map(|r| serde_json::from_str(&r.body).expect("a JSON body"))
        .collect()
}

/// Requests to Argo CD that carried a `selector=` query.
pub(crate) fn selector_requests(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("selector="))
        .map(|r| r.path.clone())
        .collect()
}

/// An HTTP answer as one text: its status, a space, its body.
pub(crate) fn status_and_body(response: &crate::CollectedResponse) -> String {
    format!(
        "{} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    )
}

/// A world whose settings send Argo CD the extra header `X-Proxy-Token: secret` (one of the
/// settings' own secrets, as a proxy's token is), with the usual login.
pub(crate) async fn world_with_proxy_token(secret: &str) -> World {
    let headers = json!({"X-Proxy-Token": secret}).to_string();
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("extra_headers", headers.as_str()),
        ],
    )
    .await
}

//! An independent client from the MCP ecosystem, the official Python SDK, against the local
//! runner: over HTTP in both eras (its `auto` mode probes 2026-07-28, `legacy` does the
//! `initialize` handshake) and over stdio. The test installs the SDK itself, pinned by
//! `host-test/sdk-client/requirements.txt`, into a virtualenv under cargo's test tmp dir.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::processes::{self, Killed, RUNNER};

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk-client")
}

/// A virtualenv with the pinned SDK; made once (tests share it, so one makes it while the others
/// wait), reused across runs while the requirements are unchanged.
fn python_with_sdk() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(make_python_with_sdk).clone()
}

fn make_python_with_sdk() -> PathBuf {
    let requirements = std::fs::read_to_string(sdk_dir().join("requirements.txt")).unwrap();
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-python-sdk");
    let python = venv.join("bin").join("python");
    let stamp = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str()) {
        return python;
    }
    let run = |command: &mut Command| {
        let output = command.output().expect("the command starts");
        assert!(
            output.status.success(),
            "{command:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv));
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(sdk_dir().join("requirements.txt")));
    std::fs::write(&stamp, requirements).unwrap();
    python
}

/// The runner serving HTTP with its demo stand-in, and its MCP URL.
fn start_runner(env: &[(&str, &str)]) -> (Killed, String) {
    let (runner, listen) = processes::serve(|command| {
        command
            .arg("--demo")
            .env_remove("ARGOCD_URL")
            .env_remove("MCP_AUTH_TOKEN")
            .envs(env.iter().copied());
    });
    (runner, format!("http://{listen}/mcp"))
}

fn run_client(python: &Path, transport: &str, target: &str, mode: &str) -> Value {
    let output = Command::new(python)
        .arg(sdk_dir().join("client.py"))
        .args([transport, target, mode])
        .env_remove("ARGOCD_URL")
        .output()
        .expect("python starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{transport} {mode}: the SDK client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{transport} {mode}: not JSON ({e}): {stdout}"))
}

fn check_session(seen: &Value, transport: &str, mode: &str, version: &str) {
    let at = format!("{transport} {mode}");
    assert_eq!(seen["protocol_version"], version, "{at}");
    assert_eq!(seen["server_name"], "argocd-mcp", "{at}");
    assert_eq!(
        seen["tools"].as_array().unwrap().len(),
        argocd_mcp::tools::definitions(false).len(),
        "{at}"
    );
    assert_eq!(seen["status_error"], false, "{at}");
    assert_eq!(seen["status"]["name"], "guestbook", "{at}");
    assert_eq!(seen["status"]["health"]["status"], "Healthy", "{at}");
    assert_eq!(seen["bad_name_error"], true, "{at}");
    assert!(
        seen["bad_name_text"]
            .as_str()
            .unwrap()
            .contains("not a valid Kubernetes name"),
        "{at}"
    );
    assert_eq!(
        seen["sync"]["outcome"]["verdict"], "healthy",
        "{at}: {}",
        seen["sync"]
    );
    let progress = seen["progress"].as_array().unwrap();
    assert!(
        !progress.is_empty(),
        "{at}: progress reached the SDK's callback"
    );
    assert!(seen["guide_chars"].as_u64().unwrap() > 200, "{at}");
    assert!(
        seen["prompt"].as_str().unwrap().contains("guestbook"),
        "{at}"
    );
    let completion = seen["completion"].as_array().unwrap();
    assert_eq!(completion[0], "payments", "{at}");
    assert!(
        completion
            .iter()
            .all(|name| name.as_str().unwrap().starts_with("pay")),
        "{at}"
    );
}

#[test]
fn the_official_python_sdk_works_over_http_and_stdio_in_both_eras() {
    let python = python_with_sdk();
    let (_runner, url) = start_runner(&[]);
    let modern = run_client(&python, "http", &url, "auto");
    check_session(&modern, "http", "auto", "2026-07-28");
    let legacy = run_client(&python, "http", &url, "legacy");
    check_session(&legacy, "http", "legacy", "2025-11-25");
    let stdio = run_client(&python, "stdio", RUNNER, "auto");
    check_session(&stdio, "stdio", "auto", "2026-07-28");
}

/// The live feed heard by the SDK's own `Client.listen` (2026-07-28 `subscriptions/listen`), over
/// HTTP and over stdio: two apps subscribed, one synced; every event is about the synced app and
/// the client reads its way to the sync's end. (The SDK hands events out as level triggers, one
/// per URI until consumed, so it is the reads, not the event count, that show each step.)
#[test]
fn the_official_python_sdk_hears_a_sync_through_the_live_feed() {
    let python = python_with_sdk();
    let (_runner, url) = start_runner(&[]);
    for (transport, target) in [("http", url.as_str()), ("stdio", RUNNER)] {
        let seen = run_client(&python, transport, target, "listen");
        assert_eq!(
            seen["protocol_version"], "2026-07-28",
            "{transport}: {seen}"
        );
        assert_eq!(
            seen["honored"],
            serde_json::json!([
                "argocd://applications/argocd/guestbook",
                "argocd://applications/argocd/payments"
            ]),
            "{transport}: {seen}"
        );
        assert_eq!(seen["sync_error"], false, "{transport}: {seen}");
        let events = seen["events"].as_array().unwrap();
        assert!(!events.is_empty(), "{transport}: {seen}");
        assert!(
            events
                .iter()
                .all(|uri| uri == "argocd://applications/argocd/guestbook"),
            "{transport}: only the synced app changed: {seen}"
        );
        let last = seen["reads"].as_array().unwrap().last().cloned().unwrap();
        assert_eq!(last["operation"], "Succeeded", "{transport}: {seen}");
        assert_eq!(last["health"], "Healthy", "{transport}: {seen}");
    }
}

/// The SDK's `Client.listen` through real Spin 4.0.2 against the stand-in: two apps
/// subscribed; guestbook drifts and the SDK syncs it (OutOfSync → Running → Succeeded,
/// Progressing → Healthy). Every `notifications/resources/updated` the SDK received (its
/// `message_handler` sees each one in receive order) is about guestbook, tagged with the
/// subscription, and says one step of the sync, each step once and in order; nothing follows.
#[test]
fn the_official_python_sdk_hears_each_step_of_a_sync_once_and_in_order_through_spin() {
    use std::io::{BufRead, BufReader, Write};
    use std::time::Duration;

    use host_test::spin::{SpinNode, app_dir};
    use host_test::standin::{Config, StandIn};

    let test = "the_official_python_sdk_hears_each_step_of_a_sync_once_and_in_order_through_spin";
    let Some(spin) = crate::spin::spin_binary(test) else {
        return;
    };
    let python = python_with_sdk();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(StandIn::start(Config {
            operation_time: Duration::from_millis(1500),
            ..Config::default()
        }))
        .unwrap();
    standin.set_rollout_time(Duration::from_millis(500));
    let variables = crate::spin::login_variables(&standin, "password");
    let node = SpinNode::start(
        &spin,
        &app_dir("sdk-feed"),
        &crate::spin::borrowed(&variables),
        None,
    );
    let url = format!("http://127.0.0.1:{}/mcp", node.port);
    let mut client = Killed(
        Command::new(&python)
            .arg(sdk_dir().join("client.py"))
            .args(["http", &url, "steps"])
            .env_remove("ARGOCD_URL")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python starts"),
    );
    let mut stdout = BufReader::new(client.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let acknowledged: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(client.0.stderr.as_mut().unwrap(), &mut stderr);
        panic!("no acknowledgment from the SDK client: {line:?}\n{stderr}")
    });
    let guestbook = "argocd://applications/argocd/guestbook";
    assert_eq!(
        acknowledged["acknowledged"],
        serde_json::json!([guestbook, "argocd://applications/argocd/payments"]),
        "{acknowledged}"
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while standin.open_watches() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the watch never opened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The drift happens while the client listens; then the client syncs.
    assert!(standin.set_sync_status("guestbook", "OutOfSync"));
    client.0.stdin.take().unwrap().write_all(b"sync\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = client.0.wait().unwrap();
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(client.0.stderr.as_mut().unwrap(), &mut stderr);
    assert!(status.success(), "the SDK client failed:\n{rest}\n{stderr}");
    let seen: Value = serde_json::from_str(rest.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {rest}"));
    assert_eq!(seen["protocol_version"], "2026-07-28", "{seen}");
    assert_eq!(seen["sync_error"], false, "{seen}");

    let updates = seen["updates"].as_array().unwrap();
    let mut steps: Vec<Vec<String>> = Vec::new();
    for update in updates {
        assert!(update.get("error").is_none(), "a transport fault: {update}");
        assert_eq!(update["uri"], guestbook, "only guestbook changed: {seen}");
        assert_eq!(
            update["meta"]["io.modelcontextprotocol/subscriptionId"], seen["subscription_id"],
            "{update}"
        );
        let change = &update["meta"]["argocd-mcp/change"];
        let mut fields: Vec<String> = ["sync", "health", "operation"]
            .iter()
            .filter(|f| change.get(**f).is_some())
            .map(|f| {
                let end = |e: &str| change[*f][e].as_str().unwrap_or("").to_owned();
                format!("{f} {}→{}", end("from"), end("to"))
            })
            .collect();
        fields.sort();
        steps.push(fields);
    }
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        steps,
        [
            strings(&["sync Synced→OutOfSync"]),
            strings(&["operation Succeeded→Running"]),
            strings(&[
                "health Healthy→Progressing",
                "operation Running→Succeeded",
                "sync OutOfSync→Synced"
            ]),
            strings(&["health Progressing→Healthy"]),
        ],
        "{seen}"
    );
    drop(node);
}

#[test]
fn the_official_python_sdk_asks_the_person_when_changes_need_approval() {
    let python = python_with_sdk();
    let (_runner, url) = start_runner(&[("ARGOCD_REQUIRE_APPROVAL", "true")]);
    let seen = run_client(&python, "http", &url, "approval");
    assert_eq!(seen["protocol_version"], "2026-07-28");
    let questions = seen["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 2, "one question per call: {seen}");
    assert!(
        questions[0].as_str().unwrap().contains("payments"),
        "{seen}"
    );
    let results = seen["results"].as_array().unwrap();
    assert_eq!(results[0]["is_error"], true, "declined: {seen}");
    assert!(
        results[0]["text"]
            .as_str()
            .unwrap()
            .contains("Nothing was changed")
    );
    assert_eq!(results[1]["is_error"], false, "approved: {seen}");
    assert_eq!(results[1]["structured"]["operation"], "sync");
}

/// User mode end to end: the SDK's OAuth client meets the 401, follows the Protected Resource
/// Metadata to the stand-in's identity provider, registers, and signs in with the code flow and
/// PKCE, once as each of two users. Each user's calls reach Argo CD as that user: the viewer's
/// sync is refused by Argo CD's RBAC, the payments deployer's succeeds, and the audit says who.
#[test]
fn the_official_python_sdk_signs_in_as_two_users_who_each_act_as_themselves() {
    use host_test::standin::idp::ARGOCD_CLIENT;
    let python = python_with_sdk();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(host_test::standin::StandIn::start(Default::default()))
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let resource = format!("http://{listen}/mcp");
    let secret = "sdk-test-client-secret";
    standin.trust_mcp_server("argocd-mcp", secret, &resource);
    let issuer = standin.issuer();
    let (_runner, _) = processes::serve_at(&listen, |command| {
        command
            .env_remove("ARGOCD_TOKEN")
            .env_remove("ARGOCD_USERNAME")
            .env_remove("MCP_AUTH_TOKEN")
            .envs(
                standin
                    .user_mode_settings("argocd-mcp", secret, &resource)
                    .into_iter()
                    .map(|(setting, value)| (setting.env, value)),
            );
    });
    let sign_in = |user: &str| {
        let output = Command::new(&python)
            .arg(sdk_dir().join("oauth_client.py"))
            .args([
                resource.as_str(),
                user,
                &format!("{user}-password"),
                "payments",
            ])
            .output()
            .expect("python starts");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{user}: the SDK's OAuth client failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str::<Value>(stdout.lines().last().unwrap_or_default()).unwrap()
    };

    let bob = sign_in("bob");
    assert_eq!(bob["info"]["username"], "bob", "{bob}");
    assert_eq!(bob["info"]["groups"], serde_json::json!(["viewers"]));
    assert_eq!(bob["info"]["auth_mode"], "user");
    assert_eq!(bob["sync"]["is_error"], true, "{bob}");
    assert!(
        bob["sync"]["text"]
            .as_str()
            .unwrap()
            .contains("permission denied: applications, sync, payments/payments, sub: bob"),
        "{bob}"
    );
    let alice = sign_in("alice");
    assert_eq!(alice["info"]["username"], "alice", "{alice}");
    assert_eq!(alice["sync"]["is_error"], false, "{alice}");
    assert_eq!(alice["protocol_version"], "2026-07-28");
    // It found the provider through the metadata and asked for this server as the resource.
    let authorize = alice["authorize_urls"][0].as_str().unwrap();
    assert!(
        authorize.starts_with(&format!("{issuer}/auth?")),
        "{authorize}"
    );
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let resource_param: String =
        url_query_value(authorize, "resource").expect("an RFC 8707 resource parameter");
    assert_eq!(resource_param, resource);
    assert!(
        alice["registered_client"]
            .as_str()
            .unwrap()
            .starts_with("dyn-")
    );
    assert_ne!(alice["registered_client"], bob["registered_client"]);

    assert_eq!(
        standin.audit_trail(),
        [
            ("bob".into(), "payments/payments".into(), false),
            ("alice".into(), "payments/payments".into(), true),
        ]
    );
    let exchanges = standin.state().idp.exchanges.clone();
    assert!(
        exchanges
            .iter()
            .any(|e| e.subject == "alice" && e.audience == ARGOCD_CLIENT)
    );
    assert!(
        exchanges
            .iter()
            .any(|e| e.subject == "bob" && e.audience == ARGOCD_CLIENT)
    );
}

/// One query parameter of a URL, percent-decoded.
fn url_query_value(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

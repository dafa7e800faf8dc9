//! The load benchmark: concurrent MCP clients drive `/mcp` for a fixed time, on the runner and
//! on real Spin (when a Spin binary is at hand: `SPIN`, or `spin` on PATH), against the stand-in;
//! it prints calls/s, p50/p99, failed calls and Argo CD logins beside the stand-in's own figures
//! for the same Argo CD request, and Spin's floor (MCP `ping`, which never reaches Argo CD).
//! Run: `cargo run --release -p host-test --bin load [seconds] [clients]` (default 10 s, 32).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use host_test::http_client::Connection;
use host_test::spin::{self, Killed, SpinNode, free_port, wait_for_port};
use host_test::standin::{Config, StandIn};

const STATUS_CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_argocd_app_status","arguments":{"app_name":"guestbook"}}}"#;
const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

struct Figures {
    calls: usize,
    failed: usize,
    first_failure: Option<String>,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `clients` connections sending `request` for `seconds`; `ok` judges each answer.
fn drive(
    port: u16,
    clients: usize,
    seconds: u64,
    request: Arc<(String, String, String, String)>,
    ok: fn(u16, &[u8]) -> bool,
) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut connection = Connection::new(port);
                let (mut latencies, mut failures) = (Vec::new(), Vec::new());
                while Instant::now() < deadline {
                    let (method, path, headers, body) = &*request;
                    let sent = Instant::now();
                    match connection.send(method, path, headers, body) {
                        Ok((status, answer)) if ok(status, &answer) => {
                            latencies.push(sent.elapsed())
                        }
                        Ok((status, answer)) => failures.push(format!(
                            "{status} {}",
                            String::from_utf8_lossy(&answer[..answer.len().min(300)])
                        )),
                        Err(why) => failures.push(why),
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let (mut latencies, mut failures) = (Vec::new(), Vec::new());
    for worker in workers {
        let (l, f) = worker.join().expect("a client thread");
        latencies.extend(l);
        failures.extend(f);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Figures {
        calls: latencies.len() + failures.len(),
        failed: failures.len(),
        first_failure: failures.into_iter().next(),
        per_second: latencies.len() as f64 / elapsed,
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn mcp_request(body: &str) -> Arc<(String, String, String, String)> {
    Arc::new((
        "POST".into(),
        "/mcp".into(),
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n".into(),
        body.into(),
    ))
}

fn tool_ok(status: u16, body: &[u8]) -> bool {
    status == 200 && String::from_utf8_lossy(body).contains("\"isError\":false")
}

fn print(name: &str, figures: &Figures, logins: Option<u64>) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<34} {:>8.0} calls/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:>7} calls  {:>4} failed{}",
        figures.per_second,
        ms(figures.p50),
        ms(figures.p99),
        figures.calls,
        figures.failed,
        logins.map_or(String::new(), |n| format!("  {n} Argo CD login(s)")),
    );
    if let Some(failure) = &figures.first_failure {
        println!("{:<34} first failure: {failure}", "");
    }
}

/// `spin up` with this repository's `spin.toml`, its source the component the harness built.
fn spin_up(spin: &std::path::Path, standin: &StandIn) -> SpinNode {
    let url = standin.url();
    let variables = [
        ("argocd_url", url.as_str()),
        ("argocd_username", "admin"),
        ("argocd_password", "password"),
    ];
    SpinNode::start(spin, &spin::app_dir("load"), &variables, None)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let clients: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let standin = runtime.block_on(StandIn::start(Config::default())).unwrap();
    println!(
        "argocd-mcp load: {clients} clients, {seconds} s each, get_argocd_app_status against the stand-in"
    );

    let token = standin.api_token("admin", None);
    let bare = Arc::new((
        "GET".to_string(),
        "/api/v1/applications/guestbook".to_string(),
        format!("Authorization: Bearer {token}\r\n"),
        String::new(),
    ));
    let alone = drive(standin.addr.port(), clients, seconds, bare, |status, _| {
        status == 200
    });
    print("stand-in alone (the same GET)", &alone, None);

    let runner_port = free_port();
    let runner_binary = std::env::current_exe()
        .unwrap()
        .with_file_name("argocd-mcp-runner");
    let runner = Killed(
        Command::new(runner_binary)
            .args(["serve", "--listen", &format!("127.0.0.1:{runner_port}")])
            .env("ARGOCD_URL", standin.url())
            .env("ARGOCD_USERNAME", "admin")
            .env("ARGOCD_PASSWORD", "password")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the runner starts (cargo build --release -p host-test first)"),
    );
    wait_for_port(runner_port, "the runner");
    let before = standin.login_count();
    let figures = drive(
        runner_port,
        clients,
        seconds,
        mcp_request(STATUS_CALL),
        tool_ok,
    );
    print(
        "runner: get_argocd_app_status",
        &figures,
        Some(standin.login_count() - before),
    );
    drop(runner);

    let Some(spin) = spin::binary() else {
        println!("Spin: skipped (set SPIN, or put spin on PATH)");
        return;
    };
    let node = spin_up(&spin, &standin);
    let port = node.port;
    let before = standin.login_count();
    let figures = drive(port, clients, seconds, mcp_request(STATUS_CALL), tool_ok);
    print(
        "Spin: get_argocd_app_status",
        &figures,
        Some(standin.login_count() - before),
    );
    let figures = drive(port, clients, seconds, mcp_request(PING), |status, _| {
        status == 200
    });
    print("Spin: ping (no Argo CD request)", &figures, None);
    drop(node);
}

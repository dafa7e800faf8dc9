//! The load benchmark that judges issue 16: in one run, at each connection count, the floor
//! (the stand-in alone answering the Argo CD request a status call makes), the official
//! TypeScript server (npm `argocd-mcp`, pinned to `OFFICIAL_VERSION`, in its Streamable HTTP
//! session mode, against the same stand-in; skipped with a line saying why when Node or npm is
//! missing), this project's runner, and real Spin (when a Spin binary is at hand: `SPIN`, or
//! `spin` on PATH). Each prints calls/s, p50, p99, failed calls, the server's peak RSS, its CPU time
//! per call and Argo CD logins; then the ratios (ours ÷ official, Spin ÷ runner). `ping` on the runner and on Spin is
//! each host's floor for this component (an instance and MCP parsing, no Argo CD request).
//!
//! Run: `cargo build --release -p host-test && target/release/load [seconds] [connections…]`
//! (default 10 s and 16 64). The official server is installed once into
//! `target/official-argocd-mcp` (or set `OFFICIAL_ARGOCD_MCP` to its `dist/index.js`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use host_test::http_client::Connection;
use host_test::spin::{self, Killed, SpinNode, free_port, wait_for_port};
use host_test::standin::{Config, StandIn};

/// The official server's version this benchmark measures (npm `argocd-mcp`).
const OFFICIAL_VERSION: &str = "0.9.0";
const APP: &str = "guestbook";
const FLOOR: &str = "floor: stand-in alone";
const OFFICIAL: &str = "official (npm argocd-mcp 0.9.0)";
const STATUS_CALL: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_argocd_app_status","arguments":{"app_name":"guestbook"}}}"#;
const OFFICIAL_CALL: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_application","arguments":{"applicationName":"guestbook"}}}"#;
const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
const MCP_HEADERS: &str =
    "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";

/// One request as a client sends it again and again.
struct Request {
    method: &'static str,
    path: String,
    headers: String,
    body: String,
}

/// Opens one client's conversation (a session, for the official server) on its connection and
/// gives the request it then repeats.
type Setup = Arc<dyn Fn(&mut Connection) -> Result<Request, String> + Send + Sync>;

struct Figures {
    calls: usize,
    failed: usize,
    first_failure: Option<String>,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `clients` connections repeating their request for `seconds`; `ok` judges each answer.
fn drive(
    port: u16,
    clients: usize,
    seconds: u64,
    setup: &Setup,
    ok: fn(u16, &[u8]) -> bool,
) -> Figures {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let setup = setup.clone();
            std::thread::spawn(move || {
                let mut connection = Connection::new(port);
                let (mut latencies, mut failures) = (Vec::new(), Vec::new());
                let request = match setup(&mut connection) {
                    Ok(request) => request,
                    Err(why) => return (latencies, vec![format!("setting up: {why}")]),
                };
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match connection.send(
                        request.method,
                        &request.path,
                        &request.headers,
                        &request.body,
                    ) {
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

/// The same request on every connection, nothing to open first.
fn repeat(method: &'static str, path: &str, headers: &str, body: &str) -> Setup {
    let (path, headers, body) = (path.to_owned(), headers.to_owned(), body.to_owned());
    Arc::new(move |_| {
        Ok(Request {
            method,
            path: path.clone(),
            headers: headers.clone(),
            body: body.clone(),
        })
    })
}

fn tool_ok(status: u16, body: &[u8]) -> bool {
    status == 200 && String::from_utf8_lossy(body).contains("\"isError\":false")
}

/// The official server answers in SSE; a tool error there carries `"isError":true`.
fn official_ok(status: u16, body: &[u8]) -> bool {
    let body = String::from_utf8_lossy(body);
    status == 200 && body.contains("\"result\"") && !body.contains("\"isError\":true")
}

/// The largest resident set the process `pid` and its children had, in bytes (Linux only;
/// `None` elsewhere or when it has gone).
fn peak_rss(pid: u32) -> Option<u64> {
    let own = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())?
        * 1024;
    Some(own + children(pid).into_iter().filter_map(peak_rss).sum::<u64>())
}

/// The processes `pid` started (Spin runs its app in a child process).
fn children(pid: u32) -> Vec<u32> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The CPU time the process `pid` and its children have used so far, user and system (Linux
/// only; `None` elsewhere or when it has gone). Read before and after a row it gives the CPU
/// one call costs the server, which other load on the machine changes far less than it
/// changes calls/s.
fn cpu_time(pid: u32) -> Option<Duration> {
    /// The kernel counts these times in ticks of `USER_HZ`, 100 a second on Linux.
    const TICKS_A_SECOND: u64 = 100;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's name (in brackets, and it may hold spaces) come the state (field 3),
    // then the rest: utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |field: usize| fields.get(field - 3)?.parse::<u64>().ok();
    let own = Duration::from_millis((ticks(14)? + ticks(15)?) * 1000 / TICKS_A_SECOND);
    Some(
        own + children(pid)
            .into_iter()
            .filter_map(cpu_time)
            .sum::<Duration>(),
    )
}

/// One measured row: what ran, at how many connections.
struct Row {
    name: &'static str,
    connections: usize,
    figures: Figures,
    rss: Option<u64>,
    logins: Option<u64>,
    /// The server's CPU time over the row, divided by the calls it answered.
    cpu_per_call: Option<Duration>,
}

fn print(row: &Row) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let figures = &row.figures;
    println!(
        "{:<30} {:>3} conn {:>8.0} calls/s  p50 {:>6.2} ms  p99 {:>6.2} ms  {:>7} calls  {:>4} failed  RSS {:>7}  CPU {:>9}{}",
        row.name,
        row.connections,
        figures.per_second,
        ms(figures.p50),
        ms(figures.p99),
        figures.calls,
        figures.failed,
        row.rss
            .map_or("—".to_owned(), |b| format!("{:.0} MB", b as f64 / 1e6)),
        row.cpu_per_call.map_or("—".to_owned(), |cpu| format!(
            "{:.0} µs/call",
            cpu.as_secs_f64() * 1e6
        )),
        row.logins
            .map_or(String::new(), |n| format!("  {n} Argo CD login(s)")),
    );
    if let Some(failure) = &figures.first_failure {
        println!("{:<30} first failure: {failure}", "");
    }
}

/// Drives `setup` on `port` after a one-second warm-up (the official server's JIT, Spin's
/// first instances), and records the row.
#[allow(clippy::too_many_arguments)] // one row's whole description
fn measure(
    rows: &mut Vec<Row>,
    name: &'static str,
    port: u16,
    connections: usize,
    seconds: u64,
    setup: &Setup,
    ok: fn(u16, &[u8]) -> bool,
    pid: Option<u32>,
    standin: Option<&StandIn>,
) {
    drive(port, connections, 1, setup, ok);
    let before = standin.map(StandIn::login_count);
    let cpu_before = pid.and_then(cpu_time);
    let figures = drive(port, connections, seconds, setup, ok);
    let cpu = pid
        .and_then(cpu_time)
        .zip(cpu_before)
        .map(|(a, b)| a.saturating_sub(b));
    let answered = u32::try_from(figures.calls - figures.failed).unwrap_or(u32::MAX);
    let row = Row {
        name,
        connections,
        figures,
        rss: pid.and_then(peak_rss),
        logins: standin.zip(before).map(|(s, b)| s.login_count() - b),
        cpu_per_call: cpu.filter(|_| answered > 0).map(|cpu| cpu / answered),
    };
    print(&row);
    rows.push(row);
}

/// The official server's `dist/index.js`: `OFFICIAL_ARGOCD_MCP`, else installed (once) with npm
/// into `target/official-argocd-mcp` at the pinned version. `Err` says why it cannot run.
fn official_server() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("OFFICIAL_ARGOCD_MCP") {
        return Ok(PathBuf::from(path));
    }
    let node_ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node_ok {
        return Err("Node is not installed (node not on PATH)".into());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/official-argocd-mcp");
    let entry = dir.join("node_modules/argocd-mcp/dist/index.js");
    let installed = dir.join("node_modules/argocd-mcp/package.json");
    let pinned = std::fs::read_to_string(&installed)
        .ok()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
        .is_some_and(|p| p["version"] == OFFICIAL_VERSION);
    if !pinned {
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n")
            .map_err(|e| e.to_string())?;
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent"])
            .arg(format!("argocd-mcp@{OFFICIAL_VERSION}"))
            .current_dir(&dir)
            .stdout(Stdio::null())
            .status()
            .map_err(|e| format!("npm could not run: {e}"))?;
        if !status.success() {
            return Err(format!(
                "npm install argocd-mcp@{OFFICIAL_VERSION} failed ({status})"
            ));
        }
    }
    Ok(entry)
}

/// A client of the official server: its own session (initialize, then the `initialized`
/// notification), then `get_application` on it again and again.
fn official_setup() -> Setup {
    Arc::new(|connection: &mut Connection| {
        let initialize = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"load","version":"1"}}}"#;
        let answer = connection.send_full("POST", "/mcp", MCP_HEADERS, initialize)?;
        let session = answer
            .header("mcp-session-id")
            .ok_or_else(|| {
                format!(
                    "no session id: {} {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                )
            })?
            .to_owned();
        let headers = format!(
            "{MCP_HEADERS}Mcp-Session-Id: {session}\r\nMcp-Protocol-Version: 2025-06-18\r\n"
        );
        let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        connection.send_full("POST", "/mcp", &headers, initialized)?;
        Ok(Request {
            method: "POST",
            path: "/mcp".into(),
            headers,
            body: OFFICIAL_CALL.into(),
        })
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut connection_counts: Vec<usize> = args.filter_map(|s| s.parse().ok()).collect();
    if connection_counts.is_empty() {
        connection_counts = vec![16, 64];
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let standin = runtime.block_on(StandIn::start(Config::default())).unwrap();
    println!(
        "argocd-mcp load: {seconds} s per row (after 1 s of warm-up) at {connection_counts:?} connections, \
         get_argocd_app_status of {APP} against the stand-in, on {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rows = Vec::new();
    let token = standin.api_token("admin", None);

    let bare = repeat(
        "GET",
        &format!("/api/v1/applications/{APP}"),
        &format!("Authorization: Bearer {token}\r\n"),
        "",
    );
    for &n in &connection_counts {
        let ok: fn(u16, &[u8]) -> bool = |status, _| status == 200;
        let port = standin.addr.port();
        measure(&mut rows, FLOOR, port, n, seconds, &bare, ok, None, None);
    }

    match official_server() {
        Err(why) => println!("official TypeScript server: SKIPPED ({why})"),
        Ok(entry) => {
            let port = free_port();
            let official = Killed(
                Command::new("node")
                    .arg(&entry)
                    .args(["http", "--port", &port.to_string()])
                    .env("ARGOCD_BASE_URL", standin.url())
                    .env("ARGOCD_API_TOKEN", &token)
                    .env("LOG_LEVEL", "error")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("node starts"),
            );
            wait_for_port(port, "the official server");
            let setup = official_setup();
            for &n in &connection_counts {
                let pid = Some(official.0.id());
                measure(
                    &mut rows,
                    OFFICIAL,
                    port,
                    n,
                    seconds,
                    &setup,
                    official_ok,
                    pid,
                    None,
                );
            }
        }
    }

    let runner_port = free_port();
    let runner_binary = std::env::current_exe()
        .unwrap()
        .with_file_name("argocd-mcp-runner");
    let spawned = Instant::now();
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
    let listening = spawned.elapsed();
    let status = repeat("POST", "/mcp", MCP_HEADERS, STATUS_CALL);
    print_cold_start("runner", listening, runner_port, &status);
    let ping = repeat("POST", "/mcp", MCP_HEADERS, PING);
    let reached: fn(u16, &[u8]) -> bool = |status, _| status == 200;
    for &n in &connection_counts {
        let pid = Some(runner.0.id());
        let (port, s) = (runner_port, Some(&standin));
        measure(
            &mut rows, "runner", port, n, seconds, &status, tool_ok, pid, s,
        );
        measure(
            &mut rows,
            "runner: ping",
            port,
            n,
            seconds,
            &ping,
            reached,
            pid,
            None,
        );
    }
    drop(runner);

    match spin::binary() {
        None => println!("Spin: SKIPPED (set SPIN, or put spin on PATH)"),
        Some(binary) => {
            let url = standin.url();
            let variables = [
                ("argocd_url", url.as_str()),
                ("argocd_username", "admin"),
                ("argocd_password", "password"),
            ];
            let spawned = Instant::now();
            let node = SpinNode::start(&binary, &spin::app_dir("load"), &variables, None);
            let listening = spawned.elapsed();
            print_cold_start("Spin", listening, node.port, &status);
            for &n in &connection_counts {
                let pid = Some(node.pid());
                let (port, s) = (node.port, Some(&standin));
                measure(
                    &mut rows, "Spin", port, n, seconds, &status, tool_ok, pid, s,
                );
                measure(
                    &mut rows,
                    "Spin: ping",
                    port,
                    n,
                    seconds,
                    &ping,
                    reached,
                    pid,
                    None,
                );
            }
        }
    }
    print_ratios(&rows);
}

/// The first calls after a server starts listening: the first `get_argocd_app_status` pays for
/// the component's first instance and the login to Argo CD; the second shows the warm path.
fn print_cold_start(server: &str, listening: Duration, port: u16, setup: &Setup) {
    let mut connection = Connection::new(port);
    let mut timed_call = || -> Result<Duration, String> {
        let request = setup(&mut connection)?;
        let sent = Instant::now();
        let (status, answer) = connection.send(
            request.method,
            &request.path,
            &request.headers,
            &request.body,
        )?;
        if tool_ok(status, &answer) {
            Ok(sent.elapsed())
        } else {
            Err(format!("answered {status}"))
        }
    };
    match (timed_call(), timed_call()) {
        (Ok(first), Ok(second)) => println!(
            "{server} cold start: listening {:.0} ms after spawn; first get_argocd_app_status {:.1} ms (its login to Argo CD included), the second {:.1} ms",
            listening.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3,
            second.as_secs_f64() * 1e3
        ),
        (first, second) => println!(
            "{server} cold start: listening {:.0} ms after spawn; the first calls failed: {first:?}, {second:?}",
            listening.as_secs_f64() * 1e3
        ),
    }
}

/// Ours ÷ official and Spin ÷ runner in calls/s, at each connection count, and how each p99
/// compares with the official server's p50.
fn print_ratios(rows: &[Row]) {
    let mut by: BTreeMap<(usize, &str), &Figures> = BTreeMap::new();
    for row in rows {
        by.insert((row.connections, row.name), &row.figures);
    }
    let connections: std::collections::BTreeSet<usize> =
        rows.iter().map(|r| r.connections).collect();
    println!("ratios (calls/s, within this run):");
    for n in connections {
        let get = |name: &str| by.get(&(n, name)).copied();
        let (official, runner, spin, floor) =
            (get(OFFICIAL), get("runner"), get("Spin"), get(FLOOR));
        let ratio = |a: Option<&Figures>, b: Option<&Figures>| match (a, b) {
            (Some(a), Some(b)) if b.per_second > 0.0 => {
                format!("{:.2}", a.per_second / b.per_second)
            }
            _ => "—".into(),
        };
        let p99_vs_p50 = |ours: Option<&Figures>| match (ours, official) {
            (Some(o), Some(off)) => format!(
                "{:.2} ms vs {:.2} ms",
                o.p99.as_secs_f64() * 1e3,
                off.p50.as_secs_f64() * 1e3
            ),
            _ => "—".into(),
        };
        println!(
            "  {n:>3} conn: runner ÷ official {}; Spin ÷ official {}; Spin ÷ runner {}; runner ÷ floor {}; \
             p99 runner vs official p50 {}; p99 Spin vs official p50 {}",
            ratio(runner, official),
            ratio(spin, official),
            ratio(spin, runner),
            ratio(runner, floor),
            p99_vs_p50(runner),
            p99_vs_p50(spin),
        );
    }
}

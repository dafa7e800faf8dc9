//! The live feed's benchmark, on the runner and on real Spin (when a Spin binary is at hand:
//! `SPIN`, or `spin` on PATH), against the stand-in. It prints:
//! - latency from a change at the stand-in to the client's `notifications/resources/updated`
//!   (p50/p99 over `changes` changes, one subscription);
//! - Argo CD requests per minute per open subscription (counted at the stand-in, subscriptions
//!   held idle for `window` seconds), and what opening one costs;
//! - memory per open subscription (the host process's RSS with none and with `subscriptions`
//!   open);
//! - `subscriptions` concurrent subscriptions held: how many were acknowledged, how many watches
//!   the stand-in saw open, how many heard one change and how soon, how soon the watches closed
//!   after the clients left;
//! - Argo CD requests made by one `wait_for_argocd_operation` and one `sync_argocd_app` with
//!   `wait` for an operation that takes `operation` seconds, and whether they polled or watched.
//!
//! Run: `cargo build --release -p host-test && target/release/feedbench [changes] [subscriptions]
//! [window_s] [operation_s]` (defaults 200, 100, 30, 10). Figures, not assertions: nothing here
//! fails on a slow machine, it says what it saw.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use host_test::http_client::Connection;
use host_test::listen_client::{RawSubscription, Silence};
use host_test::spin::{self, Killed, SpinNode, free_port, wait_for_port};
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

const GUESTBOOK: &str = "argocd://applications/argocd/guestbook";
const UPDATED: &str = "notifications/resources/updated";
const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";
const WATCH: &str = "/api/v1/stream/applications";
const MCP_HEADERS: &str =
    "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";

struct Settings {
    changes: usize,
    subscriptions: usize,
    window: Duration,
    operation: Duration,
}

/// A host serving `/mcp`: where, and its process (for memory).
struct Served {
    name: &'static str,
    port: u16,
    pid: u32,
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

/// Resident memory of a process now, in KiB.
fn own_rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The parent of a process, from `/proc/{pid}/stat` (after the parenthesised name).
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resident memory of a process and every process under it, in KiB (a host may serve from a
/// child process).
fn rss_kb(pid: u32) -> Option<u64> {
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    let descends = |mut p: u32| loop {
        if p == pid {
            return true;
        }
        match parent(p) {
            Some(up) if up > 1 && up != p => p = up,
            _ => return false,
        }
    };
    let total = all
        .into_iter()
        .filter(|p| descends(*p))
        .filter_map(own_rss_kb)
        .sum();
    Some(total).filter(|t| *t > 0)
}

/// Requests Argo CD's API received so far (logins apart), and of those the watches.
fn argocd_requests(standin: &StandIn) -> (usize, usize) {
    let requests = standin.requests();
    let api = requests
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && !r.path.starts_with("/api/v1/session"));
    let watches = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(WATCH))
        .count();
    (api.count(), watches)
}

fn wait_for(what: &str, within: Duration, check: impl Fn() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while !check() {
        if started.elapsed() > within {
            println!(
                "  (gave up waiting for {what} after {} s)",
                within.as_secs()
            );
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(started.elapsed())
}

/// A `tools/call` through the host: the JSON-RPC answer.
fn call(port: u16, tool: &str, arguments: Value) -> Value {
    let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                         "params": {"name": tool, "arguments": arguments}});
    let mut connection = Connection::new(port);
    match connection.send("POST", "/mcp", MCP_HEADERS, &message.to_string()) {
        Ok((_, body)) => {
            // An SSE answer (progress) ends with the result; a JSON one is the result.
            let text = String::from_utf8_lossy(&body);
            let last = text
                .split("\n\n")
                .filter_map(|e| e.lines().find_map(|l| l.strip_prefix("data: ")))
                .last()
                .map(str::to_owned)
                .unwrap_or_else(|| text.into_owned());
            serde_json::from_str(&last).unwrap_or_else(|_| json!({"unreadable": last}))
        }
        Err(why) => json!({"failed": why}),
    }
}

/// Opens a subscription to guestbook: it, or why not.
fn subscribe(port: u16, id: u64) -> Result<RawSubscription, String> {
    let subscription =
        RawSubscription::open(port, id, json!({"resourceSubscriptions": [GUESTBOOK]}))
            .map_err(|e| e.to_string())?;
    match subscription.next(Duration::from_secs(60)) {
        Ok((_, ack)) if ack["method"] == ACKNOWLEDGED => Ok(subscription),
        Ok((_, other)) => Err(other.to_string()),
        Err(silence) => Err(format!("{silence:?}")),
    }
}

/// The next update on `subscription`, when it arrived; `None` if none came in time.
fn next_update(subscription: &RawSubscription, within: Duration) -> Option<Instant> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match subscription.next(left) {
            Ok((at, message)) if message["method"] == UPDATED => return Some(at),
            Ok(_) => {}
            Err(Silence::Timeout | Silence::Ended) => return None,
        }
    }
}

/// The health guestbook is flipped to for change `i` (alternating, so every change is one).
fn health(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "Degraded"
    } else {
        "Healthy"
    }
}

fn latency(host: &Served, standin: &StandIn, settings: &Settings) {
    let subscription = match subscribe(host.port, 1) {
        Ok(subscription) => subscription,
        Err(why) => {
            println!("  latency: the subscription was refused: {why}");
            return;
        }
    };
    wait_for("the watch to open", Duration::from_secs(30), || {
        standin.open_watches() == 1
    });
    let (before, _) = argocd_requests(standin);
    let mut latencies = Vec::new();
    for i in 0..settings.changes {
        let changed = Instant::now();
        standin.set_health("guestbook", health(i));
        match next_update(&subscription, Duration::from_secs(10)) {
            Some(at) => latencies.push(at.saturating_duration_since(changed)),
            None => println!("  change {i}: not heard within 10 s"),
        }
    }
    let (after, _) = argocd_requests(standin);
    // Left as it was found.
    if !settings.changes.is_multiple_of(2) {
        standin.set_health("guestbook", "Healthy");
        next_update(&subscription, Duration::from_secs(10));
    }
    subscription.leave();
    latencies.sort();
    println!(
        "  change at the stand-in → notification at the client: p50 {}  p99 {}  max {}  ({} of {} changes heard, one subscription)",
        ms(quantile(&latencies, 0.50)),
        ms(quantile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
        latencies.len(),
        settings.changes
    );
    println!(
        "  Argo CD requests while those {} changes were told: {}",
        settings.changes,
        after - before
    );
    wait_for("the watch to close", Duration::from_secs(30), || {
        standin.open_watches() == 0
    });
}

fn held(host: &Served, standin: &StandIn, settings: &Settings) {
    let n = settings.subscriptions;
    let rss_none = rss_kb(host.pid);
    let (before, watches_before) = argocd_requests(standin);
    let opened = Instant::now();
    // Opened from several threads at once, as many clients would.
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let port = host.port;
            std::thread::spawn(move || subscribe(port, 1000 + i as u64))
        })
        .collect();
    let mut subscriptions = Vec::new();
    let mut refusals = Vec::new();
    for thread in threads {
        match thread.join().expect("a subscribing thread") {
            Ok(subscription) => subscriptions.push(subscription),
            Err(why) => refusals.push(why),
        }
    }
    let acknowledged_in = opened.elapsed();
    wait_for("every watch to open", Duration::from_secs(60), || {
        standin.open_watches() >= subscriptions.len()
    });
    let (after_open, watches_after) = argocd_requests(standin);
    println!(
        "  {n} subscriptions opened at once: {} acknowledged within {:.1} s, {} watches open at the stand-in{}",
        subscriptions.len(),
        acknowledged_in.as_secs_f64(),
        standin.open_watches(),
        refusals.first().map_or(String::new(), |why| format!(
            "; {} refused, e.g. {why}",
            refusals.len()
        ))
    );
    if !subscriptions.is_empty() {
        println!(
            "  opening one cost {:.1} Argo CD requests ({} watch streams for {} subscriptions)",
            (after_open - before) as f64 / subscriptions.len() as f64,
            watches_after - watches_before,
            subscriptions.len()
        );
    }
    std::thread::sleep(Duration::from_secs(2));
    let rss_held = rss_kb(host.pid);
    if let (Some(none), Some(held), false) = (rss_none, rss_held, subscriptions.is_empty()) {
        println!(
            "  {} RSS: {:.1} MB with none open, {:.1} MB with {} open: {:.0} KB per open subscription",
            host.name,
            none as f64 / 1024.0,
            held as f64 / 1024.0,
            subscriptions.len(),
            held.saturating_sub(none) as f64 / subscriptions.len() as f64
        );
    }

    let (idle_before, _) = argocd_requests(standin);
    std::thread::sleep(settings.window);
    let (idle_after, _) = argocd_requests(standin);
    if !subscriptions.is_empty() {
        let per_minute = (idle_after - idle_before) as f64
            / subscriptions.len() as f64
            / (settings.window.as_secs_f64() / 60.0);
        println!(
            "  Argo CD requests per minute per open subscription, held idle for {} s: {per_minute:.2} ({} requests in all)",
            settings.window.as_secs(),
            idle_after - idle_before
        );
    }

    let changed = Instant::now();
    standin.set_health("guestbook", "Degraded");
    let heard: Vec<Duration> = {
        let mut heard: Vec<Duration> = subscriptions
            .iter()
            .filter_map(|s| next_update(s, Duration::from_secs(30)))
            .map(|at| at.saturating_duration_since(changed))
            .collect();
        heard.sort();
        heard
    };
    println!(
        "  one change: {} of {} subscriptions notified, p50 {} max {}",
        heard.len(),
        subscriptions.len(),
        ms(quantile(&heard, 0.5)),
        ms(heard.last().copied().unwrap_or_default())
    );
    standin.set_health("guestbook", "Healthy");

    let left = Instant::now();
    for subscription in subscriptions {
        subscription.leave();
    }
    match wait_for("the watches to close", Duration::from_secs(60), || {
        standin.open_watches() == 0
    }) {
        Some(_) => println!(
            "  all clients left: the stand-in's open watches back to 0 after {:.1} s",
            left.elapsed().as_secs_f64()
        ),
        None => println!(
            "  all clients left: {} watches still open after 60 s",
            standin.open_watches()
        ),
    }
}

/// One waiting call: how long, how many Argo CD requests, and whether it watched or polled.
/// `operation_started`: when the operation waited for was asked for (it ends `settings.operation`
/// later at the stand-in).
fn waiting(
    host: &Served,
    standin: &StandIn,
    settings: &Settings,
    what: &str,
    tool: &str,
    arguments: Value,
    operation_started: Option<Instant>,
) {
    let (before, watches_before) = argocd_requests(standin);
    let started = Instant::now();
    let answer = call(host.port, tool, arguments);
    let answered = Instant::now();
    let took = answered - started;
    let ended = operation_started.unwrap_or(started) + settings.operation;
    let lag = answered.saturating_duration_since(ended);
    let (after, watches_after) = argocd_requests(standin);
    let requests = after - before;
    let watches = watches_after - watches_before;
    // wait_for_argocd_operation answers the outcome itself; a sync with wait carries it.
    let answered = &answer["result"]["structuredContent"];
    let outcome = answered.get("outcome").unwrap_or(answered);
    let how = if watches == 0 {
        "polling: no watch opened".to_owned()
    } else {
        format!("watching: {watches} watch stream(s) among them")
    };
    println!(
        "  {what} (operation {} s): {requests} Argo CD requests in {:.1} s = {:.0} per minute of waiting ({how}); answered {:.2} s after the operation ended; phase {}, verdict {}",
        settings.operation.as_secs(),
        took.as_secs_f64(),
        requests as f64 / (took.as_secs_f64() / 60.0),
        lag.as_secs_f64(),
        outcome["phase"].as_str().unwrap_or("?"),
        outcome["verdict"].as_str().unwrap_or("?"),
    );
    if answer["result"]["isError"] != false {
        println!(
            "    answer: {}",
            answer.to_string().chars().take(300).collect::<String>()
        );
    }
}

fn waits(host: &Served, standin: &StandIn, settings: &Settings) {
    let asked = Instant::now();
    let started = call(
        host.port,
        "sync_argocd_app",
        json!({"app_name": "guestbook", "confirm": true}),
    );
    if started["result"]["isError"] != false {
        println!("  the sync to wait for was refused: {started}");
        return;
    }
    waiting(
        host,
        standin,
        settings,
        "wait_for_argocd_operation",
        "wait_for_argocd_operation",
        json!({"app_name": "guestbook", "timeout_seconds": 120}),
        Some(asked),
    );
    waiting(
        host,
        standin,
        settings,
        "sync_argocd_app with wait: true",
        "sync_argocd_app",
        json!({"app_name": "guestbook", "confirm": true, "wait": true, "timeout_seconds": 120}),
        None,
    );
}

fn measure(host: &Served, standin: &StandIn, settings: &Settings) {
    println!("{}:", host.name);
    // Warm: the component compiled, the session made.
    let warm = call(
        host.port,
        "get_argocd_app_status",
        json!({"app_name": "guestbook"}),
    );
    if warm["result"]["isError"] != false {
        println!("  not serving: {warm}");
        return;
    }
    latency(host, standin, settings);
    held(host, standin, settings);
    waits(host, standin, settings);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut next = |default: u64| args.next().and_then(|s| s.parse().ok()).unwrap_or(default);
    let settings = Settings {
        changes: next(200) as usize,
        subscriptions: next(100) as usize,
        window: Duration::from_secs(next(30)),
        operation: Duration::from_secs(next(10)),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let standin = runtime
        .block_on(StandIn::start(Config {
            operation_time: settings.operation,
            ..Config::default()
        }))
        .unwrap();
    println!(
        "argocd-mcp feed benchmark: {} changes, {} subscriptions held {} s, operations of {} s, against the stand-in ({} cores)",
        settings.changes,
        settings.subscriptions,
        settings.window.as_secs(),
        settings.operation.as_secs(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // Room for the subscriptions held (the latency phase's own has left by then), whatever the
    // default limit is.
    let feed_limit = (settings.subscriptions + 1).to_string();
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
            .env("ARGOCD_FEED_MAX_SUBSCRIPTIONS", &feed_limit)
            .env_remove("MCP_AUTH_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the runner starts (cargo build --release -p host-test first)"),
    );
    wait_for_port(runner_port, "the runner");
    let served = Served {
        name: "runner (serve)",
        port: runner_port,
        pid: runner.0.id(),
    };
    measure(&served, &standin, &settings);
    drop(runner);

    let Some(spin_binary) = spin::binary() else {
        println!(
            "SKIPPED Spin: no Spin binary (set SPIN, or put spin on PATH; /work/shared/hosts/install.sh --env)"
        );
        return;
    };
    let url = standin.url();
    let variables = [
        ("argocd_url", url.as_str()),
        ("argocd_username", "admin"),
        ("argocd_password", "password"),
        ("feed_max_subscriptions", feed_limit.as_str()),
    ];
    let node = SpinNode::start(&spin_binary, &spin::app_dir("feedbench"), &variables, None);
    let served = Served {
        name: "Spin (spin up)",
        port: node.port,
        pid: node.pid(),
    };
    measure(&served, &standin, &settings);
    drop(node);
}

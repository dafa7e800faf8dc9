//! The benchmark: prints sizes, cold start, latencies against a 1,000-app stand-in (with the
//! stand-in's own time beside ours), output sizes, and the runner's peak memory.
//! Run: `cargo run --release -p host-test --bin bench`

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use host_test::embed::{Harness, HostEnv, PLUGIN_WASM, SERVER_WASM};
use host_test::standin::{self, StandIn};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const APPS: usize = 1000;
const RUNS: usize = 30;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The stand-in's own answer time: a bare HTTP/1.1 GET with no MCP server in between.
async fn raw_get(standin: &StandIn, path: &str, token: &str) -> (Duration, usize) {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(standin.addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nhost: argocd\r\nauthorization: Bearer {token}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    (started.elapsed(), response.len())
}

async fn call(
    harness: &Harness,
    env: &HostEnv,
    tool: &str,
    arguments: Value,
) -> (Duration, Value, usize) {
    call_as(harness, env, None, tool, arguments).await
}

/// The same with a caller's bearer token (user mode).
async fn call_as(
    harness: &Harness,
    env: &HostEnv,
    bearer: Option<&str>,
    tool: &str,
    arguments: Value,
) -> (Duration, Value, usize) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
    let mut request = http::Request::post("http://localhost/mcp")
        .header("content-type", "application/json")
        .header("host", "localhost");
    if let Some(token) = bearer {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = request.body(Bytes::from(body.to_string())).unwrap();
    let started = Instant::now();
    let response = harness.request(env, request).await.unwrap();
    let elapsed = started.elapsed();
    let value: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(value["result"]["isError"], false, "{value}");
    (
        elapsed,
        value["result"]["structuredContent"].clone(),
        response.body.len(),
    )
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

/// Spawns `argocd-mcp-runner stdio`, times spawn → initialize answer, then lists 1,000 apps.
fn cold_start(standin_url: &str, token: &str) -> (Duration, Option<u64>) {
    let runner = std::env::current_exe()
        .unwrap()
        .with_file_name("argocd-mcp-runner");
    let started = Instant::now();
    let mut child = Command::new(&runner)
        .arg("stdio")
        .env("ARGOCD_URL", standin_url)
        .env("ARGOCD_TOKEN", token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build it: cargo build --release -p host-test)",
                runner.display()
            )
        });
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-11-25","capabilities":{{}},"clientInfo":{{"name":"bench","version":"1"}}}}}}"#).unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"list_argocd_apps","arguments":{{"limit":500}}}}}}"#).unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let rss = peak_rss_kb(child.id());
    drop(stdin);
    let _ = child.wait();
    (elapsed, rss)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let standin = StandIn::start(standin::Config { fleet_size: APPS - standin::showcase().len(), ..Default::default() }).await.unwrap();
        let token = standin.api_token("admin", None);
        let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        println!("argocd-mcp benchmark ({APPS} apps in the stand-in, medians of {RUNS} runs)");
        println!("server.wasm  {:>9} bytes", size(SERVER_WASM));
        println!("plugin.wasm  {:>9} bytes", size(PLUGIN_WASM));

        let url = standin.url();
        let first = tokio::task::spawn_blocking({
            let (url, token) = (url.clone(), token.clone());
            move || cold_start(&url, &token)
        })
        .await
        .unwrap();
        let mut starts = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..10 {
            let (url, token) = (url.clone(), token.clone());
            let (elapsed, peak) = tokio::task::spawn_blocking(move || cold_start(&url, &token)).await.unwrap();
            starts.push(elapsed);
            rss.extend(peak);
        }
        println!("spawn -> initialize answer (stdio, cached compile): {} (first start this run: {})", ms(median(starts)), ms(first.0));
        println!("runner peak RSS after listing 1,000 apps: {} MB", rss.iter().max().copied().unwrap_or(0) / 1024);

        let harness = Harness::load().unwrap();
        let mut env = HostEnv::default();
        env.variables.insert("argocd_url".into(), url.clone());
        env.variables.insert("argocd_token".into(), token.clone());

        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut status_bytes = 0;
        for _ in 0..RUNS {
            let (t, _, bytes) = call(&harness, &env, "get_argocd_app_status", json!({"app_name": "guestbook"})).await;
            ours.push(t);
            status_bytes = bytes;
            theirs.push(raw_get(&standin, "/api/v1/applications/guestbook", &token).await.0);
        }
        let (ours_status, theirs_status) = (median(ours), median(theirs));
        println!(
            "get_argocd_app_status: {} total, stand-in alone {}, ours beyond it {} ({} bytes out)",
            ms(ours_status), ms(theirs_status), ms(ours_status.saturating_sub(theirs_status)), status_bytes
        );

        let fields = "/api/v1/applications?fields=items.metadata.name%2Citems.spec.project%2Citems.spec.destination%2Citems.status.sync.status%2Citems.status.health%2Citems.status.operationState.phase";
        let (_, full_list) = raw_get(&standin, "/api/v1/applications", &token).await;
        let (_, trimmed_list) = raw_get(&standin, fields, &token).await;
        for limit in [50, 500] {
            let mut ours = Vec::new();
            let mut theirs = Vec::new();
            let mut out = (Value::Null, 0);
            for _ in 0..RUNS {
                let (t, structured, bytes) = call(&harness, &env, "list_argocd_apps", json!({"limit": limit})).await;
                ours.push(t);
                out = (structured, bytes);
                theirs.push(raw_get(&standin, fields, &token).await.0);
            }
            let rows = out.0["apps"].as_array().unwrap();
            let row_bytes: usize = rows.iter().map(|r| r.to_string().len()).sum::<usize>() / rows.len().max(1);
            let max_row = rows.iter().map(|r| r.to_string().len()).max().unwrap_or(0);
            let (o, t) = (median(ours), median(theirs));
            println!(
                "list_argocd_apps limit {limit} over {} apps: {} total, stand-in alone {}, ours beyond it {}; {} bytes out, {row_bytes} bytes/row on average (max {max_row})",
                out.0["total"], ms(o), ms(t), ms(o.saturating_sub(t)), out.1
            );
        }
        println!("list body from Argo CD: {full_list} bytes in full, {trimmed_list} bytes with fields");

        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut out = (Value::Null, 0);
        for _ in 0..RUNS {
            let (t, structured, bytes) = call(&harness, &env, "get_argocd_app_resource_tree", json!({"app_name": "huge-app"})).await;
            ours.push(t);
            out = (structured, bytes);
            theirs.push(raw_get(&standin, "/api/v1/applications/huge-app/resource-tree", &token).await.0);
        }
        let (o, t) = (median(ours), median(theirs));
        println!(
            "get_argocd_app_resource_tree, 500-resource app ({} nodes): {} total, stand-in alone {}, ours beyond it {}; {} bytes out",
            out.0["total"], ms(o), ms(t), ms(o.saturating_sub(t)), out.1
        );

        let logs_path = "/api/v1/applications/huge-app/logs?kind=Deployment&resourceName=huge-app&tailLines=500&follow=false&previous=false";
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut out = (Value::Null, 0);
        let mut raw_bytes = 0;
        for _ in 0..RUNS {
            let (t, structured, bytes) = call(&harness, &env, "get_argocd_app_logs", json!({"app_name": "huge-app", "kind": "Deployment", "resource_name": "huge-app", "tail_lines": 500})).await;
            ours.push(t);
            out = (structured, bytes);
            let (elapsed, size) = raw_get(&standin, logs_path, &token).await;
            theirs.push(elapsed);
            raw_bytes = size;
        }
        let (o, t) = (median(ours), median(theirs));
        println!(
            "get_argocd_app_logs, {} lines ({raw_bytes} bytes of NDJSON): {} total, stand-in alone {}, ours beyond it {}; {} lines kept, {} bytes out",
            out.0["received"], ms(o), ms(t), ms(o.saturating_sub(t)), out.0["lines"].as_array().map_or(0, Vec::len), out.1
        );

        user_mode(&harness, &standin, ours_status).await;

        let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
        let request = http::Request::post("http://localhost/mcp").header("content-type", "application/json").header("host", "localhost").body(Bytes::from(list.to_string())).unwrap();
        let tools = harness.request(&env, request).await.unwrap();
        let count = serde_json::from_slice::<Value>(&tools.body).unwrap()["result"]["tools"].as_array().unwrap().len();
        println!("tools/list payload: {} bytes for {count} tools ({} bytes per tool)", tools.body.len(), tools.body.len() / count);
    });
}

/// User mode: the same status call as a signed-in user, with the exchanged token cached (the
/// cost of checking the caller's token and finding the exchange), and with a token never seen
/// (a cold exchange at the provider, whose own time is printed beside it).
async fn user_mode(harness: &Harness, standin: &StandIn, service_mode: Duration) {
    let resource = "http://localhost/mcp";
    let secret = "bench-client-secret";
    standin.trust_mcp_server("argocd-mcp", secret, resource);
    let mut env = HostEnv::default();
    for (setting, value) in standin.user_mode_settings("argocd-mcp", secret, resource) {
        env.variables.insert(setting.variable.into(), value);
    }
    let mint = || standin.user_token("alice", resource);
    let status_as = |token: String| {
        let env = &env;
        async move {
            let arguments = json!({"app_name": "guestbook"});
            call_as(
                harness,
                env,
                Some(&token),
                "get_argocd_app_status",
                arguments,
            )
            .await
            .0
        }
    };
    let warm_token = mint();
    status_as(warm_token.clone()).await;
    let mut warm = Vec::new();
    let mut cold = Vec::new();
    let mut provider = Vec::new();
    for _ in 0..RUNS {
        warm.push(status_as(warm_token.clone()).await);
        cold.push(status_as(mint()).await);
        provider.push(raw_exchange(standin, &mint(), secret).await);
    }
    let (warm, cold, provider) = (median(warm), median(cold), median(provider));
    println!(
        "user mode get_argocd_app_status, exchange cached: {} total, {} beyond service mode ({})",
        ms(warm),
        ms(warm.saturating_sub(service_mode)),
        ms(service_mode)
    );
    println!(
        "user mode get_argocd_app_status, cold exchange: {} total, {} beyond service mode; the provider's exchange alone {}",
        ms(cold),
        ms(cold.saturating_sub(service_mode)),
        ms(provider)
    );
}

/// The provider's own time for one token exchange, asked directly.
async fn raw_exchange(standin: &StandIn, token: &str, secret: &str) -> Duration {
    use base64::Engine;
    let form = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={token}&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&audience=argo-cd"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("argocd-mcp:{secret}"));
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(standin.addr).await.unwrap();
    let request = format!(
        "POST /api/dex/token HTTP/1.1\r\nhost: argocd\r\nauthorization: Basic {basic}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    assert!(
        response.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    started.elapsed()
}

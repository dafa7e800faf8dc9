//! `argocd-mcp-runner`: runs the server component locally (HTTP or stdio), or the Argo CD stand-in.

use std::net::SocketAddr;
use std::process::ExitCode;

use host_test::embed::Harness;
use host_test::{runner, standin};

const USAGE: &str = "usage:
  argocd-mcp-runner serve [--listen 127.0.0.1:8787] [--demo]   MCP Streamable HTTP on /mcp
  argocd-mcp-runner stdio [--demo]                             MCP over stdin/stdout
  argocd-mcp-runner standin [--listen 127.0.0.1:8080] [--apps N]  only the Argo CD stand-in
  argocd-mcp-runner tools                                      the tool table, as the README shows it
Settings come from ARGOCD_URL, ARGOCD_TOKEN or ARGOCD_USERNAME + ARGOCD_PASSWORD, MCP_AUTH_TOKEN,
ARGOCD_READ_ONLY, ARGOCD_REQUEST_TIMEOUT_MS. --demo starts a stand-in Argo CD and uses it.";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("argocd-mcp-runner: {message}");
            ExitCode::FAILURE
        }
    }
}

fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

async fn run(args: &[String]) -> Result<(), String> {
    let demo = args.iter().any(|a| a == "--demo");
    let listen = |default: &str| -> Result<SocketAddr, String> {
        option(args, "--listen")
            .unwrap_or(default)
            .parse()
            .map_err(|e| format!("--listen: {e}"))
    };
    match args.first().map(String::as_str) {
        Some("serve") => {
            let harness = Harness::load_pooled().map_err(|e| format!("{e:#}"))?;
            let (env, _standin) = runner::host_env(demo).await.map_err(|e| format!("{e:#}"))?;
            runner::serve(harness, env, listen("127.0.0.1:8787")?)
                .await
                .map_err(|e| format!("{e:#}"))
        }
        Some("stdio") => {
            let harness = Harness::load_pooled().map_err(|e| format!("{e:#}"))?;
            let (env, _standin) = runner::host_env(demo).await.map_err(|e| format!("{e:#}"))?;
            runner::stdio(harness, env)
                .await
                .map_err(|e| format!("{e:#}"))
        }
        Some("standin") => {
            let apps = option(args, "--apps")
                .and_then(|n| n.parse().ok())
                .unwrap_or(200);
            let standin = standin::StandIn::start_on(
                listen("127.0.0.1:8080")?,
                standin::Config {
                    fleet_size: apps,
                    ..standin::Config::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            eprintln!("Argo CD stand-in on {} (admin/password)", standin.url());
            std::future::pending::<()>().await;
            Ok(())
        }
        Some("tools") => {
            print!("{}", runner::tools_table());
            Ok(())
        }
        _ => Err(USAGE.into()),
    }
}

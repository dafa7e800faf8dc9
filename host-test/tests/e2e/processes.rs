//! The runner binary as its own process, the way MCP clients start it.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const RUNNER: &str = env!("CARGO_BIN_EXE_argocd-mcp-runner");

pub use host_test::spin::Killed;

/// `runner serve` on a free local port, once it listens; `configure` adds args and environment.
/// Returns the process and its `host:port`.
pub fn serve(configure: impl FnOnce(&mut Command)) -> (Killed, String) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    serve_at(&format!("127.0.0.1:{port}"), configure)
}

/// The same on a given address, for settings that must name it (user mode's resource URL).
pub fn serve_at(listen: &str, configure: impl FnOnce(&mut Command)) -> (Killed, String) {
    let listen = listen.to_owned();
    let mut command = Command::new(RUNNER);
    command.args(["serve", "--listen", &listen]);
    configure(&mut command);
    let runner = Killed(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the runner starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(&listen).is_err() {
        assert!(Instant::now() < deadline, "the runner never listened");
        std::thread::sleep(Duration::from_millis(100));
    }
    (runner, listen)
}

/// `runner stdio --demo` with its own stand-in, stdin and stdout piped.
pub fn stdio_demo() -> Child {
    stdio_demo_with(&[])
}

/// The same with extra settings in its environment.
pub fn stdio_demo_with(env: &[(&str, &str)]) -> Child {
    Command::new(RUNNER)
        .args(["stdio", "--demo"])
        .env_remove("ARGOCD_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the runner starts")
}

/// Every line a stdio runner wrote, as JSON, once it ended (its stdin already closed); it must
/// have ended well.
pub fn answers(child: &mut Child) -> Vec<serde_json::Value> {
    use std::io::{BufRead, BufReader};
    let lines = BufReader::new(child.stdout.take().expect("stdout is piped"))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success());
    lines
}

//! Real Spin as test equipment, for the Spin tests and the load benchmark: finding the binary,
//! an app folder with this repository's `spin.toml`, and `spin up` processes that end with their
//! owner.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Spin binary: `SPIN`, else `spin` on PATH.
pub fn binary() -> Option<PathBuf> {
    let from_env = std::env::var_os("SPIN")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    from_env.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join("spin"))
            .find(|candidate| candidate.is_file())
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// Waits until something listens on `port` (at most 90 s: Spin compiles the component first).
pub fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process, killed when dropped so a failing test leaves nothing behind, with the
/// processes it started: `spin up` runs the app in a child of its own (`spin trigger http`),
/// which outlives a killed parent and kept listening after every Spin test.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        // Found while the parent lives: once it is gone they belong to init.
        let descendants = descendants_of(self.0.id());
        let _ = self.0.kill();
        let _ = self.0.wait();
        for pid in descendants {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The processes `root` started, and theirs, by the parent ids in `/proc/*/stat` (none where
/// there is no `/proc`).
fn descendants_of(root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parent_of: Vec<(u32, u32)> = entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // "pid (name) state ppid …": the name may hold spaces and parentheses.
            let after_name = &stat[stat.rfind(')')? + 1..];
            let parent = after_name.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, parent))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            parent_of
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(child, _)| *child),
        );
        next += 1;
    }
    found.remove(0);
    found
}

/// A fresh folder holding this repository's `spin.toml` with its `source` pointed at the server
/// component the harness built (the deploy test checks that is the artifact `spin.toml` names).
/// Spin keeps its default key-value store beside the manifest: each folder starts empty.
pub fn app_dir(name: &str) -> PathBuf {
    remove_folders_of_ended_runs();
    let dir = std::env::temp_dir().join(format!(
        "argocd-mcp-spin-{}-{name}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spin.toml"))
        .expect("spin.toml");
    let manifest: Vec<String> = manifest
        .lines()
        .map(|line| {
            if line.starts_with("source = ") {
                format!("source = {:?}", crate::embed::SERVER_WASM)
            } else {
                line.to_owned()
            }
        })
        .collect();
    std::fs::write(dir.join("spin.toml"), manifest.join("\n")).expect("the manifest is written");
    dir
}

/// The `store_key` every node gets unless a test passes its own (the harness's).
pub use crate::embed::TEST_STORE_KEY;

/// One `spin up` process on a free port, killed when dropped.
pub struct SpinNode {
    pub port: u16,
    _process: Killed,
}

impl SpinNode {
    /// `variables` by their Spin names; `runtime_config` for another key-value store (Redis).
    pub fn start(
        spin: &Path,
        dir: &Path,
        variables: &[(&str, &str)],
        runtime_config: Option<&Path>,
    ) -> SpinNode {
        Self::start_on(free_port(), spin, dir, variables, runtime_config)
    }

    /// The same on a given port, for settings that must name it (user mode's resource URL).
    pub fn start_on(
        port: u16,
        spin: &Path,
        dir: &Path,
        variables: &[(&str, &str)],
        runtime_config: Option<&Path>,
    ) -> SpinNode {
        let mut command = Command::new(spin);
        command
            .args(["up", "--listen", &format!("127.0.0.1:{port}"), "-f"])
            .arg(dir.join("spin.toml"))
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(config) = runtime_config {
            command.arg("--runtime-config-file").arg(config);
        }
        // spin.toml requires a store key; nodes sharing a store share it too.
        command.env("SPIN_VARIABLE_STORE_KEY", TEST_STORE_KEY);
        for (name, value) in variables {
            command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        let process = Killed(command.spawn().expect("spin up starts"));
        wait_for_port(port, "spin up");
        SpinNode {
            port,
            _process: process,
        }
    }

    /// The `spin up` process's id (its trigger may run in children of it).
    pub fn pid(&self) -> u32 {
        self._process.0.id()
    }
}

/// A runtime config in `dir` putting the `default` store in the Redis on `port`.
pub fn redis_runtime_config(dir: &Path, port: u16) -> PathBuf {
    let config = dir.join("runtime-config.toml");
    std::fs::write(
        &config,
        format!(
            "[key_value_store.default]\ntype = \"redis\"\nurl = \"redis://127.0.0.1:{port}\"\n"
        ),
    )
    .expect("the runtime config is written");
    config
}

/// Folders [`app_dir`] made for test processes that have ended (a killed run leaves them, and
/// `spin up` keeps its store in them): removed, so runs do not pile up in the temp folder.
fn remove_folders_of_ended_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("argocd-mcp-spin-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let ended = pid != std::process::id()
            && !Path::new("/proc").join(pid.to_string()).exists()
            && Path::new("/proc/self").exists();
        if ended {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

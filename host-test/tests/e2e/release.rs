//! Shipping (issue 17): one version everywhere, the README's two commands building one wasmtime,
//! and a release pushed by `scripts/release` to a real OCI registry (Debian's `docker-registry`,
//! the CNCF distribution registry, started here on loopback) running where users install it from:
//! `spin up --from` the pushed Spin app, and Wassette 0.2.0 loading the plugin from `oci://`.
//!
//! The registry tests run when `docker-registry` (or `DOCKER_REGISTRY`) and Spin are at hand, the
//! Wassette part when Wassette is, its HTTPS part when `openssl` is; each says what it skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use host_test::http_client::Connection;
use host_test::spin::{Killed, free_port, wait_for_port};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::spin::{MCP_HEADERS, borrowed, exchange, fresh_standin, login_variables, spin_binary};
use crate::wassette::{WassetteSession, wassette_binary};

/// The workspace version: host-test takes it from `[workspace.package]` like every crate.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host-test sits in the workspace")
        .to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn toml_file(path: &str) -> toml::Value {
    toml::Value::Table(toml::from_str(&read(path)).unwrap())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A component's own custom section (not one of a module or component inside it).
fn top_level_section(wasm: &[u8], wanted: &str) -> Option<Vec<u8>> {
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.expect("the component parses") {
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::CustomSection(section)
                if depth == 0 && section.name() == wanted =>
            {
                return Some(section.data().to_vec());
            }
            _ => {}
        }
    }
    None
}

/// The root name a component gives itself (its `component-name` section).
fn root_name(wasm: &[u8]) -> Option<String> {
    let data = top_level_section(wasm, "component-name")?;
    let reader =
        wasmparser::ComponentNameSectionReader::new(wasmparser::BinaryReader::new(&data, 0));
    reader.into_iter().find_map(|name| match name.ok()? {
        wasmparser::ComponentName::Component { name, .. } => Some(name.to_owned()),
        _ => None,
    })
}

#[test]
fn one_version_in_the_workspace_the_server_the_components_the_manifests_and_the_changelog() {
    let workspace = toml_file("Cargo.toml");
    assert_eq!(
        workspace["workspace"]["package"]["version"].as_str(),
        Some(VERSION)
    );
    for member in [
        "Cargo.toml",
        "components/server/Cargo.toml",
        "components/plugin/Cargo.toml",
    ] {
        let manifest = toml_file(member);
        let package = &manifest["package"]["version"];
        assert_eq!(
            package.get("workspace").and_then(toml::Value::as_bool),
            Some(true),
            "{member} takes the workspace version"
        );
    }
    assert_eq!(argocd_mcp::service::SERVER_INFO.version, VERSION);
    assert_eq!(
        toml_file("spin.toml")["application"]["version"].as_str(),
        Some(VERSION),
        "spin.toml's version is what spin registry push annotates the app with"
    );

    // Both published components say which version and which component they are.
    for (wasm, name) in [
        (host_test::embed::SERVER_WASM, "argocd-mcp-server"),
        (host_test::embed::PLUGIN_WASM, "argocd-mcp"),
    ] {
        let bytes = std::fs::read(wasm).unwrap();
        let version = top_level_section(&bytes, "version")
            .unwrap_or_else(|| panic!("{wasm} has no version section"));
        assert_eq!(String::from_utf8(version).unwrap(), VERSION, "{wasm}");
        assert_eq!(root_name(&bytes).as_deref(), Some(name), "{wasm}");
    }

    // The SpinApp names the published app at this version, pinned by a digest.
    let spinapp: serde_yaml::Value = serde_yaml::from_str(&read("deploy/spinapp.yaml")).unwrap();
    let image = spinapp["spec"]["image"].as_str().unwrap();
    let (reference, digest) = image.split_once("@sha256:").expect("pinned by digest");
    assert_eq!(reference, format!("ghcr.io/your-org/argocd-mcp:{VERSION}"));
    assert!(
        digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{image}"
    );

    // The release notes take this version's section; scripts/release refuses a version without one.
    let changelog = read("CHANGELOG.md");
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## [{VERSION}]"))),
        "CHANGELOG.md has no section for {VERSION}"
    );
}

/// Every crate both builds compile, with the features each resolves it with (`cargo tree`).
fn resolved_features(arguments: &[&str]) -> BTreeMap<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(repository())
        .args([
            "tree",
            "--offline",
            "--prefix",
            "none",
            "--format",
            "{p}|{f}",
        ])
        .args(arguments)
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut features = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let line = line.trim_end_matches(" (*)");
        if let Some((package, enabled)) = line.split_once('|') {
            // A crate built both for the harness and for a build script may resolve apart; what
            // counts is that each build resolves it the same, so the sets are joined per crate.
            let entry: &mut String = features.entry(package.trim().to_owned()).or_default();
            let mut all: Vec<&str> = entry
                .split(',')
                .chain(enabled.split(','))
                .filter(|f| !f.is_empty())
                .collect();
            all.sort_unstable();
            all.dedup();
            *entry = all.join(",");
        }
    }
    features
}

/// `cargo run --release -p host-test` after `cargo test --release` (and the other way round) finds
/// wasmtime and its stack built: the crates both compile resolve the same features. Dev-only
/// crates (in the test build alone) are the only difference allowed.
#[test]
fn the_run_command_and_the_test_command_resolve_the_same_features() {
    let run = resolved_features(&["-p", "host-test", "-e", "normal,build"]);
    let test = resolved_features(&["-e", "normal,build,dev"]);
    let differing: Vec<String> = run
        .iter()
        .filter_map(|(package, features)| {
            let tested = test.get(package)?;
            (tested != features).then(|| format!("{package}: run [{features}] test [{tested}]"))
        })
        .collect();
    assert!(
        differing.is_empty(),
        "the runner's build would rebuild these (host-test/Cargo.toml asks for the test build's features):\n{}",
        differing.join("\n")
    );
    let missing: Vec<&String> = run.keys().filter(|p| !test.contains_key(*p)).collect();
    assert!(missing.is_empty(), "only in the run build: {missing:?}");
}

/// The CNCF distribution registry on a free loopback port, its storage in a fresh folder, killed
/// when dropped; with a certificate it speaks HTTPS.
struct Registry {
    port: u16,
    folder: PathBuf,
    _process: Killed,
}

impl Registry {
    fn binary() -> Option<PathBuf> {
        let from_env = std::env::var_os("DOCKER_REGISTRY")
            .map(PathBuf::from)
            .filter(|p| p.is_file());
        from_env.or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join("docker-registry"))
                .find(|candidate| candidate.is_file())
        })
    }

    /// `htpasswd`: users who must sign in (Basic), as the registry's htpasswd file.
    fn start(
        binary: &Path,
        name: &str,
        tls: Option<&Certificate>,
        htpasswd: Option<&Path>,
    ) -> Registry {
        let port = free_port();
        let folder = std::env::temp_dir().join(format!(
            "argocd-mcp-registry-{}-{name}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(folder.join("storage")).unwrap();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            folder.join("storage").display()
        );
        if let Some(certificate) = tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                certificate.cert.display(),
                certificate.key.display()
            ));
        }
        if let Some(users) = htpasswd {
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: release-test\n    path: {}\n",
                users.display()
            ));
        }
        std::fs::write(folder.join("config.yml"), config).unwrap();
        let process = Killed(
            Command::new(binary)
                .arg("serve")
                .arg(folder.join("config.yml"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("docker-registry starts"),
        );
        wait_for_port(port, "docker-registry");
        Registry {
            port,
            folder,
            _process: process,
        }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// GET on the plain-HTTP registry: the body.
    fn get(&self, path: &str, accept: &str) -> Vec<u8> {
        let (status, body) = Connection::new(self.port)
            .send("GET", path, &format!("Accept: {accept}\r\n"), "")
            .unwrap_or_else(|why| panic!("GET {path}: {why}"));
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&body)
        );
        body
    }

    /// A pushed manifest as the registry holds it, checked against the digest the release noted.
    fn manifest(&self, repository: &str, pinned: &str) -> Value {
        let (_, digest) = pinned.split_once('@').unwrap();
        let bytes = self.get(
            &format!("/v2/{repository}/manifests/{digest}"),
            "application/vnd.oci.image.manifest.v1+json",
        );
        assert_eq!(format!("sha256:{}", sha256_hex(&bytes)), digest);
        serde_json::from_slice(&bytes).unwrap()
    }

    /// A layer's bytes, checked against its digest.
    fn blob(&self, repository: &str, descriptor: &Value) -> Vec<u8> {
        let digest = descriptor["digest"].as_str().unwrap();
        let bytes = self.get(&format!("/v2/{repository}/blobs/{digest}"), "*/*");
        assert_eq!(format!("sha256:{}", sha256_hex(&bytes)), digest);
        bytes
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A fresh folder of this test process, removed with what is in it when dropped.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new(name: &str) -> TempFolder {
        let path = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempFolder(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A self-signed certificate for 127.0.0.1 (made by `openssl`), which clients are told to trust
/// through SSL_CERT_FILE (Spin and Wassette use OpenSSL) and CURL_CA_BUNDLE (the push script).
struct Certificate {
    cert: PathBuf,
    key: PathBuf,
}

impl Certificate {
    fn make(folder: &Path) -> Option<Certificate> {
        std::fs::create_dir_all(folder).unwrap();
        let (cert, key) = (folder.join("cert.pem"), folder.join("key.pem"));
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
            ])
            .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
            .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        made.then_some(Certificate { cert, key })
    }
}

/// Runs `scripts/release --no-build` (the test command built and tested target/dist) against
/// `registry`: the pushed references by name (`spin-app`, `plugin`, `plugin-component-only`).
fn release(
    spin: &Path,
    registry: &str,
    out: &Path,
    plain_http: bool,
    environment: &[(&str, &Path)],
) -> BTreeMap<String, String> {
    let mut command = Command::new("bash");
    command
        .arg(repository().join("scripts/release"))
        .arg("--no-build")
        .args(plain_http.then_some("--plain-http"))
        .arg("--out")
        .arg(out)
        .arg(registry)
        .env("SPIN", spin)
        .env_remove("RELEASE_TAG");
    for (key, value) in environment {
        command.env(key, value);
    }
    let output = command.output().expect("scripts/release runs");
    assert!(
        output.status.success(),
        "scripts/release failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(out.join("references"))
        .unwrap()
        .lines()
        .map(|line| {
            let (name, reference) = line.split_once(' ').unwrap();
            (name.to_owned(), reference.to_owned())
        })
        .collect()
}

/// `spin up --from` a registry reference on a free port, with a fresh cache (so the app is
/// pulled, not found), killed when dropped.
fn spin_up_from(
    spin: &Path,
    reference: &str,
    folder: &Path,
    variables: &[(&str, &str)],
) -> (u16, Killed) {
    let port = free_port();
    let mut command = Command::new(spin);
    command
        .args(["up", "--insecure", "--from", reference])
        .arg("--cache-dir")
        .arg(folder.join("spin-cache"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .current_dir(folder)
        .env("SPIN_VARIABLE_STORE_KEY", host_test::spin::TEST_STORE_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in variables {
        command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
    }
    let process = Killed(command.spawn().expect("spin up starts"));
    wait_for_port(port, "spin up --from");
    (port, process)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_pushed_to_a_real_registry_runs_on_spin_and_loads_in_wassette() {
    let test = "a_release_pushed_to_a_real_registry_runs_on_spin_and_loads_in_wassette";
    let Some(registry_binary) = Registry::binary() else {
        eprintln!(
            "SKIPPED {test}: no docker-registry (Debian package docker-registry, or set DOCKER_REGISTRY)"
        );
        return;
    };
    let Some(spin) = spin_binary(test) else {
        return;
    };
    let temporary = TempFolder::new("argocd-mcp-release");
    let folder = temporary.path();

    // The release, pushed over plain HTTP to a loopback registry.
    let registry = Registry::start(&registry_binary, "http", None, None);
    let out = folder.join("publish");
    let pushed = release(&spin, &registry.address(), &out, true, &[]);
    let app = &pushed["spin-app"];
    assert!(
        app.starts_with(&format!(
            "{}/argocd-mcp:{VERSION}@sha256:",
            registry.address()
        )),
        "{app}"
    );

    // What the registry holds is what was built and tested, and says which version it is.
    let dist = Path::new(host_test::embed::PLUGIN_WASM).parent().unwrap();
    let server = std::fs::read(dist.join("argocd_mcp_server.wasm")).unwrap();
    let plugin = std::fs::read(dist.join("argocd_mcp_plugin.wasm")).unwrap();
    let policy = std::fs::read(dist.join("argocd_mcp_plugin.policy.yaml")).unwrap();
    let app_manifest = registry.manifest("argocd-mcp", app);
    assert_eq!(
        app_manifest["annotations"]["org.opencontainers.image.version"],
        VERSION
    );
    let app_layers = app_manifest["layers"].as_array().unwrap();
    assert!(
        app_layers
            .iter()
            .any(|layer| registry.blob("argocd-mcp", layer) == server),
        "the Spin app carries the packaged server: {app_manifest}"
    );
    let plugin_manifest = registry.manifest("argocd-mcp-plugin", &pushed["plugin"]);
    assert_eq!(
        plugin_manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(
        plugin_manifest["annotations"]["org.opencontainers.image.version"],
        VERSION
    );
    let layers = plugin_manifest["layers"].as_array().unwrap();
    let media_types: Vec<&str> = layers
        .iter()
        .map(|l| l["mediaType"].as_str().unwrap())
        .collect();
    assert_eq!(
        media_types,
        ["application/wasm", "application/vnd.wasm.policy.v1+yaml"]
    );
    assert_eq!(registry.blob("argocd-mcp-plugin", &layers[0]), plugin);
    assert_eq!(registry.blob("argocd-mcp-plugin", &layers[1]), policy);
    let alone = registry.manifest(
        "argocd-mcp-plugin-component-only",
        &pushed["plugin-component-only"],
    );
    assert_eq!(alone["layers"].as_array().unwrap().len(), 1);
    assert_eq!(
        registry.blob("argocd-mcp-plugin-component-only", &alone["layers"][0]),
        plugin
    );

    // The notes: each file's checksum, each pushed digest, and the SpinApp pinned to the app's.
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    for (name, bytes) in [
        ("argocd_mcp_server.wasm", &server),
        ("argocd_mcp_plugin.wasm", &plugin),
        ("argocd_mcp_plugin.policy.yaml", &policy),
    ] {
        assert!(
            sums.contains(&format!("{}  {name}", sha256_hex(bytes))),
            "{name}: {sums}"
        );
    }
    let notes = std::fs::read_to_string(out.join("release-notes.md")).unwrap();
    for reference in pushed.values() {
        let (_, digest) = reference.split_once('@').unwrap();
        assert!(
            notes.contains(digest),
            "{digest} not in the notes:\n{notes}"
        );
    }
    assert!(notes.contains(&sums), "the checksums are in the notes");
    let pinned: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(out.join("spinapp.yaml")).unwrap()).unwrap();
    assert_eq!(pinned["spec"]["image"].as_str(), Some(app.as_str()));

    // spin up --from the pinned reference answers MCP and the health check against the stand-in.
    let standin = fresh_standin().await;
    let variables = login_variables(&standin, "password");
    let (port, _spin_process) = spin_up_from(&spin, app, folder, &borrowed(&variables));
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "release-test", "version": "1"}}});
    let (status, body) = exchange(port, "POST", "/mcp", MCP_HEADERS, &initialize.to_string());
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    assert_eq!(
        answer["result"]["serverInfo"]["version"], VERSION,
        "{answer}"
    );
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}});
    let (status, body) = exchange(port, "POST", "/mcp", MCP_HEADERS, &call.to_string());
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    assert_eq!(answer["result"]["structuredContent"]["name"], "guestbook");
    let (status, health) = exchange(port, "GET", "/health/argocd", "", "");
    assert_eq!(status, 200, "{health}");
    assert!(
        health.contains("\"authenticated_as\":\"admin\""),
        "{health}"
    );
    assert!(
        standin.login_count() >= 1,
        "the pulled app logged in to the stand-in"
    );

    let Some(wassette) = wassette_binary() else {
        eprintln!(
            "SKIPPED {test} (Wassette part): no Wassette binary (set WASSETTE, or put wassette on PATH)"
        );
        return;
    };
    let plugins = folder.join("wassette-plugins");
    std::fs::create_dir_all(&plugins).unwrap();

    // Wassette 0.2.0 pulls only over HTTPS: the plain-HTTP loopback registry is out of its reach.
    {
        let mut session = WassetteSession::start(&wassette, &plugins, &[]);
        let loaded = session.call(
            2,
            "load-component",
            json!({"path": format!("oci://{}", pushed["plugin-component-only"])}),
        );
        let text = loaded["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default();
        assert!(
            text.contains("Failed to load component")
                && text.contains(&format!("https://{}/v2/", registry.address())),
            "{loaded}"
        );
    }

    // Over HTTPS (the same release pushed to a registry with a certificate it is told to trust),
    // Wassette 0.2.0 loads the plugin alone from oci://, pinned, and lists its exports as tools;
    // the artifact with the policy beside the component it refuses (it takes application/wasm
    // layers only), which later releases read.
    let Some(certificate) = Certificate::make(&folder.join("tls")) else {
        eprintln!("SKIPPED {test} (Wassette over HTTPS): openssl could not make a certificate");
        return;
    };
    let secure = Registry::start(&registry_binary, "https", Some(&certificate), None);
    let trust: [(&str, &Path); 2] = [
        ("SSL_CERT_FILE", &certificate.cert),
        ("CURL_CA_BUNDLE", &certificate.cert),
    ];
    let pushed = release(
        &spin,
        &secure.address(),
        &folder.join("publish-https"),
        false,
        &trust,
    );
    let mut session = WassetteSession::start(
        &wassette,
        &plugins,
        &[("SSL_CERT_FILE", certificate.cert.to_str().unwrap())],
    );
    let loaded = session.call(
        2,
        "load-component",
        json!({"path": format!("oci://{}", pushed["plugin-component-only"])}),
    );
    assert!(loaded.to_string().contains("component loaded"), "{loaded}");
    let names = session.tool_names(3);
    for tool in argocd_mcp::tools::definitions(false) {
        let export = tool.name.replace('_', "-");
        assert!(names.contains(&export), "{export} not listed: {names:?}");
    }
    let refused = session.call(
        4,
        "load-component",
        json!({"path": format!("oci://{}", pushed["plugin"])}),
    );
    assert!(
        refused
            .to_string()
            .contains("Incompatible layer media type: application/vnd.wasm.policy.v1+yaml"),
        "{refused}"
    );
}

/// The scripts refuse what they cannot publish, saying why, before anything is pushed: a
/// reference without a registry or tag, a missing file, a tag that is not the version.
#[test]
fn the_release_scripts_refuse_bad_input_before_pushing_anything() {
    let run = |script: &str, arguments: &[&str], environment: &[(&str, &str)]| {
        let output = Command::new("bash")
            .arg(repository().join(script))
            .args(arguments)
            .envs(environment.iter().copied())
            .env("SPIN", "/bin/true")
            .output()
            .expect("the script runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let plugin = host_test::embed::PLUGIN_WASM;
    for (reference, file) in [
        ("argocd-mcp-plugin:1.0.0", plugin),
        ("127.0.0.1:5000/argocd-mcp-plugin", plugin),
        ("127.0.0.1:5000/argocd-mcp-plugin:bad/tag", plugin),
    ] {
        let (code, stderr) = run(
            "scripts/push-wasm-artifact",
            &["--version", VERSION, reference, file],
            &[],
        );
        assert_eq!(code, Some(2), "{reference}: {stderr}");
        assert!(
            stderr.contains("not a REGISTRY/REPOSITORY:TAG reference"),
            "{reference}: {stderr}"
        );
    }
    let (code, stderr) = run(
        "scripts/push-wasm-artifact",
        &[
            "--version",
            VERSION,
            "127.0.0.1:9/p:1",
            "/nonexistent/plugin.wasm",
        ],
        &[],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("no such file: /nonexistent/plugin.wasm"),
        "{stderr}"
    );
    let (code, stderr) = run("scripts/push-wasm-artifact", &[], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("usage:"), "{stderr}");

    // Port 9 (discard) answers nothing: had the release got as far as pushing, it would say so.
    let (code, stderr) = run(
        "scripts/release",
        &[
            "--no-build",
            "--plain-http",
            "--out",
            "/nonexistent/out",
            "127.0.0.1:9",
        ],
        &[("RELEASE_TAG", "v0.0.0-not-this")],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the tag v0.0.0-not-this is not v{VERSION}, the workspace version"
        )),
        "{stderr}"
    );
    let (code, stderr) = run("scripts/release", &["--no-build"], &[]);
    assert_eq!(code, Some(2));
    assert!(stderr.starts_with("usage:"), "{stderr}");
}

/// A registry that asks for credentials: the push script signs in with REGISTRY_USERNAME and
/// REGISTRY_PASSWORD, and the password appears in nothing it writes, pushed or refused.
#[test]
fn the_push_script_signs_in_and_never_shows_the_password() {
    let test = "the_push_script_signs_in_and_never_shows_the_password";
    let Some(registry_binary) = Registry::binary() else {
        eprintln!(
            "SKIPPED {test}: no docker-registry (Debian package docker-registry, or set DOCKER_REGISTRY)"
        );
        return;
    };
    let temporary = TempFolder::new("argocd-mcp-registry-auth");
    let folder = temporary.path();
    let Some(certificate) = Certificate::make(&folder.join("tls")) else {
        eprintln!("SKIPPED {test}: openssl could not make a certificate");
        return;
    };
    const PASSWORD: &str = "Pu5h-s3cret-\"quoted\\";
    // The registry reads bcrypt hashes; Python's crypt makes one where the C library can.
    let hashed = Command::new("python3")
        .args(["-W", "ignore", "-c"])
        .arg("import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))")
        .arg(PASSWORD)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|h| h.starts_with("$2"));
    let Some(hashed) = hashed else {
        eprintln!("SKIPPED {test}: no python3 with bcrypt in crypt to write the registry's users");
        return;
    };
    let users = folder.join("htpasswd");
    std::fs::write(&users, format!("releaser:{hashed}\n")).unwrap();
    let registry = Registry::start(&registry_binary, "auth", Some(&certificate), Some(&users));
    let push = |credentials: Option<(&str, &str)>| {
        let mut command = Command::new("bash");
        command
            .arg(repository().join("scripts/push-wasm-artifact"))
            .args(["--version", VERSION])
            .arg(format!(
                "{}/argocd-mcp-plugin:{VERSION}",
                registry.address()
            ))
            .arg(host_test::embed::PLUGIN_WASM)
            .env("CURL_CA_BUNDLE", &certificate.cert)
            .env_remove("REGISTRY_USERNAME")
            .env_remove("REGISTRY_PASSWORD");
        if let Some((user, password)) = credentials {
            command
                .env("REGISTRY_USERNAME", user)
                .env("REGISTRY_PASSWORD", password);
        }
        let output = command.output().expect("the script runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!said.contains(PASSWORD), "the password was shown: {said}");
        (output.status.success(), said)
    };
    let (pushed, said) = push(None);
    assert!(!pushed, "{said}");
    assert!(
        said.contains("set REGISTRY_USERNAME and REGISTRY_PASSWORD"),
        "{said}"
    );
    let (pushed, said) = push(Some(("releaser", "not-the-password")));
    assert!(!pushed, "a wrong password pushed: {said}");
    let (pushed, said) = push(Some(("releaser", PASSWORD)));
    assert!(pushed, "{said}");
    let digest = said.trim();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "the script prints the digest: {said}"
    );
}

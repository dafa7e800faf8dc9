//! Gaps of issue 19 found by the second hostile review (2026-12-06) of the read-only revision
//! guard and the answer scrubber, reproduced through the real server component against the
//! stand-in. Each test asserts what the guard promises; a gap still open would be ignored until
//! its fix lands (run it with `-- --ignored open_gaps`). None is open now.

use host_test::standin::fleet::Blueprint;
use serde_json::{Value, json};

use crate::World;

async fn read_only_world() -> World {
    let mut world = World::new().await;
    world.set("read_only", "true");
    world
}

/// Paths (with query) of the requests that would make the repo-server fetch and render.
fn fetches(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/manifests") || p.contains("/revisions/"))
        .collect()
}

/// A multi-source app: source 1 is the app's repository at `main`, source 2 a values repository
/// at the branch `release-candidate`. The app never targets `release-candidate` of source 1.
fn multi_source_app(world: &World) {
    let mut bp = Blueprint::new("ms");
    bp.multi_source = true;
    world.standin.add_app(bp);
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("ms").expect("added").app;
    app["spec"]["sources"][0]["targetRevision"] = json!("main");
    app["spec"]["sources"][1]["targetRevision"] = json!("release-candidate");
}

/// Gap: the read-only guard compares a named revision with the revisions of *any* source (and
/// any history entry), not with those of the source it is applied to. `revisions` +
/// `source_positions` (manifests) or `source_index` (revision metadata) apply the values repo's
/// branch to the app's repo, so Argo CD's repo-server fetches and renders source 1 at a ref the
/// app never targets for it (a branch or tag anyone with push access to that repo controls).
#[tokio::test]
async fn review_read_only_revision_of_another_source_is_fetched() {
    let world = read_only_world().await;
    multi_source_app(&world);
    // Sanity: a revision no source has is refused.
    let refused = world
        .tool_error(
            "get_argocd_app_manifests",
            json!({"app_name": "ms", "revisions": ["feature-x"], "source_positions": [1]}),
        )
        .await;
    assert!(refused.contains("read-only"), "{refused}");
    assert!(fetches(&world).is_empty(), "{:?}", fetches(&world));

    // Source 2's branch applied to source 1 (position 1).
    let manifests = world
        .call(
            "get_argocd_app_manifests",
            json!({"app_name": "ms", "revisions": ["release-candidate"], "source_positions": [1]}),
        )
        .await;
    // Source 2's branch read from source 1 (index 0).
    let metadata = world
        .call(
            "get_argocd_revision_metadata",
            json!({"app_name": "ms", "revision": "release-candidate", "source_index": 0}),
        )
        .await;
    let sent = fetches(&world);
    assert!(
        sent.is_empty(),
        "read-only let source 2's revision be fetched for source 1: requests {sent:?}\nmanifests: {manifests}\nmetadata: {metadata}"
    );
}

/// Shapes of a credential in text that Argo CD or a workload writes (condition and operation
/// messages quote tool output, git and Helm errors, config). Each secret is unique so the
/// report names the shape that leaked.
fn shapes() -> Vec<(&'static str, String)> {
    vec![
        ("yaml key: value", "password: LeakYaml1".into()),
        ("env-style KEY: value", "DB_PASSWORD: LeakEnv2".into()),
        ("spaces around =", "password = LeakSpaced3".into()),
        (
            "python/single-quoted dict",
            "{'password': 'LeakPy4'}".into(),
        ),
        (
            "JSON name with a space",
            r#"{"db password": "LeakSpaceName5"}"#.into(),
        ),
        (
            "JSON number value",
            r#"{"pin_password": 8675309123}"#.into(),
        ),
        (
            "JSON member value on next line",
            "{\"password\":\n  \"LeakNextLine7\"}".into(),
        ),
        (
            "flag with a space",
            "helm repo add x https://charts.example.com --username u --password LeakFlag8".into(),
        ),
        ("XML element", "<password>LeakXml9</password>".into()),
        (
            "k8s env name/value pair",
            r#"{"name":"DB_PASSWORD","value":"LeakEnvPair10"}"#.into(),
        ),
        (
            "percent-encoded = in nested query",
            "redirect to https://app.example.com/cb?next=%2Fhome%3Faccess_token%3DLeakPctEq11"
                .into(),
        ),
        (
            "protocol-relative URL userinfo",
            "fetch //deploy:LeakSchemeless12@git.example.com/org/repo.git failed".into(),
        ),
        (
            "scp-like address with password",
            "git clone deploy:LeakScp13@git.example.com:org/repo.git".into(),
        ),
        ("apikey: value (no dash)", "apikey: LeakApikey14".into()),
        (
            "JSON-in-string double escaped",
            r#"{\"token\":\"LeakEscaped15\"}"#.into(),
        ),
        (
            "redis URL empty user",
            "redis://:LeakRedis16@redis.example.com:6379/0".into(),
        ),
        (
            "git+ssh URL",
            "git+ssh://git:LeakGitSsh17@git.example.com/org/repo.git".into(),
        ),
        (
            "IPv6 host",
            "https://u:LeakIpv6x18@[2001:db8::1]:8443/repo".into(),
        ),
        (
            "percent-encoded userinfo",
            "https%3A%2F%2Fu%3ALeakPct19%40git.example.com".into(),
        ),
        (
            "Bearer in JSON escape",
            r#"Authorization\u003a Bearer LeakBearer20x"#.into(),
        ),
    ]
}

fn secret_of(text: &str) -> String {
    let at = text
        .find("Leak")
        .or_else(|| text.find("8675309123"))
        .unwrap();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// Gap (closed): the answer scrubber recognised `name=value`, quoted JSON members, dashed
/// headers and URL userinfo after `://`, but not the other common ways text names a credential.
/// Each shape is put in an app's condition messages, as Argo CD relays tool and workload output
/// there, and read back with get_argocd_app_status.
#[tokio::test]
async fn review_scrubber_hides_common_credential_shapes() {
    let world = World::new().await;
    world.standin.add_app(Blueprint::new("probe"));
    let shapes = shapes();
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("probe").expect("added").app;
        app["status"]["conditions"] = Value::Array(
            shapes
                .iter()
                .map(|(_, text)| json!({"type": "ComparisonError", "message": text}))
                .collect(),
        );
    }
    let answer = world
        .ok("get_argocd_app_status", json!({"app_name": "probe"}))
        .await
        .to_string();
    assert!(answer.contains("ComparisonError"), "{answer}");
    let leaked: Vec<String> = shapes
        .iter()
        .filter(|(_, text)| answer.contains(&secret_of(text)))
        .map(|(shape, text)| format!("{shape}: {text:?}"))
        .collect();
    let held: Vec<&str> = shapes
        .iter()
        .filter(|(_, text)| !answer.contains(&secret_of(text)))
        .map(|(shape, _)| *shape)
        .collect();
    eprintln!("HELD: {held:?}");
    assert!(
        leaked.is_empty(),
        "{} shapes leaked:\n{}\nanswer: {answer}",
        leaked.len(),
        leaked.join("\n")
    );
}

/// What held (passes): spellings of a revision the app does not have, and argument names spelled
/// otherwise, are refused before anything is fetched.
#[tokio::test]
async fn review_read_only_spellings_held() {
    let world = read_only_world().await;
    let synced = world.standin.app("guestbook").unwrap()["status"]["sync"]["revision"]
        .as_str()
        .unwrap()
        .to_owned();
    for revision in [
        "head".to_owned(),
        "refs/heads/HEAD".to_owned(),
        " feature-x ".to_owned(),
        format!("{synced}0"),
        synced[..6].to_owned(),
        "HEAD~1".to_owned(),
        "HEAD^".to_owned(),
    ] {
        for tool in ["get_argocd_app_manifests", "get_argocd_revision_metadata"] {
            let error = world
                .tool_error(tool, json!({"app_name": "guestbook", "revision": revision}))
                .await;
            assert!(!error.is_empty(), "{tool} {revision:?}");
        }
    }
    for args in [
        json!({"app_name": "guestbook", "Revision": "feature-x"}),
        json!({"app_name": "guestbook", "revision": "HEAD", "revisionS": ["feature-x"]}),
    ] {
        world.tool_error("get_argocd_app_manifests", args).await;
    }
    world
        .tool_error(
            "refresh_argocd_app",
            json!({"app_name": "guestbook", "hard": "true"}),
        )
        .await;
    assert!(fetches(&world).is_empty(), "{:?}", fetches(&world));
}

/// Gap (closed): a 7+ hex abbreviation of a known commit was sent as written, and Argo CD
/// resolves a branch or tag of that name before an abbreviation, so a branch named like the
/// prefix of a deployed commit was fetched. Read-only now sends the whole commit.
#[tokio::test]
async fn review_read_only_abbreviation_goes_out_whole() {
    let world = read_only_world().await;
    let synced = world.standin.app("guestbook").unwrap()["status"]["sync"]["revision"]
        .as_str()
        .unwrap()
        .to_owned();
    let abbreviated = &synced[..8];
    world
        .call(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": abbreviated}),
        )
        .await;
    world
        .call(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": abbreviated}),
        )
        .await;
    let sent = fetches(&world);
    assert_eq!(sent.len(), 2, "{sent:?}");
    for path in &sent {
        assert!(path.contains(&synced), "sent {path}, not {synced}");
    }
}

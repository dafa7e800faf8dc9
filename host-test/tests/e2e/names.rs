//! Name rules per argument, at their edges, through both components: `.` and `..` never reach
//! Argo CD as a revision or a can-i path segment (its HTTP server would resolve them into
//! another path), and RBAC objects with `:` (service accounts, cluster URLs) can be asked about.

use host_test::embed::HostEnv;
use host_test::standin::{Config, StandIn};
use serde_json::json;

use crate::{World, harness};

/// (revision, sent to Argo CD as) for revisions that must reach it, and revisions that must not.
const GOOD_REVISIONS: [(&str, &str); 3] = [
    ("v1.0.0+build.7", "/revisions/v1.0.0%2Bbuild.7/metadata"),
    ("release-1.0", "/revisions/release-1.0/metadata"),
    ("HEAD", "/revisions/HEAD/metadata"),
];
const BAD_REVISIONS: [&str; 6] = ["..", ".", ".hidden", "v1..2", "main.", "a/b"];

/// (resource, object, the can-i path sent) that must be asked, and objects that must not.
const GOOD_OBJECTS: [(&str, &str, &str); 3] = [
    (
        "accounts",
        "system:serviceaccount:argocd:deployer",
        "/api/v1/account/can-i/accounts/get/system%3Aserviceaccount%3Aargocd%3Adeployer",
    ),
    (
        "clusters",
        "https://kubernetes.default.svc",
        "/api/v1/account/can-i/clusters/get/https%3A//kubernetes.default.svc",
    ),
    (
        "applications",
        "default/team-ns/guestbook",
        "/api/v1/account/can-i/applications/get/default/team-ns/guestbook",
    ),
];
const BAD_OBJECTS: [&str; 6] = [".", "default/.", "default/..", "./x", "default//x", "a?b"];

fn sent_paths(standin: &StandIn, needle: &str) -> Vec<String> {
    standin
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains(needle))
        .collect()
}

#[tokio::test]
async fn revisions_and_rbac_objects_follow_their_rules_server() {
    let world = World::new().await;
    for bad in BAD_REVISIONS {
        let error = world
            .tool_error(
                "get_argocd_revision_metadata",
                json!({"app_name": "guestbook", "revision": bad}),
            )
            .await;
        assert!(
            error.contains("commit SHA, a tag or a branch"),
            "{bad}: {error}"
        );
    }
    assert!(
        sent_paths(&world.standin, "/revisions/").is_empty(),
        "a refused revision reached Argo CD"
    );
    for (good, path) in GOOD_REVISIONS {
        // Unknown to the stand-in's history: Argo CD's 500, which proves it was asked.
        world
            .tool_error(
                "get_argocd_revision_metadata",
                json!({"app_name": "guestbook", "revision": good}),
            )
            .await;
        assert!(
            sent_paths(&world.standin, path).len() == 1,
            "{good} not sent as {path}"
        );
    }
    for bad in BAD_OBJECTS {
        let error = world
            .tool_error(
                "can_i_argocd",
                json!({"resource": "applications", "action": "get", "object": bad}),
            )
            .await;
        assert!(error.contains("is not an RBAC object"), "{bad}: {error}");
    }
    assert!(sent_paths(&world.standin, "can-i").is_empty());
    for (resource, object, path) in GOOD_OBJECTS {
        let answer = world
            .ok(
                "can_i_argocd",
                json!({"resource": resource, "action": "get", "object": object}),
            )
            .await;
        assert_eq!(answer["allowed"], true, "{object}");
        assert_eq!(sent_paths(&world.standin, path), [path], "{object}");
    }
}

#[tokio::test]
async fn revisions_and_rbac_objects_follow_their_rules_plugin() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), standin.api_token("admin", None)),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    };
    for bad in BAD_REVISIONS {
        let (p, mut s) = harness().plugin(&env).await.unwrap();
        let error = p
            .call_get_argocd_revision_metadata(&mut s, "guestbook", bad, None, None, None)
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            error.contains("commit SHA, a tag or a branch"),
            "{bad}: {error}"
        );
    }
    assert!(sent_paths(&standin, "/revisions/").is_empty());
    for (good, path) in GOOD_REVISIONS {
        let (p, mut s) = harness().plugin(&env).await.unwrap();
        let _ = p
            .call_get_argocd_revision_metadata(&mut s, "guestbook", good, None, None, None)
            .await
            .unwrap();
        assert_eq!(sent_paths(&standin, path).len(), 1, "{good}");
    }
    for bad in BAD_OBJECTS {
        let (p, mut s) = harness().plugin(&env).await.unwrap();
        let error = p
            .call_can_i_argocd(&mut s, "applications", "get", bad, None)
            .await
            .unwrap()
            .unwrap_err();
        assert!(error.contains("is not an RBAC object"), "{bad}: {error}");
    }
    assert!(sent_paths(&standin, "can-i").is_empty());
    for (resource, object, path) in GOOD_OBJECTS {
        let (p, mut s) = harness().plugin(&env).await.unwrap();
        let answer = p
            .call_can_i_argocd(&mut s, resource, "get", object, None)
            .await
            .unwrap()
            .expect("asked");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["allowed"], true, "{object}");
        assert_eq!(sent_paths(&standin, path), [path], "{object}");
    }
}

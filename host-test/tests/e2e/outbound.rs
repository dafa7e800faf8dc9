//! The harness's outbound connections are kept alive: calls after the first reuse the
//! connection to Argo CD instead of opening one per request (issue 16's profile found a new
//! connection per request a tenth of the runner's CPU).

use serde_json::json;

use crate::World;

#[tokio::test]
async fn calls_reuse_the_connection_to_argocd() {
    let world = World::new().await;
    world
        .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    let after_first = world.standin.connection_count();
    assert!(after_first >= 1);
    let requests_before = world.standin.requests().len();
    for _ in 0..5 {
        world
            .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
    }
    let requests = world.standin.requests().len() - requests_before;
    assert!(requests >= 5, "each call asks Argo CD: {requests} requests");
    assert_eq!(
        world.standin.connection_count(),
        after_first,
        "{requests} requests after the first call opened no new connection"
    );
}

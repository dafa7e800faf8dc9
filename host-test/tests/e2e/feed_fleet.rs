//! The fleet through the live feed: `argocd://applications` tells of a change to any app, and
//! `resourcesListChanged` of apps created or deleted at Argo CD, each once, and only to the
//! subscriptions that asked for that kind of notification.

use std::time::Duration;

use host_test::standin::Blueprint;
use serde_json::{Value, json};

use crate::World;
use crate::listening::{
    FLEET, Listening, SOON, SUBSCRIPTION_ID, said, subscribe, wait_until, watch_requests,
};

const UPDATED: &str = "notifications/resources/updated";
/// The method name as the 2026-07-28 schema spells it (`ResourceListChangedNotification`).
const LIST_CHANGED: &str = "notifications/resources/list_changed";

/// One message as `(method, what it says)`: for an update its URI, app and changed fields.
fn summary(message: &Value) -> (String, String) {
    let method = message["method"].as_str().unwrap_or("").to_owned();
    if method == UPDATED {
        let (uri, app, fields) = said(message);
        return (method, format!("{uri} {app} {}", fields.join(", ")));
    }
    (method, String::new())
}

/// Reads `listening` until `last` has been heard (or nothing comes within moments).
async fn until(
    listening: &mut Listening,
    id: u64,
    last: &(String, String),
) -> Vec<(String, String)> {
    let mut heard = Vec::new();
    while heard.last() != Some(last) {
        let message = listening
            .next(SOON)
            .await
            .unwrap_or_else(|| panic!("never heard {last:?}; heard {heard:?}"));
        assert_eq!(message["params"]["_meta"][SUBSCRIPTION_ID], id, "{message}");
        heard.push(summary(&message));
        assert!(heard.len() <= 10, "more than expected: {heard:?}");
    }
    heard
}

fn update(text: &str) -> (String, String) {
    (UPDATED.to_owned(), format!("{FLEET} {text}"))
}

fn list_changed() -> (String, String) {
    (LIST_CHANGED.to_owned(), String::new())
}

/// Three subscriptions at once: the fleet URI with `resourcesListChanged`, `resourcesListChanged`
/// alone, and the fleet URI alone. A change of an app is an update of the fleet, never a list
/// change; an app created and one deleted are each one update and one list change; and each
/// subscription hears only the kinds it asked for.
#[tokio::test]
async fn apps_created_and_deleted_are_told_once_each_to_those_who_asked() {
    let world = World::new().await;
    let (mut both, ack) = subscribe(
        &world,
        81,
        json!({"resourceSubscriptions": [FLEET], "resourcesListChanged": true}),
        None,
    )
    .await;
    assert_eq!(
        ack["params"]["notifications"],
        json!({"resourceSubscriptions": [FLEET], "resourcesListChanged": true})
    );
    let (mut list_only, ack) =
        subscribe(&world, 82, json!({"resourcesListChanged": true}), None).await;
    assert_eq!(
        ack["params"]["notifications"],
        json!({"resourcesListChanged": true})
    );
    let (mut fleet_only, _) =
        subscribe(&world, 83, json!({"resourceSubscriptions": [FLEET]}), None).await;
    wait_until("three watches are open", || {
        world.standin.open_watches() == 3
    })
    .await;

    // A change of an app that exists: the fleet changed, the list did not.
    assert!(world.standin.set_health("guestbook", "Degraded"));
    let changed = update("argocd/guestbook health Healthy→Degraded");
    assert_eq!(
        until(&mut both, 81, &changed).await,
        std::slice::from_ref(&changed)
    );

    // An app created at Argo CD.
    world.standin.add_app(Blueprint::new("newcomer"));
    let heard = until(&mut both, 81, &list_changed()).await;
    assert_eq!(heard.len(), 2, "{heard:?}");
    let (method, text) = &heard[0];
    assert_eq!(method, UPDATED, "{heard:?}");
    assert!(
        text.starts_with(&format!("{FLEET} argocd/newcomer ")),
        "{heard:?}"
    );

    // An app deleted at Argo CD.
    assert!(world.standin.remove_app("huge-app"));
    let deleted = update("argocd/huge-app deleted");
    assert_eq!(
        until(&mut both, 81, &list_changed()).await,
        [deleted.clone(), list_changed()]
    );

    // Nothing more, on any of them: each was told once.
    let quiet = Duration::from_secs(3);
    assert_eq!(both.drain(quiet).await, Vec::<Value>::new());
    let list_heard: Vec<(String, String)> =
        list_only.drain(quiet).await.iter().map(summary).collect();
    assert_eq!(list_heard, [list_changed(), list_changed()]);
    let fleet_heard: Vec<(String, String)> =
        fleet_only.drain(quiet).await.iter().map(summary).collect();
    assert_eq!(fleet_heard.len(), 3, "{fleet_heard:?}");
    assert_eq!(fleet_heard[0], changed);
    assert!(
        fleet_heard[1]
            .1
            .starts_with(&format!("{FLEET} argocd/newcomer "))
    );
    assert_eq!(fleet_heard[2], deleted);
    // One watch each, never reopened.
    assert_eq!(watch_requests(&world), 3);
}

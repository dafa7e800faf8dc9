//! The live feed in user mode: a subscription acts as its caller. Argo CD's RBAC (the
//! stand-in's watch and list filter by it, as Argo CD's do) decides which apps it may name and
//! what it hears, and it ends gracefully, with the `subscriptions/listen` result, when the
//! caller's token expires.

use std::time::Duration;

use host_test::standin::Blueprint;
use host_test::standin::idp::User;
use host_test::standin::rbac::Policy;
use serde_json::{Value, json};

use crate::World;
use crate::identity::{RESOURCE, token, user_mode};
use crate::listening::{
    FLEET, Opened, SOON, SUBSCRIPTION_ID, app_uri, open, said, subscribe, wait_until,
    watch_requests,
};

/// A user whose group may see the apps of project `payments` and nothing else.
fn add_payments_viewer(world: &World, name: &str) {
    let mut state = world.standin.state();
    state.idp.users.push(User {
        name: name.into(),
        password: format!("{name}-password"),
        email: format!("{name}@example.com"),
        groups: vec!["payments-viewers".into()],
    });
    state.rbac.push(Policy::new(
        "payments-viewers",
        "applications",
        "get",
        "payments/*",
    ));
}

/// The apps an update or list change is about (`list changed` for the latter).
fn apps_heard(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| match m["method"].as_str() {
            Some("notifications/resources/updated") => said(m).1,
            Some(other) => other.to_owned(),
            None => format!("not a notification: {m}"),
        })
        .collect()
}

/// carol may see only project `payments`: naming `guestbook` is refused before any watch, and
/// her fleet subscription hears of `payments` only, while alice (who may see every app),
/// subscribed the same way at the same time, hears of every change, the new app and its list
/// change included.
#[tokio::test]
async fn rbac_decides_what_a_subscription_may_name_and_hears() {
    let world = user_mode(&[]).await;
    add_payments_viewer(&world, "carol");
    let carol = token(&world, "carol");
    let alice = token(&world, "alice");

    match open(
        &world,
        90,
        json!({"resourceSubscriptions": [app_uri("guestbook")]}),
        Some(&carol),
    )
    .await
    {
        Opened::Stream(mut listening) => panic!(
            "carol subscribed to an app RBAC hides from her: {:?}",
            listening.next(Duration::from_secs(1)).await
        ),
        Opened::Whole(_, body) => {
            assert_eq!(body["id"], 90, "{body}");
            assert_eq!(body["error"]["code"], -32602, "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(&app_uri("guestbook")), "{message}");
        }
    }
    assert_eq!(watch_requests(&world), 0, "nothing was watched");

    let fleet = json!({"resourceSubscriptions": [FLEET], "resourcesListChanged": true});
    let (mut carols, _) = subscribe(&world, 91, fleet.clone(), Some(&carol)).await;
    let (mut alices, _) = subscribe(&world, 92, fleet, Some(&alice)).await;
    wait_until("both watches are open", || {
        world.standin.open_watches() == 2
    })
    .await;

    assert!(world.standin.set_health("guestbook", "Degraded"));
    world.standin.add_app(Blueprint::new("hidden-newcomer"));
    assert!(world.standin.set_health("payments", "Degraded"));

    let quiet = Duration::from_secs(3);
    let heard_by_alice = apps_heard(&alices.drain(quiet).await);
    assert_eq!(
        heard_by_alice,
        [
            "argocd/guestbook",
            "argocd/hidden-newcomer",
            "notifications/resources/list_changed",
            "argocd/payments"
        ],
        "alice may see every app"
    );
    let heard_by_carol = carols.drain(quiet).await;
    assert_eq!(
        apps_heard(&heard_by_carol),
        ["argocd/payments"],
        "carol hears only what RBAC shows her"
    );
    assert_eq!(heard_by_carol[0]["params"]["_meta"][SUBSCRIPTION_ID], 91);
    assert_eq!(
        said(&heard_by_carol[0]).2,
        ["health Healthy→Degraded".to_owned()]
    );

    // Each watch went to Argo CD as its own caller (an exchanged token), never as another.
    let watch_tokens: Vec<Option<String>> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(crate::listening::WATCH))
        .map(|r| r.authorization.clone())
        .collect();
    assert_eq!(watch_tokens.len(), 2);
    assert!(watch_tokens.iter().all(Option::is_some));
    assert_ne!(watch_tokens[0], watch_tokens[1]);
    for bearer in watch_tokens.iter().flatten() {
        assert!(
            !bearer.contains(&carol) && !bearer.contains(&alice),
            "the caller's own token went to Argo CD instead of an exchanged one"
        );
    }
}

/// A subscription opened with a token that expires in a few seconds hears changes until then,
/// and then ends gracefully: the response to `subscriptions/listen`, `resultType: complete`,
/// tagged with the subscription, the stream closed, and the watch on Argo CD closed with it.
#[tokio::test]
async fn a_subscription_ends_gracefully_when_its_callers_token_expires() {
    let world = user_mode(&[]).await;
    let lifetime_s = 6;
    let (short, expires_unix_s) = {
        let mut state = world.standin.state();
        let claims = state.idp.claims_for(
            "alice",
            &[RESOURCE],
            lifetime_s,
            "openid profile email groups",
        );
        (state.idp.sign(&claims), claims["exp"].as_u64().unwrap())
    };
    let (mut listening, _) = subscribe(
        &world,
        77,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        Some(&short),
    )
    .await;
    wait_until("the watch is open", || world.standin.open_watches() == 1).await;

    // Alive before the token expires.
    assert!(world.standin.set_health("payments", "Degraded"));
    let update = listening.next(SOON).await.expect("a change before expiry");
    assert_eq!(
        update["method"], "notifications/resources/updated",
        "{update}"
    );
    assert_eq!(said(&update).2, ["health Healthy→Degraded".to_owned()]);

    let closing = listening
        .next(Duration::from_secs(lifetime_s as u64) + SOON)
        .await
        .expect("the subscription's result when the token expires");
    // Judged by the token's own `exp` on the clock the server reads too, not by when the test
    // got the token (which a loaded machine delays).
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert!(
        now_ms >= u128::from(expires_unix_s) * 1000,
        "ended before the token expired ({now_ms} ms, exp {expires_unix_s} s): {closing}"
    );
    assert_eq!(closing["id"], 77, "{closing}");
    assert!(closing.get("error").is_none(), "{closing}");
    assert_eq!(closing["result"]["resultType"], "complete", "{closing}");
    assert_eq!(closing["result"]["_meta"][SUBSCRIPTION_ID], 77, "{closing}");
    assert!(
        listening.ended(SOON).await,
        "the stream closes after its result"
    );
    wait_until("the watch on Argo CD closes", || {
        world.standin.open_watches() == 0
    })
    .await;
    // Nothing reopens it for a caller whose token is gone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(world.standin.open_watches(), 0);
    assert_eq!(watch_requests(&world), 1);
}

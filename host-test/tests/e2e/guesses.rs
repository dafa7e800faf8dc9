//! The settings' own secrets are taken out of every answer by their value. What a caller sends
//! comes back in answers (an unknown tool's or method's name, an app's name in Argo CD's
//! refusal, a request id), so taking a secret out of what the caller itself sent would tell it
//! that its guess was right: an oracle for the service account's password with no lockout
//! behind it (Argo CD locks an account after five failed logins; this would answer thousands
//! of guesses a second). A secret the request holds is the caller's own knowledge: it is left
//! as sent in that request's answers, so a right guess reads exactly as a wrong one; every other
//! secret is still taken out.

use host_test::embed::HostEnv;
use serde_json::{Value, json};

use crate::{PASSWORD, World, harness};

/// A guess as long as the password and of the same kind, but wrong.
const WRONG: &str = "Adm1n-s3cret-pX";

/// `answer` with `guess` written as `GUESS`: two answers to two guesses compare equal when
/// nothing but the guess itself differs.
fn as_guessed(answer: &str, guess: &str) -> String {
    answer.replace(guess, "GUESS")
}

async fn rpc(world: &World, message: Value) -> String {
    String::from_utf8_lossy(&world.mcp(&message).await.body).into_owned()
}

/// What the server answers to each way a guess can be echoed.
async fn server_answers(world: &World, guess: &str) -> Vec<String> {
    vec![
        rpc(
            world,
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": guess, "arguments": {}}}),
        )
        .await,
        rpc(
            world,
            json!({"jsonrpc": "2.0", "id": 2, "method": guess, "params": {}}),
        )
        .await,
        rpc(
            world,
            json!({"jsonrpc": "2.0", "id": guess, "method": "ping"}),
        )
        .await,
        rpc(
            world,
            json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                "params": {"name": "get_argocd_app_status", "arguments": {"app_name": guess.to_ascii_lowercase()}}}),
        )
        .await,
        rpc(
            world,
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook", "app_namespace": guess}}}),
        )
        .await,
    ]
}

/// Through the server component: a right guess of the password, in any of the places a request
/// is echoed, is answered as a wrong one is; the guess was reached (echoed) in each.
#[tokio::test]
async fn a_right_guess_of_an_own_secret_reads_as_a_wrong_one() {
    let world = World::new().await;
    let right = server_answers(&world, PASSWORD).await;
    let wrong = server_answers(&world, WRONG).await;
    for (n, (right, wrong)) in right.iter().zip(&wrong).enumerate() {
        assert!(
            wrong.contains(WRONG) || wrong.contains(&WRONG.to_ascii_lowercase()),
            "echo {n}: the guess is not echoed, so this proves nothing: {wrong}"
        );
        assert_eq!(
            as_guessed(&as_guessed(right, PASSWORD), &PASSWORD.to_ascii_lowercase()),
            as_guessed(&as_guessed(wrong, WRONG), &WRONG.to_ascii_lowercase()),
            "echo {n}: a right guess reads otherwise than a wrong one"
        );
    }
}

/// What a caller sent is left as sent only for the secret it holds: another own secret quoted
/// in the same answer is still taken out, and so is one in a header this server never quotes.
/// Here the caller's message holds the Argo CD password (in `_meta`) and its Authorization
/// header the bearer (an own secret it knows); Argo CD's condition message quotes both: the
/// bearer is hidden.
#[tokio::test]
async fn a_request_holding_one_secret_leaves_the_others_hidden() {
    let mut world = World::new().await;
    let bearer = "mcp-bearer-0123456789";
    world.set("mcp_auth_token", bearer);
    {
        let mut state = world.standin.state();
        let app = state.apps.get_mut("guestbook").expect("guestbook");
        app.app["status"]["conditions"] = json!([{
            "type": "ComparisonError",
            "message": format!("the proxy echoed {PASSWORD} and {bearer} back"),
        }]);
    }
    let status = |meta: Value| {
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"},
                "_meta": meta}})
    };
    let authorization = format!("Bearer {bearer}");
    for meta in [json!({}), json!({"note": PASSWORD})] {
        let response = world
            .mcp_with(&status(meta.clone()), &[("authorization", &authorization)])
            .await;
        let body = String::from_utf8_lossy(&response.body);
        assert_eq!(response.status, 200, "{body}");
        assert!(
            body.contains("the proxy echoed"),
            "the condition was not reached: {body}"
        );
        assert!(!body.contains(bearer), "{meta}: the bearer shows: {body}");
        if meta == json!({}) {
            assert!(!body.contains(PASSWORD), "the password shows: {body}");
        }
    }
}

/// The plugin: an app named as the password is answered as any other unknown app.
#[tokio::test]
async fn the_plugin_answers_a_right_guess_as_a_wrong_one() {
    let world = World::new().await;
    let env = HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_USERNAME".into(), "admin".into()),
            ("ARGOCD_PASSWORD".into(), PASSWORD.into()),
        ],
        redirect: Some(world.standin.addr),
        ..HostEnv::default()
    };
    let mut answers = Vec::new();
    for guess in [PASSWORD, WRONG] {
        let answer = harness()
            .call_plugin_export(&env, "get-argocd-app-status", guess)
            .await
            .expect("the plugin answers");
        let text = match answer {
            Ok(text) | Err(text) => text,
        };
        assert!(text.contains(guess), "{guess} is not echoed: {text}");
        answers.push(as_guessed(&text, guess));
    }
    assert_eq!(answers[0], answers[1], "a right guess reads otherwise");
}

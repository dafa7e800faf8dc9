//! User mode through the server component: the component is an OAuth resource server for the
//! stand-in's identity provider, lets in only tokens issued for it, and reaches Argo CD with a
//! token exchanged for each caller, so Argo CD's RBAC and audit see the real user.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use host_test::standin::Config;
use host_test::standin::idp::ARGOCD_CLIENT;
use serde_json::{Value, json};

use crate::World;

/// Where the harness serves the component (see `World::http`).
pub(crate) const RESOURCE: &str = "http://localhost:8787/mcp";
pub(crate) const CLIENT_ID: &str = "argocd-mcp";
/// Distinctive, so leak checks cannot match ordinary words.
pub(crate) const CLIENT_SECRET: &str = "Cl1ent-s3cret-of-the-server";
const SCOPES: &str = "openid profile email groups";

/// A stand-in whose identity provider knows this server as a confidential client allowed to
/// exchange tokens for Argo CD, and a component in user mode (no Argo CD account of its own).
pub(crate) async fn user_mode(extra: &[(&str, &str)]) -> World {
    let mut world = World::with(Config::default(), &[]).await;
    world
        .standin
        .trust_mcp_server(CLIENT_ID, CLIENT_SECRET, RESOURCE);
    for (setting, value) in world
        .standin
        .user_mode_settings(CLIENT_ID, CLIENT_SECRET, RESOURCE)
    {
        world.set(setting.variable, &value);
    }
    for (k, v) in extra {
        world.set(k, v);
    }
    world
}

/// A token from the provider for `user`, for this server, valid for an hour.
pub(crate) fn token(world: &World, user: &str) -> String {
    world.standin.user_token(user, RESOURCE)
}

fn token_with(world: &World, user: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut state = world.standin.state();
    let mut claims = state.idp.claims_for(user, &[RESOURCE], 3600, SCOPES);
    change(&mut claims);
    state.idp.sign(&claims)
}

pub(crate) async fn call_as(
    world: &World,
    token: &str,
    tool: &str,
    arguments: Value,
) -> (u16, Value) {
    let bearer = format!("Bearer {token}");
    let response = world
        .mcp_with(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}),
            &[("authorization", &bearer)],
        )
        .await;
    (response.status, response.json().unwrap_or(Value::Null))
}

/// Requests that reached Argo CD's API or the provider's token endpoint (exchanges).
fn argocd_and_exchange_requests(world: &World) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1") || r.path.starts_with("/api/dex/token"))
        .count()
}

#[tokio::test]
async fn metadata_names_the_provider_and_every_refusal_points_to_it() {
    let world = user_mode(&[]).await;
    for path in [
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ] {
        let response = world.http("GET", path, &[], "").await;
        assert_eq!(response.status, 200, "{path}");
        let metadata = response.json().unwrap();
        assert_eq!(metadata["resource"], RESOURCE);
        assert_eq!(
            metadata["authorization_servers"],
            json!([world.standin.issuer()])
        );
        assert_eq!(
            metadata["scopes_supported"],
            json!(["openid", "profile", "email", "groups"])
        );
        assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    }
    assert_eq!(
        world
            .http("POST", "/.well-known/oauth-protected-resource/mcp", &[], "")
            .await
            .status,
        405
    );

    let response = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.header("www-authenticate"),
        Some(
            r#"Bearer resource_metadata="http://localhost:8787/.well-known/oauth-protected-resource/mcp", scope="openid profile email groups""#
        ),
        "no token: a challenge without an error code"
    );

    // Service mode serves no metadata: nothing to sign in to.
    let service = World::new().await;
    assert_eq!(
        service
            .http("GET", "/.well-known/oauth-protected-resource/mcp", &[], "")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn tokens_not_issued_for_this_server_now_are_refused_before_argo_cd_hears_of_them() {
    let world = user_mode(&[]).await;
    let issuer = world.standin.issuer();
    let good = token(&world, "alice");
    // One character inside the signature (the last one's spare bits must stay zero).
    let mut bad_signature = good.clone();
    let at = good.rfind('.').unwrap() + 10;
    let flipped = if &good[at..at + 1] == "A" { "B" } else { "A" };
    bad_signature.replace_range(at..at + 1, flipped);
    let unsigned = {
        let payload = good.split('.').nth(1).unwrap();
        format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
        )
    };
    let hs256 = {
        let payload = good.split('.').nth(1).unwrap();
        format!(
            "{}.{payload}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode([7u8; 32])
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            token_with(&world, "alice", |c| {
                c["exp"] = json!(c["exp"].as_i64().unwrap() - 7200)
            }),
            "expired",
        ),
        (
            "wrong issuer",
            token_with(&world, "alice", |c| {
                c["iss"] = json!(format!("{issuer}/other"))
            }),
            "not issued by the identity provider",
        ),
        (
            "wrong audience",
            token_with(&world, "alice", |c| c["aud"] = json!(["some-other-api"])),
            "not issued for this server",
        ),
        (
            "minted for Argo CD itself",
            token_with(&world, "alice", |c| c["aud"] = json!([ARGOCD_CLIENT])),
            "not issued for this server",
        ),
        ("bad signature", bad_signature, "signature does not verify"),
        // The algorithm is not named: the header is the caller's own unverified text.
        ("alg none", unsigned, "algorithm is not RS256 or ES256"),
        (
            "HS256 (key confusion)",
            hs256,
            "algorithm is not RS256 or ES256",
        ),
        (
            "not a JWT",
            "opaque-token-value".into(),
            "not a well-formed JWT",
        ),
    ];
    for (case, token, says) in cases {
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        assert_eq!(status, 401, "{case}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(says),
            "{case}: {body}"
        );
    }
    // Not a bearer token, and a token in the URL (even beside a good header).
    let response = world
        .mcp_with(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
            &[("authorization", &format!("Basic {good}"))],
        )
        .await;
    assert_eq!(response.status, 401);
    for path in [
        format!("/mcp?access_token={good}"),
        "/mcp?access_token=x".into(),
    ] {
        let response = world
            .http(
                "POST",
                &path,
                &[
                    ("content-type", "application/json"),
                    ("accept", "application/json, text/event-stream"),
                    ("mcp-protocol-version", "2025-11-25"),
                    ("authorization", &format!("Bearer {good}")),
                ],
                &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string(),
            )
            .await;
        assert_eq!(response.status, 401, "{path}");
        let challenge = response.header("www-authenticate").unwrap();
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{challenge}"
        );
        assert!(challenge.contains("resource_metadata="), "{challenge}");
    }
    // No token at all, on a tool call.
    let response = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                     "params": {"name": "get_argocd_server_info", "arguments": {}}}))
        .await;
    assert_eq!(response.status, 401);
    // A valid token without the scopes the server asks for: 403 insufficient_scope.
    let narrow = token_with(&world, "alice", |c| c["scope"] = json!("openid"));
    let (status, body) = call_as(&world, &narrow, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        argocd_and_exchange_requests(&world),
        0,
        "nothing reached Argo CD"
    );

    // The same server lets a good token through, RS256 or ES256.
    let (status, body) = call_as(&world, &good, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["structuredContent"]["username"], "alice");
    let es256 = {
        let mut state = world.standin.state();
        let claims = state.idp.claims_for("bob", &[RESOURCE], 3600, SCOPES);
        state.idp.sign_es256(&claims)
    };
    // Its key was published after the set was fetched: past the cool-down it is fetched again.
    tokio::time::sleep(argocd_mcp_refetch_cooldown()).await;
    let (status, body) = call_as(&world, &es256, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["structuredContent"]["username"], "bob");
}

fn argocd_mcp_refetch_cooldown() -> Duration {
    Duration::from_millis(argocd_mcp::identity::provider::REFETCH_COOLDOWN_MS + 200)
}

fn jwks_fetches(world: &World) -> u64 {
    world.standin.state().idp.jwks_fetches
}

#[tokio::test]
async fn an_unknown_key_is_looked_up_once_and_a_rotation_is_followed_without_a_restart() {
    let world = user_mode(&[]).await;
    let before = token(&world, "alice");
    let (status, _) = call_as(&world, &before, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(jwks_fetches(&world), 1);

    // A key id nobody published: one fetch past the cool-down, then 401; a burst of invented
    // ids right after costs the provider nothing more.
    tokio::time::sleep(argocd_mcp_refetch_cooldown()).await;
    let invented = |kid: &str| {
        let good = token(&world, "alice");
        let mut parts = good.splitn(2, '.');
        let _ = parts.next();
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
        format!("{header}.{}", parts.next().unwrap())
    };
    let (status, body) = call_as(
        &world,
        &invented("nope-1"),
        "get_argocd_server_info",
        json!({}),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signing key")
    );
    assert_eq!(jwks_fetches(&world), 2);
    let reached_argocd = argocd_and_exchange_requests(&world);
    for n in 2..10 {
        let (status, _) = call_as(
            &world,
            &invented(&format!("nope-{n}")),
            "get_argocd_server_info",
            json!({}),
        )
        .await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        jwks_fetches(&world),
        2,
        "the cool-down holds for every instance"
    );
    assert_eq!(
        argocd_and_exchange_requests(&world),
        reached_argocd,
        "no invented key reached Argo CD or the token endpoint"
    );

    // The provider rotates; new tokens carry the new key's id and are let in without a restart
    // (the old ones too, while the provider still publishes their key).
    tokio::time::sleep(argocd_mcp_refetch_cooldown()).await;
    world.standin.state().idp.rotate();
    let after = token(&world, "alice");
    assert_ne!(
        after.split('.').next(),
        before.split('.').next(),
        "another kid"
    );
    let (status, body) = call_as(&world, &after, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = call_as(&world, &before, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200);

    // Once the provider withdraws a key, tokens it signed are refused, even those this server
    // verified before (it remembers verdicts only for keys still published).
    world.standin.state().idp.rotate();
    tokio::time::sleep(argocd_mcp_refetch_cooldown()).await;
    let newest = token(&world, "alice");
    let (status, _) = call_as(&world, &newest, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "the newest key is fetched");
    let (status, body) = call_as(&world, &before, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn each_user_acts_as_themself_and_argo_cds_rbac_decides() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let bob = token(&world, "bob");

    let (_, info) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    let info = &info["result"]["structuredContent"];
    assert_eq!(info["username"], "alice");
    assert_eq!(info["groups"], json!(["payments-deployers"]));
    assert_eq!(info["auth_mode"], "user");
    assert_eq!(info["logged_in"], true);

    // bob is a viewer: Argo CD refuses his sync, and the tool says so.
    let (status, denied) = call_as(
        &world,
        &bob,
        "sync_argocd_app",
        json!({"app_name": "payments", "confirm": true}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(denied["result"]["isError"], true, "{denied}");
    let message = denied["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        message.contains("permission denied: applications, sync, payments/payments, sub: bob"),
        "{message}"
    );
    // alice may sync payments, not guestbook.
    let (_, synced) = call_as(
        &world,
        &alice,
        "sync_argocd_app",
        json!({"app_name": "payments", "confirm": true}),
    )
    .await;
    assert_eq!(synced["result"]["isError"], false, "{synced}");
    let (_, refused) = call_as(
        &world,
        &alice,
        "sync_argocd_app",
        json!({"app_name": "guestbook", "confirm": true}),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");

    assert_eq!(
        world.standin.audit_trail(),
        [
            ("bob".into(), "payments/payments".into(), false),
            ("alice".into(), "payments/payments".into(), true),
            ("alice".into(), "default/guestbook".into(), false),
        ]
    );

    // Argo CD only ever saw tokens issued for it, never a caller's own token.
    let users_tokens = [alice.as_str(), bob.as_str()];
    for request in world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1"))
    {
        let sent = request
            .authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .expect("every Argo CD request carries a token");
        assert!(
            !users_tokens.contains(&sent),
            "a caller's token was passed through"
        );
        let aud = argocd_mcp::identity::jwt::claim(sent, "aud").unwrap();
        assert_eq!(aud, json!([ARGOCD_CLIENT]));
    }
}

#[tokio::test]
async fn exchanges_are_cached_per_user_and_never_served_to_another() {
    let world = user_mode(&[]).await;
    let users = ["alice", "bob"];
    let tokens: Vec<String> = users.iter().map(|u| token(&world, u)).collect();
    // Two users interleaved over many instances at once, twice: the second wave finds every
    // exchange in the store.
    let mut first_wave = 0;
    for wave in 0..2 {
        let calls = (0..40).map(|i| {
            let which = i % 2;
            let world = &world;
            let token = tokens[which].clone();
            async move {
                let (status, body) =
                    call_as(world, &token, "get_argocd_server_info", json!({})).await;
                (which, status, body)
            }
        });
        for (which, status, body) in futures_util::future::join_all(calls).await {
            assert_eq!(status, 200, "{body}");
            assert_eq!(
                body["result"]["structuredContent"]["username"], users[which],
                "wave {wave}: a call answered as another user"
            );
        }
        let exchanges = world.standin.state().idp.exchanges.clone();
        for user in users {
            assert!(exchanges.iter().any(|e| e.subject == user), "{user}");
        }
        if wave == 0 {
            first_wave = exchanges.len();
        } else {
            assert_eq!(
                exchanges.len(),
                first_wave,
                "the second wave exchanged again"
            );
        }
    }
    let after_waves = world.standin.state().idp.exchanges.len();
    // One instance per user exchanges while the others wait for its result (a write-and-read-back
    // lease; two that write within the same instant may both win, hence not exactly 2).
    assert!(
        after_waves <= 4,
        "{after_waves} exchanges for 40 cold calls of 2 users"
    );
    let (_, body) = call_as(&world, &tokens[0], "get_argocd_server_info", json!({})).await;
    assert_eq!(body["result"]["structuredContent"]["username"], "alice");
    assert_eq!(
        world.standin.state().idp.exchanges.len(),
        after_waves,
        "a warm cache exchanges nothing"
    );

    // The store keys exchanges by a hash: no key holds a caller's token.
    let snapshot = world.env.kv.snapshot();
    for token in &tokens {
        assert!(snapshot.keys().all(|k| !k.contains(token.as_str())));
        let signature = token.rsplit('.').next().unwrap();
        assert!(snapshot.keys().all(|k| !k.contains(signature)));
    }
}

#[tokio::test]
async fn no_token_or_secret_appears_in_answers_or_logs() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let mut seen = String::new();
    for (tool, arguments) in [
        ("get_argocd_server_info", json!({})),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        ),
        ("get_argocd_app_status", json!({"app_name": "no-such-app"})),
    ] {
        let (_, body) = call_as(&world, &alice, tool, arguments).await;
        seen.push_str(&body.to_string());
    }
    let expired = token_with(&world, "alice", |c| c["exp"] = json!(1));
    let (_, body) = call_as(&world, &expired, "get_argocd_server_info", json!({})).await;
    seen.push_str(&body.to_string());
    seen.push_str(&world.stderr());
    let health = world.http("GET", "/health/argocd", &[], "").await;
    seen.push_str(&String::from_utf8_lossy(&health.body));
    let exchanged: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .collect();
    assert!(!exchanged.is_empty());
    for secret in [alice.as_str(), expired.as_str(), CLIENT_SECRET]
        .into_iter()
        .chain(exchanged.iter().map(|a| a.trim_start_matches("Bearer ")))
    {
        let signature = secret.rsplit('.').next().unwrap();
        assert!(!seen.contains(signature), "a secret leaked: {seen}");
    }
}

#[tokio::test]
async fn a_provider_that_cannot_exchange_is_named_with_what_to_configure() {
    let world = user_mode(&[]).await;
    world.standin.state().idp.exchange_supported = false;
    let alice = token(&world, "alice");
    let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200);
    let message = body["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        message.contains("does not offer token exchange"),
        "{message}"
    );
    assert!(message.contains("OIDC_DELEGATION"), "{message}");
    let bearer = format!("Bearer {alice}");
    let health = world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await;
    assert_eq!(health.status, 503);
    assert!(
        String::from_utf8_lossy(&health.body).contains("does not offer token exchange"),
        "{:?}",
        health.body
    );
    assert_eq!(
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/api/v1"))
            .count(),
        0
    );
}

#[tokio::test]
async fn the_shared_audience_opt_in_sends_only_tokens_naming_argo_cd() {
    let world = user_mode(&[("oidc_delegation", "shared-audience")]).await;
    let both = token_with(&world, "alice", |c| {
        c["aud"] = json!([RESOURCE, ARGOCD_CLIENT])
    });
    let (_, body) = call_as(&world, &both, "get_argocd_server_info", json!({})).await;
    assert_eq!(
        body["result"]["structuredContent"]["username"], "alice",
        "{body}"
    );
    assert!(world.standin.state().idp.exchanges.is_empty());

    let ours_only = token(&world, "alice");
    let (_, body) = call_as(&world, &ours_only, "get_argocd_server_info", json!({})).await;
    let message = body["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        message.contains("audience does not name Argo CD"),
        "{message}"
    );
}

#[tokio::test]
async fn user_mode_settings_that_cannot_work_refuse_every_call_saying_why() {
    let mut world = user_mode(&[]).await;
    world.env.variables.remove("oidc_client_secret");
    let alice = token(&world, "alice");
    let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 503);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("OIDC_CLIENT_SECRET"), "{message}");
    world.set("oidc_client_secret", CLIENT_SECRET);
    world.set("auth_mode", "users");
    let (status, _) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 503);
}

/// Over stdio there is no browser: the one user of the process gives their token in
/// `MCP_USER_TOKEN`; it is checked and exchanged as over HTTP. Without it, every call says to
/// sign in.
#[test]
fn over_stdio_the_one_user_gives_their_token_in_the_environment() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(host_test::standin::StandIn::start(Config::default()))
        .unwrap();
    let resource = "http://localhost/mcp";
    standin.trust_mcp_server(CLIENT_ID, CLIENT_SECRET, resource);
    let alice = standin.user_token("alice", resource);
    let run = |token: Option<&str>| {
        let mut command = Command::new(crate::processes::RUNNER);
        command
            .arg("stdio")
            .env_remove("ARGOCD_TOKEN")
            .env_remove("ARGOCD_USERNAME")
            .env_remove("MCP_AUTH_TOKEN")
            .env_remove(host_test::runner::USER_TOKEN_ENV)
            .envs(
                standin
                    .user_mode_settings(CLIENT_ID, CLIENT_SECRET, resource)
                    .into_iter()
                    .map(|(setting, value)| (setting.env, value)),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(token) = token {
            command.env(host_test::runner::USER_TOKEN_ENV, token);
        }
        let mut child = command.spawn().expect("the runner starts");
        let mut stdin = child.stdin.take().unwrap();
        let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_server_info", "arguments": {}}});
        writeln!(stdin, "{call}").unwrap();
        drop(stdin);
        crate::processes::answers(&mut child)
    };
    let signed_in = run(Some(&alice));
    assert_eq!(
        signed_in[0]["result"]["structuredContent"]["username"], "alice",
        "{signed_in:?}"
    );
    let anonymous = run(None);
    assert!(
        anonymous[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sign in"),
        "{anonymous:?}"
    );
}

/// Entra ID's on-behalf-of flow in place of RFC 8693: the same result, each user as themself.
#[tokio::test]
async fn the_on_behalf_of_flow_serves_providers_like_entra_id() {
    let world = user_mode(&[("oidc_delegation", "on-behalf-of")]).await;
    let alice = token(&world, "alice");
    let (_, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(
        body["result"]["structuredContent"]["username"], "alice",
        "{body}"
    );
    let grants: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path == "/api/dex/token")
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(grants.len(), 1);
    assert!(
        grants[0].contains("requested_token_use=on_behalf_of"),
        "{}",
        grants[0]
    );
    assert!(
        grants[0].contains("scope=argo-cd%2F.default"),
        "{}",
        grants[0]
    );
}

/// Argo CD refusing an exchanged token mid-way (revoked, its key rotated): the token is dropped,
/// exchanged once more, and the call retried once, as a login-based session is.
#[tokio::test]
async fn a_refused_exchanged_token_is_exchanged_again_once() {
    use host_test::standin::{Fault, FaultRule};
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let status = || async {
        let (_, body) = call_as(
            &world,
            &alice,
            "get_argocd_app_status",
            json!({"app_name": "payments"}),
        )
        .await;
        body
    };
    // Argo CD answers 401 to the next `times` reads of the app.
    let refuse_next = |times: usize| {
        world.standin.inject(
            FaultRule::new(
                Some("GET"),
                "/api/v1/applications/payments",
                Fault::Unauthorized,
            )
            .times(times),
        )
    };
    let body = status().await;
    assert_eq!(body["result"]["isError"], false, "{body}");
    assert_eq!(world.standin.state().idp.exchanges.len(), 1);

    refuse_next(1);
    let body = status().await;
    assert_eq!(body["result"]["isError"], false, "{body}");
    assert_eq!(
        world.standin.state().idp.exchanges.len(),
        2,
        "one more exchange"
    );

    // Refused again right after a fresh exchange: no loop, a clear error.
    refuse_next(2);
    let body = status().await;
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert!(world.standin.state().idp.exchanges.len() <= 3);
}

/// In user mode the health check's details (where the provider and Argo CD are, what failed)
/// are for signed-in callers; anyone else learns only up or down, and how fast.
#[tokio::test]
async fn health_details_are_for_signed_in_callers() {
    let world = user_mode(&[]).await;
    let bare = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(bare.status, 200);
    let bare = bare.json().unwrap();
    assert_eq!(
        bare.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["latency_ms", "status"],
        "{bare}"
    );
    let forged = format!(
        "Bearer {}",
        token_with(&world, "alice", |c| c["aud"] = json!(["x"]))
    );
    let refused = world
        .http("GET", "/health/argocd", &[("authorization", &forged)], "")
        .await
        .json()
        .unwrap();
    assert!(refused.get("identity_provider").is_none(), "{refused}");
    let bearer = format!("Bearer {}", token(&world, "alice"));
    let detailed = world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await
        .json()
        .unwrap();
    assert_eq!(
        detailed["identity_provider"],
        world.standin.issuer(),
        "{detailed}"
    );
    assert_eq!(detailed["auth_mode"], "user");
    assert_eq!(detailed["argocd_version"], "v3.5.1");
}

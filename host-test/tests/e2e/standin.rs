//! The stand-in checked against Argo CD's own swagger and the captured fixtures, so tests that
//! pass against it mean something.

use std::time::Duration;

use host_test::standin::{Config, StandIn, credentials, fleet};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub(crate) const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/argocd");

pub(crate) fn swagger() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/swagger.json")).unwrap())
        .unwrap()
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{FIXTURES}/fixtures/{name}")).unwrap())
        .unwrap()
}

/// Every key of `value` must be a property the schema declares (after `$ref`s).
pub(crate) fn check_against(
    swagger: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    problems: &mut Vec<String>,
) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => &swagger["definitions"][reference.trim_start_matches("#/definitions/")],
        None => schema,
    };
    if at.ends_with(".fieldsV1") || at.ends_with(".valuesObject") || at.ends_with(".elements[]") {
        return; // free-form JSON in Kubernetes; the swagger only knows its protobuf form
    }
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, inner) in map {
                    match properties.get(key) {
                        Some(s) => {
                            check_against(swagger, s, inner, &format!("{at}.{key}"), problems)
                        }
                        None => problems.push(format!("{at}.{key}")),
                    }
                }
            } else if let Some(extra) = schema.get("additionalProperties") {
                for (key, inner) in map {
                    check_against(swagger, extra, inner, &format!("{at}.{key}"), problems);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    check_against(swagger, item_schema, item, &format!("{at}[]"), problems);
                }
            }
        }
        Value::Number(n)
            if schema.get("type") == Some(&json!("string"))
                && schema.get("format") == Some(&json!("int64")) =>
        {
            let _ = n; // swagger still says string for some int64; Argo CD sends numbers (api-notes §0.1)
        }
        _ => {}
    }
}

#[test]
fn generated_apps_use_only_fields_argocd_declares() {
    let swagger = swagger();
    let schema = json!({"$ref": "#/definitions/v1alpha1Application"});
    let mut problems = Vec::new();
    check_against(
        &swagger,
        &schema,
        &fixture("03-application-get.public-capture.json"),
        "fixture03",
        &mut problems,
    );
    assert!(
        problems.is_empty(),
        "the checker rejects a real capture: {problems:?}"
    );
    for (seq, bp) in host_test::standin::showcase()
        .iter()
        .chain(credentials::blueprints().iter())
        .chain(fleet::fleet(60).iter())
        .enumerate()
    {
        check_against(
            &swagger,
            &schema,
            &fleet::application(bp, seq),
            &bp.name,
            &mut problems,
        );
    }
    assert!(problems.is_empty(), "undeclared fields: {problems:?}");
}

#[test]
fn seeded_objects_use_only_fields_argocd_declares() {
    let swagger = swagger();
    let mut problems = Vec::new();
    let set = json!({"$ref": "#/definitions/v1alpha1ApplicationSet"});
    check_against(
        &swagger,
        &set,
        &credentials::applicationset(),
        "vault-envs",
        &mut problems,
    );
    for bp in credentials::blueprints() {
        for (kind, schema) in [
            (
                "Application",
                json!({"$ref": "#/definitions/v1alpha1Application"}),
            ),
            ("ApplicationSet", set.clone()),
        ] {
            let mut live = credentials::child_object(&bp, kind, true);
            // The object as Kubernetes holds it carries its type, which the API's
            // definitions leave out.
            for type_meta in ["apiVersion", "kind"] {
                live.as_object_mut().unwrap().remove(type_meta);
            }
            check_against(
                &swagger,
                &schema,
                &live,
                &format!("{}/{kind}", bp.name),
                &mut problems,
            );
        }
    }
    assert!(problems.is_empty(), "undeclared fields: {problems:?}");
}

#[test]
fn generated_apps_look_like_the_capture() {
    let real = fixture("03-application-get.public-capture.json");
    let ours = fleet::application(&fleet::Blueprint::new("guestbook"), 0);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&real), keys(&ours));
    assert_eq!(
        keys(&real["status"]),
        keys(&ours["status"]),
        "status keys in Go order"
    );
    assert_eq!(
        keys(&real["status"]["operationState"]),
        keys(&ours["status"]["operationState"])
    );
    assert!(ours["status"]["history"][0]["id"].is_i64());
}

#[test]
fn every_route_served_is_in_the_swagger() {
    let paths = &swagger()["paths"];
    for (method, path) in [
        ("post", "/api/v1/session"),
        ("get", "/api/v1/session/userinfo"),
        ("get", "/api/version"),
        ("get", "/api/v1/applications"),
        ("get", "/api/v1/applications/{name}"),
        ("post", "/api/v1/applications/{name}/sync"),
        ("post", "/api/v1/applications/{name}/rollback"),
        ("get", "/api/v1/applications/{name}/links"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} not in swagger"
        );
    }
}

/// A minimal HTTP/1.1 exchange, so the stand-in is tested without the code under test.
pub(crate) async fn raw(
    standin: &StandIn,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, Value) {
    let mut stream = tokio::net::TcpStream::connect(standin.addr).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: argocd\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let json = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, body.to_string(), json)
}

pub(crate) async fn token(standin: &StandIn) -> String {
    let (status, _, body) = raw(
        standin,
        "POST",
        "/api/v1/session",
        &[("content-type", "application/json")],
        r#"{"username":"admin","password":"password"}"#,
    )
    .await;
    assert_eq!(status, 200);
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn traps_of_the_real_api() {
    let standin = StandIn::start(Config {
        operation_time: Duration::from_millis(100),
        ..Config::default()
    })
    .await
    .unwrap();
    // 415 unless exactly application/json, even on login.
    let (status, text, _) = raw(
        &standin,
        "POST",
        "/api/v1/session",
        &[("content-type", "application/json; charset=utf-8")],
        "{}",
    )
    .await;
    assert_eq!((status, text.as_str()), (415, "Invalid content type"));
    // userinfo never says 401.
    let (status, _, body) = raw(
        &standin,
        "GET",
        "/api/v1/session/userinfo",
        &[("authorization", "Bearer a.b.c")],
        "",
    )
    .await;
    assert_eq!((status, body), (200, json!({})));
    let token = token(&standin).await;
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let (_, _, body) = raw(&standin, "GET", "/api/v1/session/userinfo", &auth, "").await;
    assert_eq!(
        body,
        json!({"loggedIn": true, "username": "admin", "iss": "argocd"})
    );
    // Unknown app: 403 without project, 404 with it; error bodies {error, code, message}.
    let (status, _, body) = raw(&standin, "GET", "/api/v1/applications/ghost", &auth, "").await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"error": "permission denied", "code": 7, "message": "permission denied"})
        )
    );
    let (status, _, _) = raw(
        &standin,
        "GET",
        "/api/v1/applications/ghost?project=default",
        &auth,
        "",
    )
    .await;
    assert_eq!(status, 404);
    // Unauthenticated API calls get Argo CD's 401 texts.
    let (status, _, body) = raw(&standin, "GET", "/api/v1/applications", &[], "").await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("no session information"))
    );
    // fields trims the list; items is null when nothing matches.
    let (_, _, body) = raw(
        &standin,
        "GET",
        "/api/v1/applications?fields=items.metadata.name,items.status.history&projects=payments",
        &auth,
        "",
    )
    .await;
    let first = &body["items"][0];
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["metadata"]
    );
    assert!(body["metadata"].is_object());
    let (_, _, body) = raw(
        &standin,
        "GET",
        "/api/v1/applications?fields=items.metadata.name&projects=nobody",
        &auth,
        "",
    )
    .await;
    assert_eq!(body["items"], Value::Null);
    let (_, _, body) = raw(
        &standin,
        "GET",
        "/api/v1/applications?projects=nobody",
        &auth,
        "",
    )
    .await;
    assert_eq!(body["items"], json!([]));
    let (status, _, _) = raw(
        &standin,
        "GET",
        "/api/v1/applications?selector=team%20in%20x",
        &auth,
        "",
    )
    .await;
    assert_eq!(status, 500, "selector parse errors are 500");
    // Rollback ids must be numbers.
    let json_auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, _, body) = raw(
        &standin,
        "POST",
        "/api/v1/applications/guestbook/rollback",
        &json_auth,
        r#"{"id":"1"}"#,
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(3)));
    // Operations take time, and block others meanwhile.
    let (status, _, body) = raw(
        &standin,
        "POST",
        "/api/v1/applications/guestbook/sync",
        &json_auth,
        "{}",
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["operation"].is_object() && body["status"].get("operationState").is_none());
    let (status, _, body) = raw(
        &standin,
        "POST",
        "/api/v1/applications/guestbook/sync",
        &json_auth,
        "{}",
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("another operation is already in progress"))
    );
    let (_, _, app) = raw(&standin, "GET", "/api/v1/applications/guestbook", &auth, "").await;
    assert_eq!(app["status"]["operationState"]["phase"], "Running");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (_, _, app) = raw(&standin, "GET", "/api/v1/applications/guestbook", &auth, "").await;
    assert_eq!(app["status"]["operationState"]["phase"], "Succeeded");
    assert!(app.get("operation").is_none());
    assert_eq!(app["status"]["history"].as_array().unwrap().len(), 5);
    // Unknown API paths are plain-text 404s.
    let (status, text, _) = raw(&standin, "GET", "/api/v1/nothing", &auth, "").await;
    assert_eq!((status, text.as_str()), (404, "Not Found\n"));
}

#[tokio::test]
async fn lockout_after_five_failures() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    for _ in 0..5 {
        let (status, _, _) = raw(
            &standin,
            "POST",
            "/api/v1/session",
            &[("content-type", "application/json")],
            r#"{"username":"admin","password":"nope"}"#,
        )
        .await;
        assert_eq!(status, 401);
    }
    let (status, _, body) = raw(
        &standin,
        "POST",
        "/api/v1/session",
        &[("content-type", "application/json")],
        r#"{"username":"admin","password":"password"}"#,
    )
    .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("Invalid username or password"))
    );
}

#[tokio::test]
async fn history_is_capped_at_ten() {
    let standin = StandIn::start(Config {
        operation_time: Duration::ZERO,
        ..Config::default()
    })
    .await
    .unwrap();
    let token = token(&standin).await;
    let bearer = format!("Bearer {token}");
    let json_auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    for _ in 0..8 {
        raw(
            &standin,
            "POST",
            "/api/v1/applications/guestbook/sync",
            &json_auth,
            "{}",
        )
        .await;
        raw(
            &standin,
            "GET",
            "/api/v1/applications/guestbook",
            &json_auth[..1],
            "",
        )
        .await;
    }
    let app = standin.app("guestbook").unwrap();
    let ids: Vec<i64> = app["status"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (2..12).collect::<Vec<_>>());
}

/// The stand-in's identity provider, as a client meets it over HTTP: registration, the code flow
/// with PKCE (a wrong verifier or a reused code is refused), refresh tokens (rotated: the old one
/// stops working), and token exchange (only for its own confidential client, only for tokens
/// issued for that client, only to audiences it may ask for).
#[tokio::test]
async fn the_identity_provider_signs_in_refreshes_and_exchanges_like_a_real_one() {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use host_test::standin::idp::{ARGOCD_CLIENT, Client};
    use sha2::Digest;
    let standin = StandIn::start(Config::default()).await.unwrap();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let (status, _, discovery) = raw(
        &standin,
        "GET",
        "/api/dex/.well-known/openid-configuration",
        &[],
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(discovery["issuer"], standin.issuer());

    let redirect = "http://127.0.0.1:1/cb";
    let (status, _, registered) = raw(
        &standin,
        "POST",
        "/api/dex/register",
        &[("content-type", "application/json")],
        &json!({"redirect_uris": [redirect]}).to_string(),
    )
    .await;
    assert_eq!(status, 201);
    let client_id = registered["client_id"].as_str().unwrap().to_owned();

    let verifier = "a-verifier-of-enough-length-0123456789-abcdefghijkl";
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let resource = "https://mcp.example.com/mcp";
    let login = format!(
        "client_id={client_id}&redirect_uri={}&response_type=code&code_challenge={challenge}&code_challenge_method=S256&state=s1&scope=openid+groups&resource={}&username=alice&password=alice-password",
        redirect.replace(':', "%3A").replace('/', "%2F"),
        resource.replace(':', "%3A").replace('/', "%2F"),
    );
    let code = || async {
        let (status, body, _) = raw(&standin, "POST", "/api/dex/auth", &form, &login).await;
        assert_eq!(status, 302, "{body}");
        // (The redirect's Location carries it to a client; the SDK test follows that path.)
        standin.state().idp.issued_codes().pop().unwrap()
    };
    let exchange_code = |code: String, verifier: &str| {
        format!(
            "grant_type=authorization_code&code={code}&client_id={client_id}&redirect_uri={}&code_verifier={verifier}",
            redirect.replace(':', "%3A").replace('/', "%2F")
        )
    };
    let first = code().await;
    let (status, _, refused) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &form,
        &exchange_code(first, "wrong-verifier"),
    )
    .await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let second = code().await;
    let (status, _, tokens) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &form,
        &exchange_code(second.clone(), verifier),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let (status, _, _) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &form,
        &exchange_code(second, verifier),
    )
    .await;
    assert_eq!(status, 400, "a code is used once");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let claims = standin.state().idp.verify(&access, Some(resource)).unwrap();
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["groups"], json!(["payments-deployers"]));

    let refresh = |token: &str| {
        format!("grant_type=refresh_token&refresh_token={token}&client_id={client_id}")
    };
    let old_refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let (status, _, renewed) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &form,
        &refresh(&old_refresh),
    )
    .await;
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["access_token"], tokens["access_token"]);
    let (status, _, _) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &form,
        &refresh(&old_refresh),
    )
    .await;
    assert_eq!(status, 400, "refresh tokens rotate");

    // Exchange: the server's confidential client, for tokens issued for it (its resource).
    standin.state().idp.add_client(Client {
        id: "argocd-mcp".into(),
        secret: Some("s3cret".into()),
        redirect_uris: Vec::new(),
        audiences: vec![resource.into()],
        may_exchange_for: vec![ARGOCD_CLIENT.into()],
    });
    let exchange = |token: &str, audience: &str| {
        format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token={token}&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&audience={audience}"
        )
    };
    let basic = |secret: &str| format!("Basic {}", STANDARD.encode(format!("argocd-mcp:{secret}")));
    let good = basic("s3cret");
    let wrong = basic("nope");
    let cases = [
        (good.as_str(), access.as_str(), ARGOCD_CLIENT, 200),
        (wrong.as_str(), access.as_str(), ARGOCD_CLIENT, 401),
        (good.as_str(), access.as_str(), "kubernetes", 403),
    ];
    for (auth, token, audience, expected) in cases {
        let headers = [form[0], ("authorization", auth)];
        let (status, body, _) = raw(
            &standin,
            "POST",
            "/api/dex/token",
            &headers,
            &exchange(token, audience),
        )
        .await;
        assert_eq!(status, expected, "{audience}: {body}");
    }
    // A token issued for another client (the argo-cd audience) is not this client's to exchange.
    let for_argocd = {
        let mut state = standin.state();
        let claims = state
            .idp
            .claims_for("alice", &[ARGOCD_CLIENT], 600, "openid");
        state.idp.sign(&claims)
    };
    let headers = [form[0], ("authorization", good.as_str())];
    let (status, _, _) = raw(
        &standin,
        "POST",
        "/api/dex/token",
        &headers,
        &exchange(&for_argocd, ARGOCD_CLIENT),
    )
    .await;
    assert_eq!(status, 403);
}

//! The plugin and Argo CD's lockout (5 failed logins lock an account for 5 minutes, for everyone
//! using it): a plugin call sends at most one login request, whatever the core would retry.

use host_test::embed::HostEnv;
use host_test::standin::{Config, Fault, FaultRule, StandIn};

use crate::harness;

fn password_env(standin: &StandIn, password: &str) -> HostEnv {
    HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_USERNAME".into(), "admin".into()),
            ("ARGOCD_PASSWORD".into(), password.into()),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    }
}

fn logins(standin: &StandIn) -> usize {
    standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/session")
        .count()
}

/// A session refused in the middle of a call (here the second request of
/// get_argocd_server_info): the core would log in again; the plugin does not send it.
#[tokio::test]
async fn a_plugin_call_logs_in_at_most_once() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = password_env(&standin, "password");
    standin.inject(
        FaultRule::new(Some("GET"), "/api/v1/session/userinfo", Fault::Unauthorized).times(1),
    );
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let answer = p.call_get_argocd_server_info(&mut s, None).await.unwrap();
    assert_eq!(logins(&standin), 1, "one login per call: {answer:?}");
    // The next call is a new instance: it may log in again, once.
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    p.call_get_argocd_server_info(&mut s, None)
        .await
        .unwrap()
        .expect("a clean call works");
    assert_eq!(logins(&standin), 2);
}

/// A login a proxy answered with its gateway timeout (Argo CD may still have counted it) is not
/// tried again in the call, by any of the call's requests; a refused one says what to fix.
#[tokio::test]
async fn a_login_without_answer_is_not_retried_in_the_call() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = password_env(&standin, "password");
    standin.inject(FaultRule::new(Some("POST"), "/api/v1/session", Fault::ProxyPage(504)).times(1));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    // A wait polls again and again; each poll needs a token.
    let error = p
        .call_wait_for_argocd_operation(&mut s, "guestbook", Some(2), None, None)
        .await
        .unwrap()
        .unwrap_err();
    assert!(error.contains("504"), "{error}");
    assert_eq!(logins(&standin), 1);

    let standin = StandIn::start(Config::default()).await.unwrap();
    let (p, mut s) = harness()
        .plugin(&password_env(&standin, "wrong"))
        .await
        .unwrap();
    let refused = p
        .call_get_argocd_server_info(&mut s, None)
        .await
        .unwrap()
        .unwrap_err();
    assert!(refused.contains("ARGOCD_TOKEN"), "{refused}");
    assert_eq!(logins(&standin), 1);
}

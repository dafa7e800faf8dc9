//! Answers keep what the reader needs when they must cut: a log line too long for the budget
//! is shortened, not dropped with everything before it; the events that matter most (the
//! scheduler's, which carry only `eventTime`, and warnings) come first and survive the cut.
//! Through both components.

use host_test::embed::HostEnv;
use host_test::standin::fleet::Blueprint;
use host_test::standin::tree::{pods, stack_trace};
use host_test::standin::{Config, StandIn};
use serde_json::{Value, json};

use crate::{World, harness};

fn crashing_app() -> Blueprint {
    let mut app = Blueprint::new("crashing-app");
    app.crash_trace = true;
    app
}

fn check_logs_keep_the_cut_trace(logs: &Value, pod: &str) {
    let lines = logs["lines"].as_array().expect("lines");
    assert!(!lines.is_empty(), "the trace emptied the answer: {logs}");
    let newest = lines.last().unwrap().as_str().unwrap();
    assert!(
        newest.contains("java.lang.IllegalStateException: connection pool exhausted"),
        "{newest}"
    );
    let whole = stack_trace(pod).len();
    assert!(
        newest.contains("[line cut: ") && newest.len() < whole,
        "{newest}"
    );
    assert!(newest.len() <= 12 * 1024, "within the default budget");
    assert_eq!(logs["truncated"], true);
}

#[tokio::test]
async fn a_14_kb_stack_trace_as_newest_line_is_cut_not_lost_server() {
    let world = World::new().await;
    world.standin.add_app(crashing_app());
    let pod = pods(&crashing_app())[0].pod.clone();
    let logs = world
        .ok(
            "get_argocd_app_logs",
            json!({"app_name": "crashing-app", "pod_name": pod}),
        )
        .await;
    check_logs_keep_the_cut_trace(&logs, &pod);
}

async fn plugin_env(standin: &StandIn) -> HostEnv {
    HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), standin.api_token("admin", None)),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    }
}

#[tokio::test]
async fn a_14_kb_stack_trace_as_newest_line_is_cut_not_lost_plugin() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    standin.add_app(crashing_app());
    let pod = pods(&crashing_app())[0].pod.clone();
    let env = plugin_env(&standin).await;
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let answer = p
        .call_get_argocd_app_logs(
            &mut s,
            "crashing-app",
            Some(&pod),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .expect("logs answered");
    check_logs_keep_the_cut_trace(&serde_json::from_str(&answer).unwrap(), &pod);
}

/// guestbook's first pod: four controller events, one of them a warning, and the scheduler's
/// FailedScheduling (only `eventTime` and a `series`), the newest.
fn check_events_scheduler_first(events: &Value) {
    let reasons: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["FailedScheduling", "BackOff"], "{events}");
    let scheduling = &events["events"][0];
    assert_eq!(scheduling["type"], "Warning");
    assert_eq!(scheduling["count"], 4);
    assert!(
        scheduling["last_seen"]
            .as_str()
            .unwrap()
            .ends_with(".654321Z"),
        "the series' last observation: {scheduling}"
    );
    assert_eq!(events["total"], 5);
    assert_eq!(events["warnings"], 2);
}

#[tokio::test]
async fn the_schedulers_event_comes_first_and_warnings_survive_the_cut_server() {
    let world = World::new().await;
    let pod = pods(&Blueprint::new("guestbook"))[0].pod.clone();
    let events = world
        .ok(
            "get_argocd_app_events",
            json!({"app_name": "guestbook", "resource_kind": "Pod", "resource_name": pod, "limit": 2}),
        )
        .await;
    check_events_scheduler_first(&events);
}

#[tokio::test]
async fn the_schedulers_event_comes_first_and_warnings_survive_the_cut_plugin() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let pod = pods(&Blueprint::new("guestbook"))[0].pod.clone();
    let env = plugin_env(&standin).await;
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let answer = p
        .call_get_argocd_app_events(
            &mut s,
            "guestbook",
            Some("Pod"),
            Some(&pod),
            None,
            Some(2),
            None,
            None,
        )
        .await
        .unwrap()
        .expect("events answered");
    check_events_scheduler_first(&serde_json::from_str(&answer).unwrap());
}

//! Hostile answers up to the cap, in the shapes worst for memory (a long list of tiny values,
//! deep nesting, one long string): every tool of both components answers or fails with a clear
//! error within the plugin's policy of 64 MiB, and no instance runs out of memory.

use host_test::embed::HostEnv;
use host_test::standin::{Config, Fault, FaultRule, Shape, StandIn};
use serde_json::{Value, json};

use crate::{World, harness};

/// The plugin's policy (components/plugin/argocd_mcp_plugin.policy.yaml), for both components.
const MEMORY: usize = 64 << 20;
const SHAPES: [Shape; 3] = [Shape::TinyValues, Shape::DeepNesting, Shape::LongString];

/// Just under the default cap, so the whole answer is read (an answer over it is cut and
/// refused as too large, which costs nothing).
fn answer_bytes() -> usize {
    argocd_mcp::settings::DEFAULT_MAX_RESPONSE_BYTES - 4096
}

/// Every Argo CD request answered with `shape`.
fn shaped(standin: &StandIn, shape: Shape) {
    standin.clear_faults();
    standin.inject(FaultRule::new(
        None,
        "/api/",
        Fault::Shaped(shape, answer_bytes()),
    ));
}

/// Arguments a client would send from the tool's schema alone: its required ones, plausibly.
fn plausible_arguments(schema: &Value) -> Value {
    let mut arguments = serde_json::Map::new();
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        let property = &schema["properties"][name];
        let value = match property["type"].as_str() {
            Some("boolean") => json!(true),
            Some("integer") | Some("number") => json!(1),
            Some("array") => json!([]),
            Some("object") => json!({}),
            _ if name == "applicationset" => json!({}),
            _ => json!("guestbook"),
        };
        arguments.insert(name.to_owned(), value);
    }
    Value::Object(arguments)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_tool_survives_the_worst_shaped_answers_within_64_mib() {
    let mut world = World::with(Config::default(), &[("argocd_token", "a.b.c")]).await;
    world.env.memory_limit = Some(MEMORY);
    let listed = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}))
        .await
        .json()
        .unwrap();
    let tools = listed["result"]["tools"].as_array().unwrap().clone();
    assert!(tools.len() >= 33);
    for shape in SHAPES {
        shaped(&world.standin, shape);
        for tool in &tools {
            let name = tool["name"].as_str().unwrap();
            let arguments = plausible_arguments(&tool["inputSchema"]);
            eprintln!("server: {name} / {shape:?}");
            // World::call asserts a 200 with a result: a trapped instance has neither.
            let result = world.call(name, arguments).await;
            if result["isError"] == true {
                let said = result["content"][0]["text"].as_str().unwrap_or_default();
                assert!(
                    !said.is_empty() && said.len() < 2_000,
                    "{name} / {shape:?}: {said:.300}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_plugin_export_survives_the_worst_shaped_answers_within_its_policy() {
    let standin = StandIn::start(Config::default()).await.unwrap();
    let env = HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), "a.b.c".into()),
        ],
        redirect: Some(standin.addr),
        memory_limit: Some(MEMORY),
        ..HostEnv::default()
    };
    let exports = harness().plugin_exports();
    assert!(exports.len() >= 33, "{exports:?}");
    for shape in SHAPES {
        shaped(&standin, shape);
        for export in &exports {
            let answer = harness()
                .call_plugin_export(&env, export, "guestbook")
                .await
                .unwrap_or_else(|trap| panic!("{export} / {shape:?} trapped: {trap:#}"));
            if let Err(said) = answer {
                assert!(
                    !said.is_empty() && said.len() < 2_000,
                    "{export} / {shape:?}: {said:.300}"
                );
            }
        }
    }
}

//! Seventeenth hostile review (issue 19) — scratch.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{approval_world, asked_text};

/// Every marker of `markers` found in `text`, named by `what`.
fn found_in(what: &str, text: &str, markers: &[&str]) -> Vec<String> {
    markers
        .iter()
        .filter(|m| text.contains(*m))
        .map(|m| format!("{what}: {m} in {text}"))
        .collect()
}

fn refused(text: &str) -> bool {
    !text.contains("Approve?")
}

async fn patch_question(world: &World, patch: Value) -> String {
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    asked_text(world, &call).await
}

/// Guestbook's source becomes a Helm chart with these `valuesObject` (and kustomize-free).
fn plant_values_object(world: &World, values: Value) {
    let mut state = world.standin.state();
    let app = &mut state.apps.get_mut("guestbook").unwrap().app;
    app["spec"]["source"]["helm"] = json!({"valuesObject": values});
}

/// FINDING M1 (credential leak, high): the question of a patch that changes only what tells the
/// masking a value is a credential (a Secret's `kind` in Helm `valuesObject`, the `name` of a
/// name/value entry, the `type` of a Keycloak credential, the `.name` key of a `--set` pair)
/// shows the credential Argo CD already holds, unmasked: `***` → the value. The check that
/// refuses hidden changes only looks at fields the patch changes raw; the statement lists the
/// fields the MASKED sides change, and the masked value "changes" from `***` to itself.
#[tokio::test]
#[ignore = "issue 19: a patch flipping the masking's context shows an existing credential in the approval question"]
async fn review17_finding_m1_patch_unmasking_context_leaks_existing_credential() {
    let cases = [
        (
            "extraObjects Secret kind → ConfigMap",
            json!({"extraObjects": [{"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "db"}, "stringData": {"conn": "R17m01x-db"}}],
                "extra": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db2"},
                "data": {"conn": "R17m01y-db"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"extra": {"kind": "ConfigMap"}}}}}}),
            "R17m01y",
        ),
        (
            "name/value map: name changed",
            json!({"db": {"name": "DB_PASSWORD", "value": "R17m02x-pw"}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"db": {"name": "GREETING"}}}}}}),
            "R17m02x",
        ),
        (
            "--set pair as two keys: name changed",
            json!({"env[0].name": "DB_PASSWORD", "env[0].value": "R17m03x-pw"}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"env[0].name": "GREETING"}}}}}),
            "R17m03x",
        ),
        (
            "Keycloak credential: type changed",
            json!({"realm": {"credential": {"type": "password", "value": "R17m04x-pw"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"realm": {"credential": {"type": "otp"}}}}}}}),
            "R17m04x",
        ),
        (
            "name/value map: name removed",
            json!({"db": {"name": "DB_PASSWORD", "value": "R17m05x-pw"}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"db": {"name": null}}}}}}),
            "R17m05x",
        ),
    ];
    let mut failures = Vec::new();
    for (what, values, patch, marker) in cases {
        let world = approval_world().await;
        plant_values_object(&world, values);
        let text = patch_question(&world, patch).await;
        failures.extend(found_in(what, &text, &[marker]));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// FINDING P1 (question misstates, medium): a patch turning on `helm.passCredentials` (Helm
/// then sends the repository's credentials to every domain a chart names) is asked with the
/// change shown as `***`: the field's name reads like a credential's to the scrubbing of the
/// statement's line, while the value `true` alone does not, so the check for hidden changes
/// lets it through and the line the person reads loses what it changes to.
#[tokio::test]
#[ignore = "issue 19: passCredentials false → true is asked as ***"]
async fn review17_finding_p1_pass_credentials_change_asked_hidden() {
    let mut failures = Vec::new();
    for (patch, field) in [
        (
            json!({"spec": {"source": {"helm": {"passCredentials": true}}}}),
            "passCredentials",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"auth": {"enabled": false}}}}}}),
            "auth.enabled",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"redis": {"auth": {"enabled": false}}}}}}}),
            "redis.auth.enabled",
        ),
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"password": {"required": false}}}}}}),
            "password.required",
        ),
    ] {
        let world = approval_world().await;
        plant_values_object(
            &world,
            json!({"replicas": 1, "auth": {"enabled": true}, "redis": {"auth": {"enabled": true}},
                   "password": {"required": true}}),
        );
        let text = patch_question(&world, patch.clone()).await;
        let message = question_in_text(&text);
        if refused(&text) {
            continue;
        }
        let line = message
            .lines()
            .find(|l| l.contains(field))
            .unwrap_or("")
            .to_owned();
        if !line.contains("→") {
            failures.push(format!("{patch}: asked as {line:?} in {message}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn question_in_text(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|answer| crate::planting::question_in(&answer))
        .unwrap_or_else(|_| text.to_owned())
}

//! Forty-third hostile review (issue 19), fresh context, time box 35 minutes: today's changes
//! (rollback approvals, the settings' secrets against the caller's guesses, names of several
//! keys) through both built components (the server through wasmtime as shipped, the plugin's
//! typed exports). No product code and no stand-in route changed.
//!
//! Findings (each `review43_finding_*` asserts the secure behaviour, was seen failing on every
//! component named, and is ignored until fixed):
//!
//! - O2 (medium, guess oracle, both; `src/tools/arguments.rs` `ResourceSelector::subject`, and
//!   Argo CD's own NotFound text) an error names a resource `{kind} {resource_name} of
//!   application '…'`; Argo CD's answer (api-notes; the stand-in's `routes/resources.rs`) says
//!   `{kind} {group} {name} not found as part of application …`. `kind` is free text,
//!   `resource_name` a Kubernetes name (and own secrets are matched in any ASCII case, so a
//!   lower-case name matches `Rk25`). Sent apart, joined by a space, they spell a passphrase
//!   neither argument holds: `OwnSecrets::unknown_to` counts it unknown and masks it, so a right
//!   guess reads `*** not found as part of application guestbook … request for *** of
//!   application 'guestbook'` and a wrong one reads the guess. Repro
//!   (`review43_finding_o2_subject_space_join_oracle`): `ARGOCD_EXTRA_HEADERS`
//!   `{"X-Proxy-Token":"Pr0xy-T0ken r43tail"}`; get_argocd_resource `{app_name: guestbook,
//!   kind: "Pr0xy-T0ken", resource_name: "r43tail"}` vs `resource_name: "r43taix"`; the same
//!   through the plugin's `call_get_argocd_resource`. The Argo CD password ("correct horse
//!   battery staple": kind "correct horse battery", name "staple") is the likelier target, with
//!   no Argo CD lockout behind the guesses. Fix: count as sent what is built from the caller's
//!   texts: simplest, a secret is the caller's own when every one of its words (split at
//!   non-alphanumerics, compared in ASCII case) is in what it sent — that closes every join at
//!   once (`/`, `.`, space: O1, O2, O3 and any later one); or refuse a `kind` that is not a
//!   Kubernetes kind (`[A-Za-z][A-Za-z0-9]*`) and a `group` that is not a DNS name, and name the
//!   resource in errors as JSON fields apart (`kind "…", name "…"`) — Argo CD's own message still
//!   joins kind and name with spaces, so that route alone leaves a one-space secret.
//! - O3 (medium, guess oracle, both; `src/tools/platform.rs` `CanIQuery`) can_i_argocd answers
//!   `question: "{resource} {action} {object}"`, three arguments joined by spaces; `action` a
//!   lower-case word, `object` an RBAC object. A secret `word object` or `word word object`
//!   (`get Pr0xy-T0ken-r43`; matched in any case, so `Correct Horse batteryStaple9`) is masked
//!   only when guessed right: right `"question":"applications ***"`, wrong `"question":
//!   "applications get Pr0xy-T0ken-r4x"`. Repro (`review43_finding_o3_can_i_question_space_join_oracle`):
//!   extra header `{"X-Proxy-Token":"get Pr0xy-T0ken-r43"}`; can_i_argocd `{resource:
//!   applications, action: get, object: Pr0xy-T0ken-r43}` vs `…-r4x`, server and plugin. Fix:
//!   drop `question` (the caller knows what it asked) or answer `resource`, `action`, `object`
//!   as fields apart; or the general fix under O2.
//! - O1 (low, guess oracle, server; `src/tools/statement.rs` `child`) review40 S2's fix joins a
//!   key with `.` when `patch_spelling::is_application_field(key)` — a field name of *any*
//!   Application type, wherever the key stands — so user keys under `valuesObject` named
//!   `server`, `namespace`, `name`, `path`, `values`… are still dot-joined:
//!   `spec.source.helm.valuesObject.server.namespace`. Repro
//!   (`review43_finding_o1_field_named_user_keys_oracle`): extra header value
//!   `server.namespace`; patch_argocd_app under approvals with `valuesObject: {server:
//!   {namespace: x}}` asks `…valuesObject.***: (absent) → "x"`; with `{server: {name: x}}` it asks
//!   `…valuesObject.server.name`. Only secrets made of Application field names and dots, hence
//!   low. Fix: judge a key a field by the type of its parent (walk `APPLICATION_FIELDS` from
//!   `Application` as `field_misspelled` does; under a map the user writes, every key is
//!   `["key"]`), or the general fix under O2.
//! - N1 (medium, names, both; `src/tools/masking.rs` `names_credential_parts`, `words`) a digit
//!   glued to a credential's word: `words` keeps `KEY2` one word, which is neither `key` nor
//!   `<kind>key`, so `API_KEY2`, `SSH_KEY1`, `ENCRYPTION_KEY2`, Azure Storage's
//!   `AZURE_STORAGE_KEY1` (the portal's own names are `key1`/`key2`), `GITHUB_PAT2`, `DB_PASS2`
//!   are shown whole as ConfigMap keys, and `API_KEY2=…`, `AZURE_STORAGE_KEY1=…` in text
//!   (conditions). `ENCRYPTION_KEY_1`, `apiKey2` (INSIDE's `apikey`) and `PASSWORD2` are hidden.
//!   Repro: `review43_finding_n1_digit_glued_key_names` (get_argocd_resource of a ConfigMap),
//!   `review43_finding_n1_n2_names_in_text` (get_argocd_app_status conditions). Fix: in the
//!   word rules read a word with its trailing digits dropped (`key2` as `key`, `pat2` as `pat`,
//!   `pass2` as `pass`), or split `words` between a letter and a digit.
//! - N2 (low, names in text, both; `src/tools/scrub/assignments.rs` `indexed_name`) a list item
//!   by two positions is named by nothing: `--set encryptionKeys[0][1]=…` and `apiKeys[][]=…`
//!   are shown (the name before the last `[` is `]`). Fix: skip back over every `[…]` of
//!   digits (or empty) to the name before the first.
//!
//! Held (tested here): a rollback to an entry recorded with `sources` while the app has one
//! `source` states the shape change and the entry's Helm parameters and `ref` source
//! (`review43_held_rollback_to_multi_source_entry_states_the_sources`); a rollback whose
//! difference exceeds 40 lines / 4000 characters is refused (71 lines, 5350 characters), not
//! cut, and nothing reaches Argo CD; an entry whose `repoURL` carries userinfo is refused
//! ("this rollback changes spec.source.repoURL…"), the credential not quoted; an entry changed
//! after the question makes the yes ask again about the entry as it is now (no rollback sent);
//! the brief's name variants (`api_keys_list`, `apiKeyList`, `ENCRYPTION_KEY_1`,
//! `encryptionKeys.0`, `serviceKeysList`, YAML lists under `apiKeys`, `encryptionKeys`,
//! `API_KEYS`) as ConfigMap data, and in text `--set apiKey2=`, `--set encryptionKeys.0=`,
//! `tokens.0=`, `{"API_KEYS":[…]}`, `ENCRYPTION_KEY_1=`. Held by reading: `history_id` is a
//! strict integer (`argument_fit` refuses `"3"` and `3.0`), so the question's entry lookup and
//! the rollback body name the same entry; an entry with `source: null`/`sources: []` is deployed
//! by Argo CD as nothing (FailedPrecondition), as the question says; `json_escape`'s `\u{…}`
//! (1–6 digits, `}` required); the feed's `Scrubbing` now takes the request's `CleanedOf`;
//! user mode's JWT rejections name no header or claim text (`jwt.rs` `Rejection`).
//!
//! Not reached (time box): the other joins of caller text `{kind}/{resource_name}` in
//! list_argocd_resource_actions, run_argocd_resource_action and delete_argocd_resource answers
//! (they need the resource to exist, so likely only with O2's shape), the approval failure
//! path's `resource.subject(app)` (O2's join under approvals, same fix); the live feed with a
//! guess; user mode's token-exchange `error_description` (`delegation.rs`, `OwnSecrets::of`:
//! all secrets, which quotes whatever the provider echoes of the subject token) and Cookie;
//! sourceHydrator apps' rollbacks; `to_lowercase`/truncation re-spellings past ASCII.

use serde_json::{Value, json};

use crate::World;
use crate::planting::{
    LiveShape, approval_world, asked, asked_text, assert_none, config_map, leaks_in_live,
    leaks_in_named_conditions, question_in,
};

fn rollback_call(id: i64) -> Value {
    json!({"name": "rollback_argocd_app", "arguments": {
        "app_name": "guestbook", "history_id": id, "confirm": true}})
}

fn rollback_sent(world: &World) -> bool {
    world
        .standin
        .requests()
        .iter()
        .any(|r| r.method == "POST" && r.path.ends_with("/rollback"))
}

/// HELD: an entry recorded with `sources` (multi-source) while the app has one `source` now:
/// Argo CD's Rollback syncs `deploymentInfo.Sources` (api-notes §g); the question states the
/// shape change and the entry's sources' Helm parameters.
#[tokio::test]
async fn review43_held_rollback_to_multi_source_entry_states_the_sources() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        let mut first = app["spec"]["source"].clone();
        first["helm"] = json!({"parameters": [{"name": "image.repository", "value": "registry.r43.example/other"}]});
        let second = json!({"repoURL": "https://git.r43.example/values.git", "targetRevision": "main", "ref": "values"});
        let entry = &mut app["status"]["history"][0];
        entry.as_object_mut().unwrap().remove("source");
        entry["sources"] = json!([first, second]);
        entry["revisions"] = json!(["abc123", "def456"]);
        entry["id"].as_i64().expect("an id")
    };
    let answer = asked(&world, &rollback_call(id)).await;
    let question = question_in(&answer);
    eprintln!("r43 multi-source entry:\n{question}\n{answer}");
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert!(question.contains("It deploys history entry"), "{question}");
    assert!(
        question.contains("registry.r43.example/other")
            && question.contains("git.r43.example/values.git")
            && question.contains("spec.sources"),
        "{question}"
    );
    assert!(!rollback_sent(&world));
}

/// HELD: an entry whose sources differ in more than a question holds (60 Helm parameters) is
/// refused, not cut.
#[tokio::test]
async fn review43_held_rollback_too_large_is_refused_not_cut() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        let mut entry_source = app["spec"]["source"].clone();
        let params: Vec<Value> = (0..60)
            .map(|i| json!({"name": format!("p{i}"), "value": format!("v{i}")}))
            .collect();
        entry_source["helm"] = json!({ "parameters": params });
        app["status"]["history"][0]["source"] = entry_source;
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let answer = asked(&world, &rollback_call(id)).await;
    let text = answer.to_string();
    eprintln!("r43 too large: {text}");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(text.contains("too large"), "{text}");
    assert!(!rollback_sent(&world));
}

/// HELD: an entry whose recorded source carries a repository URL with credentials in it
/// (userinfo) while the app's has none: refused, the credential not quoted.
#[tokio::test]
async fn review43_held_rollback_to_credentialed_repo_url_is_refused() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        let mut entry_source = app["spec"]["source"].clone();
        entry_source["repoURL"] = json!("https://bot:S33D-r43-userinfo@git.r43.example/app.git");
        app["status"]["history"][0]["source"] = entry_source;
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let answer = asked(&world, &rollback_call(id)).await;
    let text = answer.to_string();
    eprintln!("r43 userinfo: {text}");
    assert!(!text.contains("S33D-r43-userinfo"), "{text}");
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(!rollback_sent(&world));
}

/// FINDING N1 (medium, names, both components): a digit glued to a credential's word
/// (`API_KEY2`, `SSH_KEY1`, Azure Storage's `AZURE_STORAGE_KEY1`, `GITHUB_PAT2`, `DB_PASS2`)
/// makes the word no credential's: `words` keeps `KEY2` one word, which is not `key`, and no
/// rule strips the number. Shown whole as ConfigMap keys.
#[tokio::test]
async fn review43_fixed_n1_digit_glued_key_names() {
    let shapes: Vec<LiveShape> = vec![(
        "digit-glued key names as ConfigMap keys",
        config_map(
            "r43-n1",
            json!({"API_KEY2": "S33D-r43-n1a", "SSH_KEY1": "S33D-r43-n1b",
                   "ENCRYPTION_KEY2": "S33D-r43-n1c", "AZURE_STORAGE_KEY1": "S33D-r43-n1d",
                   "GITHUB_PAT2": "S33D-r43-n1e", "DB_PASS2": "S33D-r43-n1f"}),
        ),
        &[
            "S33D-r43-n1a",
            "S33D-r43-n1b",
            "S33D-r43-n1c",
            "S33D-r43-n1d",
            "S33D-r43-n1e",
            "S33D-r43-n1f",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// FINDING N1 in text (conditions), and N2 (low, both): a list item by two positions
/// (`--set encryptionKeys[0][1]=…`, `apiKeys[][]=…`) is named by nothing: `indexed_name`
/// takes the name before the last `[`, which is `]`.
#[tokio::test]
async fn review43_fixed_n1_n2_names_in_text() {
    let shapes = [
        (
            "env digit",
            "exec: API_KEY2=S33D-r43-t1 ./run",
            "S33D-r43-t1",
        ),
        (
            "azure key1",
            "exec: AZURE_STORAGE_KEY1=S33D-r43-t8 ./run",
            "S33D-r43-t8",
        ),
        (
            "nested index",
            "helm template --set encryptionKeys[0][1]=S33D-r43-t3",
            "S33D-r43-t3",
        ),
        ("list list", "apiKeys[][]=S33D-r43-t9", "S33D-r43-t9"),
    ];
    assert_none(leaks_in_named_conditions(&shapes).await);
}

/// HELD: the brief's variants of review42's names (`api_keys_list`, `apiKeyList`,
/// `ENCRYPTION_KEY_1`, `encryptionKeys.0`, YAML lists under plural names) as ConfigMap data.
#[tokio::test]
async fn review43_held_name_variants() {
    let shapes: Vec<LiveShape> = vec![(
        "brief variants",
        config_map(
            "r43-n2",
            json!({"api_keys_list": "S33D-r43-n2a", "apiKeyList": "S33D-r43-n2b",
                   "ENCRYPTION_KEY_1": "S33D-r43-n2c", "encryptionKeys.0": "S33D-r43-n2d",
                   "serviceKeysList": "S33D-r43-n2e", "apiKeys": "- S33D-r43-n2f\n- S33D-r43-n2g\n",
                   "values.yaml": "encryptionKeys:\n- S33D-r43-n2h\nAPI_KEYS:\n  - S33D-r43-n2i\n"}),
        ),
        &[
            "S33D-r43-n2a",
            "S33D-r43-n2b",
            "S33D-r43-n2c",
            "S33D-r43-n2d",
            "S33D-r43-n2e",
            "S33D-r43-n2f",
            "S33D-r43-n2g",
            "S33D-r43-n2h",
            "S33D-r43-n2i",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// HELD: the same in text (a condition message).
#[tokio::test]
async fn review43_held_names_in_text() {
    let shapes = [
        (
            "set digit",
            "helm template --set apiKey2=S33D-r43-t2",
            "S33D-r43-t2",
        ),
        (
            "dotted index",
            "helm template --set encryptionKeys.0=S33D-r43-t4",
            "S33D-r43-t4",
        ),
        ("tokens dot", "tokens.0=S33D-r43-t5", "S33D-r43-t5"),
        (
            "json list",
            "bad {\"API_KEYS\":[\"S33D-r43-t6\"]}",
            "S33D-r43-t6",
        ),
        (
            "env 1",
            "exec: ENCRYPTION_KEY_1=S33D-r43-t7 ./run",
            "S33D-r43-t7",
        ),
    ];
    assert_none(leaks_in_named_conditions(&shapes).await);
}

const FIELDS: &str = "server.namespace";
const FIELDS_WRONG: &str = "server.name";

/// FINDING O1 (low, server: approvals are the server's): approval paths still join with `.`
/// the user's keys that happen to be Application field names (`statement.rs` `child` judges a
/// key a field by its name alone, wherever it stands: `valuesObject.server.namespace`), so a
/// secret made of such names and dots is masked only when guessed right.
#[tokio::test]
async fn review43_fixed_o1_field_named_user_keys_oracle() {
    let probe = |secret: &'static str| async move {
        let headers = json!({"X-Proxy-Token": secret}).to_string();
        let world = World::with(
            host_test::standin::Config::default(),
            &[
                ("argocd_username", "admin"),
                ("argocd_password", crate::PASSWORD),
                ("extra_headers", headers.as_str()),
                ("require_approval", "true"),
            ],
        )
        .await;
        let ask = |g: &str| {
            let (a, b) = g.split_once('.').unwrap();
            json!({"name": "patch_argocd_app", "arguments": {
                "app_name": "guestbook", "confirm": true,
                "patch": {"spec": {"source": {"helm": {"valuesObject": {a: {b: "x"}}}}}}}})
        };
        (
            asked_text(&world, &ask(FIELDS)).await,
            asked_text(&world, &ask(FIELDS_WRONG)).await,
        )
    };
    let (right, wrong) = probe(FIELDS).await;
    assert!(
        right.contains("An agent asks to run"),
        "not reached: {right}"
    );
    let found = apart("approval path of field-named keys", &right, &wrong);
    assert!(found.is_none(), "{found:?}");
}

/// An extra proxy header value holding a space (a passphrase), whose last word is a
/// Kubernetes name (matched in any ASCII case).
const SPACED: &str = "Pr0xy-T0ken r43tail";
const SPACED_WRONG: &str = "Pr0xy-T0ken r43taix";

fn apart(label: &str, right: &str, wrong: &str) -> Option<String> {
    eprintln!("{label}:\n  right: {right}\n  wrong: {wrong}");
    (right.matches("***").count() != wrong.matches("***").count()).then(|| label.to_owned())
}

/// FINDING O2 (medium, both components): errors name a resource as `{kind} {resource_name} of
/// application '…'` (`arguments.rs` `ResourceSelector::subject`), and Argo CD's own NotFound
/// as `{kind} {group} {name} not found as part of application …`: `kind` is free text,
/// `resource_name` a Kubernetes name (matched in any ASCII case), sent apart; joined by a space
/// they spell a passphrase neither holds, masked only when guessed right.
#[tokio::test]
async fn review43_fixed_o2_subject_space_join_oracle() {
    let world = crate::planting::world_with_proxy_token(SPACED).await;
    let headers = json!({"X-Proxy-Token": SPACED}).to_string();
    let split = |g: &'static str| g.rsplit_once(' ').unwrap();
    let mut found = Vec::new();
    let server = |g: &'static str| {
        let (kind, name) = split(g);
        let world = &world;
        async move {
            world
                .call(
                    "get_argocd_resource",
                    json!({"app_name": "guestbook", "kind": kind, "resource_name": name}),
                )
                .await
                .to_string()
        }
    };
    let right = server(SPACED).await;
    let wrong = server(SPACED_WRONG).await;
    // Fixed: a kind holding punctuation is refused before Argo CD is asked, alike for both.
    assert!(
        right.contains("kind is not a Kubernetes kind"),
        "not reached: {right}"
    );
    found.extend(apart("server get_argocd_resource subject", &right, &wrong));
    let mut env = crate::planting::plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_EXTRA_HEADERS".into(), headers.clone()));
    let mut plugin = Vec::new();
    for g in [SPACED, SPACED_WRONG] {
        let (kind, name) = split(g);
        let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
        let answer = match p
            .call_get_argocd_resource(
                &mut s,
                "guestbook",
                kind,
                name,
                None,
                None,
                None,
                None,
                None,
                None,
            )
            .await
            .expect("plugin answers")
        {
            Ok(a) | Err(a) => a,
        };
        plugin.push(answer);
    }
    assert!(
        plugin[0].contains("kind is not a Kubernetes kind"),
        "not reached: {}",
        plugin[0]
    );
    found.extend(apart(
        "plugin get_argocd_resource subject",
        &plugin[0],
        &plugin[1],
    ));
    assert!(found.is_empty(), "{found:?}");
}

const ASKED: &str = "get Pr0xy-T0ken-r43";
const ASKED_WRONG: &str = "get Pr0xy-T0ken-r4x";

/// FINDING O3 (medium, both components): can_i_argocd answers `question: "{resource} {action}
/// {object}"` (`platform.rs` `CanIQuery`), three arguments sent apart joined by spaces: a
/// secret `word object` or `word word object` is masked only when guessed right.
#[tokio::test]
async fn review43_fixed_o3_can_i_question_space_join_oracle() {
    let world = crate::planting::world_with_proxy_token(ASKED).await;
    let headers = json!({"X-Proxy-Token": ASKED}).to_string();
    let mut found = Vec::new();
    let mut answers = Vec::new();
    for g in [ASKED, ASKED_WRONG] {
        let (action, object) = g.split_once(' ').unwrap();
        answers.push(
            world
                .call(
                    "can_i_argocd",
                    json!({"resource": "applications", "action": action, "object": object}),
                )
                .await
                .to_string(),
        );
    }
    assert!(
        answers[1].contains("\"question\""),
        "not reached: {}",
        answers[1]
    );
    found.extend(apart("server can_i question", &answers[0], &answers[1]));
    let mut env = crate::planting::plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_EXTRA_HEADERS".into(), headers.clone()));
    let mut plugin = Vec::new();
    for g in [ASKED, ASKED_WRONG] {
        let (action, object) = g.split_once(' ').unwrap();
        let (p, mut s) = crate::harness().plugin(&env).await.unwrap();
        let answer = match p
            .call_can_i_argocd(&mut s, "applications", action, object, None)
            .await
            .expect("plugin answers")
        {
            Ok(a) | Err(a) => a,
        };
        plugin.push(answer);
    }
    assert!(
        plugin[1].contains("\"question\""),
        "not reached: {}",
        plugin[1]
    );
    found.extend(apart("plugin can_i question", &plugin[0], &plugin[1]));
    assert!(found.is_empty(), "{found:?}");
}

/// HELD: the entry changed between the question and the yes (its Helm parameters now point
/// elsewhere, as a history rewritten under the same id would): the yes runs nothing.
#[tokio::test]
async fn review43_held_rollback_entry_changed_after_the_question() {
    let world = approval_world().await;
    let id = {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["syncPolicy"] = json!({});
        app["status"]["history"][0]["id"].as_i64().expect("an id")
    };
    let call = rollback_call(id);
    let answer = asked(&world, &call).await;
    let question = question_in(&answer);
    assert!(
        question.contains("It deploys history entry"),
        "not reached: {answer}"
    );
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        let mut entry_source = app["spec"]["source"].clone();
        entry_source["helm"] = json!({"parameters": [{"name": "image.repository", "value": "registry.r43.example/late"}]});
        app["status"]["history"][0]["source"] = entry_source;
    }
    let mut retry = call.clone();
    retry["requestState"] = answer["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let ran = asked(&world, &retry).await;
    eprintln!("r43 changed after question: {ran}");
    assert!(
        !rollback_sent(&world),
        "a rollback ran on a yes to another question: {ran}"
    );
    // Asked again, about the entry as it is now.
    assert!(
        question_in(&ran).contains("registry.r43.example/late"),
        "{ran}"
    );
}

/// O2 in Argo CD's own refusal, which joins a kind (a word) and a name with spaces: a
/// passphrase of a word and a name (`Correctkind horse-r43x`) sent as the two was hidden there
/// only when guessed right. Fixed: that refusal is named as this server names the resource.
#[tokio::test]
async fn review43_fixed_o2_argo_cds_own_join_of_kind_and_name() {
    const SECRET: &str = "Correctkind horse-r43x";
    let world = crate::planting::world_with_proxy_token(SECRET).await;
    let mut answers = Vec::new();
    for name in ["horse-r43x", "horse-r43y"] {
        let answer = world
            .call(
                "get_argocd_resource",
                json!({"app_name": "guestbook", "kind": "Correctkind", "resource_name": name}),
            )
            .await
            .to_string();
        answers.push(answer.replace(name, "NAME"));
    }
    assert!(
        answers[0].contains("is not one of the application's resources"),
        "{}",
        answers[0]
    );
    assert_eq!(answers[0], answers[1]);
}

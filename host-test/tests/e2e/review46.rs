//! Forty-sixth hostile review (issue 19), fresh context, time box 18 minutes: the joins of
//! caller parts quoted apart (`ResourceSelector::subject`, `check()`'s kind rule, can_i's
//! question, Argo CD's "not found as part of application" rewritten). Server through wasmtime
//! as shipped. No product code and no stand-in route changed.
//!
//! Findings (each `review46_finding_*` asserts the secure behaviour, was seen failing, and is
//! ignored until fixed):
//!
//! - P1 (medium, guess oracle; `src/tools/actions.rs` `RunResourceAction::run`) the POST's
//!   subject is still built by hand as `"{kind} {resource_name} of application '{app}'"`, not
//!   through `ResourceSelector::subject`, so the name is not quoted. Worse, the new
//!   `from_status` rewrite of Argo CD's "… not found as part of application …" puts exactly
//!   that subject in the answer: `Pr0xyT0ken r46tail of application 'guestbook' is not one of
//!   the application's resources`. `check()` only limits `kind` to letters and digits, which a
//!   passphrase's first word often is. Repro
//!   (`review46_finding_p1_run_action_subject_space_join_oracle`): `ARGOCD_EXTRA_HEADERS`
//!   `{"X-Proxy-Token":"Pr0xyT0ken r46tail"}`; run_argocd_resource_action `{app_name:
//!   guestbook, kind: Pr0xyT0ken, resource_name: r46tail, action: restart, confirm: true}` vs
//!   `resource_name: r46taix`: seen right `HTTP 400: *** of application 'guestbook' is not one
//!   of the application's resources … request for *** of application 'guestbook'`, wrong
//!   `Pr0xyT0ken r46taix of application …` twice. (The "request for" half predates the rewrite;
//!   the rewrite adds a second copy where Argo CD's own text had kind and name two spaces apart
//!   with an empty group.) Fix: pass `target.resource().subject(&target.app_name)`.
//! - P2 (medium, guess oracle, and a way around the kind check; `src/tools/resources.rs`
//!   `GetAppEvents::run`) get_argocd_app_events takes `resource_kind` and `resource_name` as
//!   free text (no `ResourceSelector::check`, no `check_name`) and refuses a resource missing
//!   from the tree with `"{kind} {name} is not part of application '…'"`: the O2 shape of
//!   review43 again, with punctuation in kind allowed. Repro
//!   (`review46_finding_p2_events_kind_name_space_join_oracle`): extra header
//!   `{"X-Proxy-Token":"Pr0xy-T0ken r46tail"}`; get_argocd_app_events `{app_name: guestbook,
//!   resource_kind: "Pr0xy-T0ken", resource_name: "r46tail"}` vs `"r46taix"`: seen right
//!   `*** is not part of application 'guestbook'`, wrong `Pr0xy-T0ken r46taix is not part …`.
//!   No Argo CD request is needed beyond the resource tree. Fix: check kind
//!   (same rule as `check()`) and name (`check_name`) and name it as `Kind 'name'`.
//!
//! Held (tested here): get_argocd_resource with an alphanumeric kind and a name spelling a
//! one-space secret: the subject `Kind 'name'` and the rewrite no longer spell it (right and
//! wrong alike, `review46_held_get_resource_subject_quoted`). By reading: resource URIs
//! (`feed/uris.rs`) are one caller text sent whole, not a join; logs check pod, resource and
//! container names; the rewrite's trigger phrase elsewhere (events route's "{resource} not
//! found as part of application") only replaces Argo CD's text with this server's subject,
//! hiding nothing useful and adding no join, except where the subject is itself a join (P1).
//!
//! Not reached (time box): `{kind}/{resource_name}` in list/run action and delete answers
//! (they need a resource of that kind and name to exist: only with a secret `Kind/name`,
//! low); project_guard's hook/delete refusals (`{} '{}'`, quoted); logs' `kind`/`group`
//! (free text, sent to Argo CD only, no echo seen in the stand-in); `group`/`version` in Argo
//! CD's other messages; the plugin component; URIs and completions.

use serde_json::json;

fn apart(label: &str, right: &str, wrong: &str) -> Option<String> {
    eprintln!("{label}:\n  right: {right}\n  wrong: {wrong}");
    (right.matches("***").count() != wrong.matches("***").count()).then(|| label.to_owned())
}

const ALNUM: &str = "Pr0xyT0ken r46tail";
const ALNUM_WRONG: &str = "Pr0xyT0ken r46taix";

/// FINDING P1: run_argocd_resource_action names the resource `{kind} {name}` unquoted, and the
/// new rewrite of Argo CD's NotFound puts that subject in the answer.
#[tokio::test]
async fn review46_fixed_p1_run_action_subject_space_join_oracle() {
    let world = crate::planting::world_with_proxy_token(ALNUM).await;
    let call = |g: &'static str| {
        let (kind, name) = g.rsplit_once(' ').unwrap();
        let world = &world;
        async move {
            world
                .call(
                    "run_argocd_resource_action",
                    json!({"app_name": "guestbook", "kind": kind, "resource_name": name,
                        "action": "restart", "confirm": true}),
                )
                .await
                .to_string()
        }
    };
    let right = call(ALNUM).await;
    let wrong = call(ALNUM_WRONG).await;
    assert!(wrong.contains("r46taix"), "not reached: {wrong}");
    let found = apart("run action subject", &right, &wrong);
    assert!(found.is_none(), "{found:?}");
}

const SPACED: &str = "Pr0xy-T0ken r46tail";
const SPACED_WRONG: &str = "Pr0xy-T0ken r46taix";

/// FINDING P2: get_argocd_app_events checks neither kind nor name and joins them with a space.
#[tokio::test]
async fn review46_fixed_p2_events_kind_name_space_join_oracle() {
    let world = crate::planting::world_with_proxy_token(SPACED).await;
    let call = |g: &'static str| {
        let (kind, name) = g.rsplit_once(' ').unwrap();
        let world = &world;
        async move {
            world
                .call(
                    "get_argocd_app_events",
                    json!({"app_name": "guestbook", "resource_kind": kind, "resource_name": name}),
                )
                .await
                .to_string()
        }
    };
    let right = call(SPACED).await;
    let wrong = call(SPACED_WRONG).await;
    // Fixed: a kind holding punctuation is refused alike for both, before anything is read.
    assert!(
        wrong.contains("kind is not a Kubernetes kind"),
        "not reached: {wrong}"
    );
    assert_eq!(right, wrong);
    let found = apart("events kind/name", &right, &wrong);
    assert!(found.is_none(), "{found:?}");
}

/// HELD: get_argocd_resource names the resource `Kind 'name'`, and Argo CD's NotFound is
/// rewritten to that: an alphanumeric kind and a name no longer spell a one-space secret.
#[tokio::test]
async fn review46_held_get_resource_subject_quoted() {
    let world = crate::planting::world_with_proxy_token(ALNUM).await;
    let call = |g: &'static str| {
        let (kind, name) = g.rsplit_once(' ').unwrap();
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
    let right = call(ALNUM).await;
    let wrong = call(ALNUM_WRONG).await;
    assert!(
        wrong.contains("Pr0xyT0ken 'r46taix'"),
        "not reached: {wrong}"
    );
    let found = apart("get_resource subject", &right, &wrong);
    assert!(found.is_none(), "{found:?}");
}

/// P2's fix with a kind of letters and digits: the events refusal names the resource `Kind
/// 'name'`, so kind and name never spell a one-space secret; right and wrong read alike.
#[tokio::test]
async fn review46_fixed_p2_events_alphanumeric_kind_is_named_apart() {
    let world = crate::planting::world_with_proxy_token("Pr0xyT0ken r46tail").await;
    let mut answers = Vec::new();
    for name in ["r46tail", "r46taix"] {
        let answer = world
            .call(
                "get_argocd_app_events",
                json!({"app_name": "guestbook", "resource_kind": "Pr0xyT0ken", "resource_name": name}),
            )
            .await
            .to_string();
        answers.push(answer.replace(name, "NAME"));
    }
    assert!(
        answers[0].contains("Pr0xyT0ken 'NAME' is not part of application"),
        "{}",
        answers[0]
    );
    assert_eq!(answers[0], answers[1]);
}

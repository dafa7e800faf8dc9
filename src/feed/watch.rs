//! Following Argo CD's watch (`GET /api/v1/stream/applications`, api-notes §d) for one
//! subscription: narrowed by Argo CD itself (`name`, `projects`) and trimmed by `fields`, so
//! events stay small. Each (re)connection first lists the apps it covers and compares them
//! with what was told: a change, a deletion or a new app during a dropped connection is told
//! once, after it. The watch is asked for as server-sent events, whose keepalives show a quiet
//! stream alive: one silent for `watch_stall` (three keepalives missed) is stalled and opened
//! again like a dropped one. A drop reconnects after a back-off; the client leaving (noticed within
//! [`CLIENT_CHECK`]) drops the upstream stream, which closes it.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use super::changes::{AppState, Seen, Tracker};
use super::uris::{AppRef, FLEET};
use crate::argocd::ArgoClient;
use crate::argocd::client::Query;
use crate::argocd::transport::EVENT_STREAM;
use crate::argocd::watch_stream::{MAX_EVENT_BYTES, PATH as WATCH_PATH, message};
use crate::events::{EventError, Events};
use crate::host::{Host, HttpError, header_value};
use crate::mcp::subscriptions::Listener;

/// How often, at most, a quiet stream looks whether the client is still there.
pub const CLIENT_CHECK: Duration = Duration::from_secs(1);
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MOST: Duration = Duration::from_secs(30);
/// A stream that stayed open this long was a working one: the back-off starts again from
/// [`BACKOFF_FIRST`]. One that drops sooner (accepted, then cut at once, over and over) keeps it
/// growing, so a broken watch costs Argo CD a list and an open every 30 s, not every second.
const STABLE_MS: u64 = 30 * 1000;

/// What the watch keeps of each app (the List allow-list and the stream's generic `fields`
/// name the same paths; `status.sync.revisions` is not on List's list, so a multi-source app's
/// revision is not watched).
const LIST_FIELDS: &str = "items.metadata.name,items.metadata.namespace,items.spec.project,items.status.sync.status,items.status.sync.revision,items.status.health,items.status.operationState.phase";
const WATCH_FIELDS: &str = "result.type,result.application.metadata.name,result.application.metadata.namespace,result.application.spec.project,result.application.status.sync.status,result.application.status.sync.revision,result.application.status.health,result.application.status.operationState.phase";

/// What one subscription follows.
#[derive(Debug, Clone, Default)]
pub struct Watched {
    /// Apps whose changes are told by their own URI.
    pub apps: BTreeSet<AppRef>,
    /// Every app counts (the fleet's URI, or apps added and deleted).
    pub fleet: bool,
    /// Only apps of these projects (ARGOCD_ALLOWED_PROJECTS), narrowed by Argo CD.
    pub projects: Option<Vec<String>>,
}

impl Watched {
    fn covers(&self, app: &AppRef, state: &AppState) -> bool {
        let allowed = self
            .projects
            .as_ref()
            .is_none_or(|projects| projects.contains(&state.project));
        allowed && (self.fleet || self.apps.contains(app))
    }

    /// The query both the list and the watch narrow by: one app by name when only one is
    /// followed, the allowed projects.
    fn query(&self, fields: &str) -> Query {
        let mut query = Query::new();
        if let (false, Some(only), 1) = (self.fleet, self.apps.first(), self.apps.len()) {
            query = query
                .add("name", &only.name)
                .add("appNamespace", &only.namespace);
        }
        for project in self.projects.iter().flatten() {
            query = query.add("projects", project);
        }
        query.add("fields", fields)
    }
}

/// Follows `watched` for `listener` until the client leaves or `until_ms` (wall clock) passes.
pub async fn follow<H: Host>(
    client: &ArgoClient<'_, H>,
    watched: &Watched,
    until_ms: u64,
    listener: &dyn Listener,
) {
    let host = client.host();
    // What the subscription's caller sent (an app it named) is told back as sent: masked, a
    // right guess of a secret would read otherwise than a wrong one.
    let listener = &Scrubbing {
        inner: listener,
        own: client.own_secrets(),
    };
    let over = || listener.is_closed() || host.now_unix_ms() >= until_ms;
    let mut told = Tracker::default();
    let mut first = true;
    let mut backoff = BACKOFF_FIRST;
    while !over() {
        if catch_up(client, watched, &mut told, first, listener).await {
            first = false;
            let path = format!("{WATCH_PATH}{}", watched.query(WATCH_FIELDS).as_str());
            if let Ok(stream) = client.open_accepting(&path, EVENT_STREAM).await
                && stream.status == 200
            {
                let opened_ms = host.now_unix_ms();
                // Asked for as server-sent events, the watch carries a keepalive every 15 s;
                // answered as NDJSON anyway (by something in between), it has none, and only
                // its end tells that it is gone.
                let keeps_alive = header_value(&stream.headers, "content-type")
                    .is_some_and(|t| t.trim_start().starts_with(EVENT_STREAM));
                let stall_ms =
                    u64::try_from(client.settings().watch_stall.as_millis()).unwrap_or(u64::MAX);
                let mut events = Events::new(stream.body, MAX_EVENT_BYTES, CLIENT_CHECK);
                let mut heard = (events.received(), host.now_unix_ms());
                while !over() {
                    let next = events.next().await;
                    // Any byte at all, a keepalive or part of an event, shows the stream alive.
                    if events.received() != heard.0 {
                        heard = (events.received(), host.now_unix_ms());
                    }
                    match next {
                        Ok(Some(line)) => {
                            if let Some(message) = message(&line) {
                                take_event(message, watched, &mut told, listener);
                            }
                        }
                        // Silent past the stall limit: stalled (a half-open connection, a
                        // proxy holding it); opened again, through the catch-up.
                        Err(EventError::Http(HttpError::Timeout))
                            if keeps_alive
                                && host.now_unix_ms().saturating_sub(heard.1) >= stall_ms =>
                        {
                            break;
                        }
                        // Quiet: a write, so that a client who left is noticed.
                        Err(EventError::Http(HttpError::Timeout)) => listener.keep_alive(),
                        // The stream ended, failed, or sent an event past its bound.
                        Ok(None) | Err(_) => break,
                    }
                }
                if host.now_unix_ms().saturating_sub(opened_ms) >= STABLE_MS {
                    backoff = BACKOFF_FIRST;
                }
            }
        }
        // A dropped or refused stream: wait, looking for the client leaving meanwhile.
        let mut waited = Duration::ZERO;
        while waited < backoff && !over() {
            listener.keep_alive();
            host.sleep(CLIENT_CHECK).await;
            waited += CLIENT_CHECK;
        }
        backoff = (backoff * 2).min(BACKOFF_MOST);
    }
}

/// Lists what the watch covers and tells what differs from what was told; on the first
/// connection only sets what is known. False when Argo CD could not be asked.
async fn catch_up<H: Host>(
    client: &ArgoClient<'_, H>,
    watched: &Watched,
    told: &mut Tracker,
    first: bool,
    listener: &dyn Listener,
) -> bool {
    let path = format!(
        "/api/v1/applications{}",
        watched.query(LIST_FIELDS).as_str()
    );
    let Ok(list) = client.get::<Value>(&path, "the applications watched").await else {
        return false;
    };
    let mut present = BTreeSet::new();
    for app in list["items"].as_array().into_iter().flatten() {
        let Some(found) = app_ref(app) else { continue };
        let state = AppState::of(app);
        if !watched.covers(&found, &state) {
            continue;
        }
        present.insert(found.clone());
        let seen = told.update(found, state);
        if !first {
            tell(seen, listener);
        }
    }
    let gone: Vec<AppRef> = told
        .apps()
        .filter(|a| !present.contains(*a))
        .cloned()
        .collect();
    for app in gone {
        let seen = told.delete(&app);
        if !first {
            tell(seen, listener);
        }
    }
    true
}

/// One message of the watch: `{"result":{"type":…,"application":…}}`, or a final `{"error":…}`
/// (the stream then ends on its own).
fn take_event(line: &[u8], watched: &Watched, told: &mut Tracker, listener: &dyn Listener) {
    let Ok(event) = serde_json::from_slice::<Value>(line) else {
        return;
    };
    let result = &event["result"];
    let app = &result["application"];
    let Some(found) = app_ref(app) else { return };
    let state = AppState::of(app);
    let seen = match result["type"].as_str() {
        Some("DELETED") if told.knows(&found) => told.delete(&found),
        Some("ADDED" | "MODIFIED") if watched.covers(&found, &state) => told.update(found, state),
        // An app moved out of what is covered (another project) is gone for this subscription.
        Some("ADDED" | "MODIFIED") if told.knows(&found) => told.delete(&found),
        _ => Seen::Same,
    };
    tell(seen, listener);
}

fn app_ref(app: &Value) -> Option<AppRef> {
    Some(AppRef {
        namespace: app.pointer("/metadata/namespace")?.as_str()?.to_owned(),
        name: app.pointer("/metadata/name")?.as_str()?.to_owned(),
    })
}

/// What a notification says is quoted from Argo CD (a revision is whatever the app was synced
/// to): it is scrubbed as every answer is, the settings' own secrets first (a rule that hides a
/// passphrase only to its first space would leave the rest, no longer the whole secret).
struct Scrubbing<'a> {
    inner: &'a dyn Listener,
    own: crate::context::CleanedOf<'a>,
}

impl Listener for Scrubbing<'_> {
    fn resource_updated(&self, uri: &str, meta: serde_json::Map<String, Value>) {
        let mut meta = Value::Object(meta);
        self.own.hide_in(&mut meta);
        crate::tools::scrub_value(&mut meta);
        if let Value::Object(map) = meta {
            self.inner.resource_updated(uri, map);
        }
    }

    fn resources_list_changed(&self) {
        self.inner.resources_list_changed();
    }

    fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    fn keep_alive(&self) {
        self.inner.keep_alive();
    }
}

/// A change goes to the app's URI and the fleet's; an app appearing or going also changes the
/// list. The listener sends only what the subscription agreed to.
fn tell(seen: Seen, listener: &dyn Listener) {
    match seen {
        Seen::Same => {}
        Seen::Changed(change) => {
            listener.resource_updated(&change.app.uri(), change.meta.clone());
            listener.resource_updated(FLEET, change.meta);
        }
        Seen::New(change) | Seen::Deleted(change) => {
            listener.resource_updated(&change.app.uri(), change.meta.clone());
            listener.resource_updated(FLEET, change.meta);
            listener.resources_list_changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::RequestContext;
    use crate::host::Clock;
    use crate::testing::{FakeHost, StayingListener, token_settings};

    /// Review25's reading: a change quoting the settings' passphrase (a revision, an operation's
    /// message) loses it whole before the credential rules run, which would hide it only to its
    /// first space.
    #[test]
    fn a_change_loses_the_settings_passphrase_whole() {
        struct Heard(std::cell::RefCell<Vec<String>>);
        impl Listener for Heard {
            fn resource_updated(&self, uri: &str, meta: serde_json::Map<String, Value>) {
                self.0
                    .borrow_mut()
                    .push(format!("{uri} {}", Value::Object(meta)));
            }
            fn resources_list_changed(&self) {}
            fn is_closed(&self) -> bool {
                false
            }
            fn keep_alive(&self) {}
        }
        let settings = crate::testing::settings_from(&[
            ("ARGOCD_URL", "https://argocd.example.com"),
            ("ARGOCD_USERNAME", "admin"),
            ("ARGOCD_PASSWORD", "Correct horse battery Zq9staple"),
        ]);
        let heard = Heard(Default::default());
        let scrubbing = Scrubbing {
            inner: &heard,
            own: crate::context::CleanedOf::Built(crate::tools::OwnSecrets::of(&settings)),
        };
        let meta = serde_json::json!({"change": {"operation": "Failed: password=Correct horse battery Zq9staple Rk25"}});
        let Value::Object(meta) = meta else {
            unreachable!()
        };
        scrubbing.resource_updated(FLEET, meta);
        let heard = heard.0.borrow().join("\n");
        assert!(heard.contains("Rk25"), "{heard}");
        assert!(!heard.contains("horse"), "{heard}");
        assert!(!heard.contains("Zq9staple"), "{heard}");
    }

    /// Argo CD accepts every watch and ends it at once: each reconnection waits longer, up to
    /// the most, instead of starting again from a second each time.
    #[test]
    fn a_watch_dropped_at_once_again_and_again_backs_off() {
        let host = FakeHost::always(200, br#"{"items":[]}"#).recording();
        let settings = token_settings();
        let client = ArgoClient::new(&host, RequestContext::for_account(&settings)).unwrap();
        let watched = Watched {
            fleet: true,
            ..Watched::default()
        };
        let ten_minutes_ms = 10 * 60 * 1000;
        let until = host.now_unix_ms() + ten_minutes_ms;
        pollster::block_on(follow(&client, &watched, until, &StayingListener));
        let opened = host
            .requests()
            .iter()
            .filter(|r| r.url.contains("/stream/applications"))
            .count();
        // 1, 2, 4, 8, 16 s, then every 30 s: 24 opens in ten minutes (a second apart: 300).
        assert!(
            (20..=26).contains(&opened),
            "{opened} watches opened in ten minutes"
        );
    }
}

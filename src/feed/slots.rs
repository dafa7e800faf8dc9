//! How many subscriptions are open, counted across every instance in the shared key-value store,
//! so that the limits hold however many instances serve the listeners: at most
//! `ARGOCD_FEED_MAX_SUBSCRIPTIONS` at once for the whole server and, in user mode,
//! `ARGOCD_FEED_MAX_PER_CALLER` for one caller (in service mode every agent acts as the one
//! account, and only the server's limit applies).
//!
//! A count must stay right when instances die mid-subscription (a Spin instance stopped, a node
//! lost) and must not grow with everything ever opened, so it is kept per time window, as the
//! single-flight lease is ([`crate::single_flight`]): a subscription is counted in the window it
//! runs in and in the next one, and counts itself into each following window while it runs (its
//! watch asks whether its client is still there at least once a second, see
//! [`super::watch::CLIENT_CHECK`]). Opening one is one atomic increment of this window's counter
//! per limit: of fifty that arrive together for the last place, exactly one gets it. Ending one
//! takes it out of the windows it counted in. One whose instance died without ending it keeps its
//! place until the window after next begins ([`WINDOW_MS`] to twice that), and each counter names
//! when it is worthless, so the store's sweep removes it ([`crate::store_sweep`]).

use std::cell::Cell;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::context::RequestContext;
use crate::host::{Clock, StoreError, TokenStore};
use crate::mcp::subscriptions::Listener;
use crate::settings::{FEED_MAX_PER_CALLER, FEED_MAX_SUBSCRIPTIONS};

/// How long one counting window lasts.
pub const WINDOW_MS: u64 = 60 * 1000;

const COUNTERS: &str = "argocd-mcp/feed/open";

/// One limit: its counter's name and how many it allows.
struct Limit {
    counter: String,
    most: u32,
    /// Why a refusal is one, for the caller.
    refusal: fn(u32) -> String,
}

/// The limits a request's subscriptions count against, outermost last.
pub struct Slots<'a, H> {
    host: &'a H,
    limits: Vec<Limit>,
}

/// The windows a subscription is counted in, from the first to the last, as a note the protocol
/// carries from agreeing to listening without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    first: u64,
    last: u64,
}

impl Held {
    pub fn note(self) -> String {
        format!("{}-{}", self.first, self.last)
    }

    pub fn from_note(note: &str) -> Option<Held> {
        let (first, last) = note.split_once('-')?;
        let held = Held {
            first: first.parse().ok()?,
            last: last.parse().ok()?,
        };
        (held.first <= held.last && held.last - held.first <= 2).then_some(held)
    }
}

fn window_of(unix_ms: u64) -> u64 {
    unix_ms / WINDOW_MS
}

/// The store key counting `counter`'s subscriptions in `window`, worthless once the window after
/// it has ended.
fn window_key(counter: &str, window: u64) -> String {
    crate::store_sweep::expiring(
        &format!("{counter}/turn/{window}"),
        (window + 2).saturating_mul(WINDOW_MS) / 1000,
    )
}

/// A caller's counter is named by a hash of who they are at their provider, never by their
/// name or token.
fn caller_counter(issuer: &str, subject: &str) -> String {
    let who = Sha256::digest(format!("{issuer}\n{subject}").as_bytes());
    format!("{COUNTERS}/caller/{}", crate::hex(&who[..16]))
}

impl<'a, H: TokenStore + Clock> Slots<'a, H> {
    /// The limits `context`'s subscriptions count against.
    pub fn of(host: &'a H, context: RequestContext<'_>) -> Self {
        let settings = context.settings();
        let mut limits = Vec::with_capacity(2);
        if let (Some(mode), Some(caller)) = (&settings.user_mode, context.caller()) {
            limits.push(Limit {
                counter: caller_counter(&mode.issuer, &caller.subject),
                most: settings.feed_limits.per_caller,
                refusal: |most| {
                    format!(
                        "you already hold {most} subscriptions, the most one caller may ({}); end one (close its stream, or notifications/cancelled over stdio) and listen again",
                        FEED_MAX_PER_CALLER.env
                    )
                },
            });
        }
        limits.push(Limit {
            counter: format!("{COUNTERS}/all"),
            most: settings.feed_limits.total,
            refusal: |most| {
                format!(
                    "this server already holds {most} subscriptions, the most it serves at once ({}); try again later",
                    FEED_MAX_SUBSCRIPTIONS.env
                )
            },
        });
        Slots { host, limits }
    }

    /// Takes a place under every limit, or none: `Err` says which limit is reached (or that the
    /// store could not count, in which case nothing is opened: a limit nobody can count is not
    /// waived).
    pub fn take(&self) -> Result<Held, String> {
        let window = window_of(self.host.now_unix_ms());
        for (taken, limit) in self.limits.iter().enumerate() {
            let refused = match self.count(&limit.counter, window, 1) {
                Ok(count) if count <= i64::from(limit.most) => None,
                Ok(_) => Some((limit.refusal)(limit.most)),
                Err(why) => Some(format!(
                    "the key-value store could not count open subscriptions ({why}), so none is opened"
                )),
            };
            if let Some(why) = refused {
                // This counter went up unless the store failed; counting it down again is
                // harmless either way (a failed store fails this too).
                let _ = self.count(&limit.counter, window, -1);
                for earlier in &self.limits[..taken] {
                    let _ = self.count(&earlier.counter, window, -1);
                    let _ = self.count(&earlier.counter, window + 1, -1);
                }
                return Err(why);
            }
            // Counted ahead in the next window: it is full of those that run on into it before
            // any newcomer there is judged.
            let _ = self.count(&limit.counter, window + 1, 1);
        }
        Ok(Held {
            first: window,
            last: window + 1,
        })
    }

    /// Counts a subscription that runs on into the next window there, once it is in the
    /// window before (called often; a store write only when a window begins).
    pub fn renew(&self, held: &mut Held) {
        let now = window_of(self.host.now_unix_ms());
        while held.last < now + 1 {
            held.last += 1;
            // Windows that already passed (a pause longer than a window) are not counted in.
            if held.last < now {
                continue;
            }
            for limit in &self.limits {
                let _ = self.count(&limit.counter, held.last, 1);
            }
        }
        held.first = held.first.max(now);
    }

    /// Gives the place back in every window still to come that it was counted in.
    pub fn release(&self, held: Held) {
        let now = window_of(self.host.now_unix_ms());
        for window in held.first.max(now)..=held.last {
            for limit in &self.limits {
                let _ = self.count(&limit.counter, window, -1);
            }
        }
    }

    /// Adds `delta` to `counter` in `window`: atomically where the store can; where it offers
    /// no atomic step, read and written (right unless instances open subscriptions within the
    /// same milliseconds).
    fn count(&self, counter: &str, window: u64, delta: i64) -> Result<i64, StoreError> {
        let key = window_key(counter, window);
        match self.host.increment(&key, delta) {
            Err(StoreError::Unsupported(_)) => {
                let now = crate::host::counter_value(self.host.get(&key)?.as_deref())?;
                let next = now.saturating_add(delta).max(0);
                self.host.set(&key, next.to_string().as_bytes())?;
                Ok(next)
            }
            counted => counted,
        }
    }
}

/// A subscription's listener while it holds its place: each time the watch asks whether the
/// client is still there (at least once a second), the place is counted into the next window if
/// a new one began. Everything else passes through. Dropped, it gives the place back: when the
/// subscription ends, and also when a host drops the task serving it because its client left
/// (the server component's task may never run on past that).
pub struct Holding<'s, 'a, H: TokenStore + Clock> {
    slots: &'s Slots<'a, H>,
    held: Cell<Held>,
    listener: &'s dyn Listener,
}

impl<'s, 'a, H: TokenStore + Clock> Holding<'s, 'a, H> {
    pub fn new(slots: &'s Slots<'a, H>, held: Held, listener: &'s dyn Listener) -> Self {
        Holding {
            slots,
            held: Cell::new(held),
            listener,
        }
    }
}

impl<H: TokenStore + Clock> Drop for Holding<'_, '_, H> {
    fn drop(&mut self) {
        self.slots.release(self.held.get());
    }
}

impl<H: TokenStore + Clock> Listener for Holding<'_, '_, H> {
    fn resource_updated(&self, uri: &str, meta: Map<String, Value>) {
        self.listener.resource_updated(uri, meta);
    }
    fn resources_list_changed(&self) {
        self.listener.resources_list_changed();
    }
    fn is_closed(&self) -> bool {
        let mut held = self.held.get();
        self.slots.renew(&mut held);
        self.held.set(held);
        self.listener.is_closed()
    }
    fn keep_alive(&self) {
        self.listener.keep_alive();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::host::MemoryTokenStore;
    use crate::settings::{FeedLimits, Secret, Settings, UserMode, UserToken};

    /// A store as the test asks: atomic, written only, or failing; and a clock it moves.
    #[derive(Default)]
    struct Store {
        entries: MemoryTokenStore,
        writes_only: bool,
        fails: bool,
        now_ms: Cell<u64>,
    }

    impl Store {
        fn advance(&self, ms: u64) {
            self.now_ms.set(self.now_ms.get() + ms);
        }
        fn check(&self) -> Result<(), StoreError> {
            match self.fails {
                true => Err(StoreError::Failed("the store is down".into())),
                false => Ok(()),
            }
        }
    }

    impl TokenStore for Store {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.check()?;
            self.entries.get(key)
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            self.check()?;
            self.entries.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.entries.delete(key)
        }
        fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
            self.check()?;
            if self.writes_only {
                return Err(StoreError::Unsupported("increment atomically"));
            }
            self.entries.increment(key, delta)
        }
    }

    impl Clock for Store {
        fn now_unix_ms(&self) -> u64 {
            1_700_000_000_000 + self.now_ms.get()
        }
        async fn sleep(&self, duration: Duration) {
            self.advance(duration.as_millis() as u64);
        }
    }

    fn limits(total: u32, per_caller: u32) -> Settings {
        let mut settings = crate::testing::token_settings();
        settings.feed_limits = FeedLimits { total, per_caller };
        settings
    }

    #[test]
    fn the_last_place_goes_to_one_and_is_given_back() {
        let host = Store::default();
        let settings = limits(2, 10);
        let slots = Slots::of(&host, RequestContext::for_account(&settings));
        let first = slots.take().unwrap();
        let second = slots.take().unwrap();
        let refused = slots.take().unwrap_err();
        assert!(
            refused.contains("ARGOCD_FEED_MAX_SUBSCRIPTIONS"),
            "{refused}"
        );
        // A refusal leaves the count as it was: after one ends, exactly one more opens.
        slots.release(first);
        let third = slots.take().unwrap();
        assert!(slots.take().is_err());
        slots.release(second);
        slots.release(third);
        assert!(slots.take().is_ok());
    }

    #[test]
    fn a_subscription_that_runs_on_keeps_its_place_in_later_windows() {
        let host = Store::default();
        let settings = limits(1, 10);
        let slots = Slots::of(&host, RequestContext::for_account(&settings));
        let mut held = slots.take().unwrap();
        for _ in 0..5 {
            host.advance(WINDOW_MS / 2);
            slots.renew(&mut held);
            assert!(slots.take().is_err(), "a newcomer took the one place");
        }
        slots.release(held);
        assert!(slots.take().is_ok());
    }

    #[test]
    fn a_place_left_by_a_dead_instance_frees_itself() {
        let host = Store::default();
        let settings = limits(1, 10);
        let slots = Slots::of(&host, RequestContext::for_account(&settings));
        let _never_released = slots.take().unwrap();
        host.advance(WINDOW_MS);
        assert!(slots.take().is_err(), "counted ahead into the next window");
        host.advance(WINDOW_MS);
        assert!(slots.take().is_ok(), "two windows later the place is free");
    }

    #[test]
    fn each_caller_has_their_own_limit_inside_the_servers() {
        let host = Store::default();
        let mut settings = limits(3, 2);
        settings.user_mode = Some(UserMode {
            issuer: "https://idp.example".into(),
            resource: "https://mcp.example/mcp".into(),
            audience: "argocd-mcp".into(),
            client_id: "argocd-mcp".into(),
            client_secret: None,
            argocd_client_id: "argo-cd".into(),
            scopes: Vec::new(),
            delegation: crate::settings::Delegation::Exchange,
        });
        let user = |subject: &str| UserToken {
            token: Secret::new("caller.token"),
            fingerprint: format!("f-{subject}"),
            subject: subject.into(),
            display_name: subject.into(),
            expires_at_s: 0,
        };
        let (alice, bob) = (user("alice"), user("bob"));
        let as_alice = Slots::of(&host, RequestContext::new(&settings, Some(&alice)));
        let as_bob = Slots::of(&host, RequestContext::new(&settings, Some(&bob)));
        as_alice.take().unwrap();
        let kept = as_alice.take().unwrap();
        let refused = as_alice.take().unwrap_err();
        assert!(refused.contains("ARGOCD_FEED_MAX_PER_CALLER"), "{refused}");
        as_bob.take().unwrap();
        // The server's limit (3) is reached although bob holds one of his two.
        let refused = as_bob.take().unwrap_err();
        assert!(
            refused.contains("ARGOCD_FEED_MAX_SUBSCRIPTIONS"),
            "{refused}"
        );
        // That refusal gave back bob's own count too: with one of alice's ended, bob opens
        // his second, and no third.
        as_alice.release(kept);
        as_bob.take().unwrap();
        assert!(as_bob.take().is_err());
    }

    struct Deaf;

    impl Listener for Deaf {
        fn resource_updated(&self, _uri: &str, _meta: Map<String, Value>) {}
        fn resources_list_changed(&self) {}
        fn is_closed(&self) -> bool {
            false
        }
        fn keep_alive(&self) {}
    }

    #[test]
    fn a_holding_renews_while_asked_and_gives_back_when_dropped() {
        let host = Store::default();
        let settings = limits(1, 10);
        let slots = Slots::of(&host, RequestContext::for_account(&settings));
        let held = slots.take().unwrap();
        {
            let holding = Holding::new(&slots, held, &Deaf);
            for _ in 0..4 {
                host.advance(WINDOW_MS / 2);
                assert!(!holding.is_closed());
                assert!(slots.take().is_err());
            }
        }
        assert!(
            slots.take().is_ok(),
            "dropped, the holding gave its place back"
        );
    }

    #[test]
    fn notes_read_back_and_nonsense_is_none() {
        let held = Held { first: 7, last: 8 };
        assert_eq!(Held::from_note(&held.note()), Some(held));
        for bad in ["", "7", "8-7", "x-8", "1-99", "-1-2"] {
            assert_eq!(Held::from_note(bad), None, "{bad}");
        }
    }

    #[test]
    fn without_an_atomic_store_counts_are_written() {
        let host = Store {
            writes_only: true,
            ..Store::default()
        };
        let settings = limits(1, 10);
        let slots = Slots::of(&host, RequestContext::for_account(&settings));
        let held = slots.take().unwrap();
        assert!(slots.take().is_err());
        slots.release(held);
        assert!(slots.take().is_ok());
    }

    #[test]
    fn a_store_that_fails_opens_nothing() {
        let host = Store {
            fails: true,
            ..Store::default()
        };
        let settings = limits(5, 5);
        let refused = Slots::of(&host, RequestContext::for_account(&settings))
            .take()
            .unwrap_err();
        assert!(refused.contains("could not count"), "{refused}");
    }
}

//! Work only one instance should do at a time — a login to Argo CD, a token exchange at the
//! identity provider — coordinated through the shared key-value store. Spin runs many instances
//! at once, on several nodes: fifty that find no session would otherwise log in fifty times
//! (and Argo CD locks an account after five failures). The first to hold the lease does the
//! work and leaves its result where the others look; they wait for it instead of repeating it.
//!
//! Where the store has an atomic increment (Spin 4's SQLite and Redis), the lease is exact: time
//! is cut into windows as long as a lease, and taking the lease means being the first to count
//! on this window's key and on the next one's (a lease taken late in a window runs into the
//! next, never past it). Releasing deletes both; a holder that dies is outwaited when the two
//! windows have passed. Every such key names when it expires, so the store's sweep removes
//! those a dead holder left ([`crate::store_sweep`]).
//!
//! Where it has not, the lease is written, and read back after a pause; of the instances that
//! wrote at the same moment, only the one whose lease the store kept goes on.

use std::time::Duration;

use crate::host::Host;
use serde::{Deserialize, Serialize};

/// The one instance allowed to do the work right now, until `until_ms`.
#[derive(Debug, Serialize, Deserialize)]
struct Lease {
    holder: String,
    until_ms: u64,
}

/// How often a waiting instance looks for the holder's result.
const POLL: Duration = Duration::from_millis(50);
/// The pause between writing a claim (a lease, a spent approval) and reading it back.
pub const SETTLE: Duration = Duration::from_millis(30);

/// Names one attempt in a lease.
fn holder_id() -> String {
    let mut bytes = [0u8; 12];
    // Without randomness every instance has the same id and none defers to another's lease:
    // still correct, only more work done twice.
    let _ = getrandom::fill(&mut bytes);
    crate::hex(&bytes)
}

pub struct SingleFlight<'a, H: Host> {
    pub host: &'a H,
    /// The store key of the lease.
    pub lease_key: String,
    /// How long one attempt may take (its lease); waiters give up after twice this.
    pub lease_ms: u64,
}

/// What an attempt to take the lease came to.
pub enum Turn {
    /// This instance holds the lease: do the work, then [`SingleFlight::release`] it.
    Mine(Held),
    /// Another instance holds it, until then.
    Theirs,
    /// The store failed: nothing can be shared, so the work is this instance's alone.
    NoStore(crate::host::StoreError),
}

/// The store keys a held lease occupies, deleted when it is released.
pub struct Held {
    keys: Vec<String>,
}

impl<H: Host> SingleFlight<'_, H> {
    /// The counter of lease window `window`; its name says when it is worthless (see
    /// [`crate::store_sweep::expiring`]).
    fn window_key(&self, window: u64) -> String {
        let worthless_after_ms = (window + 2).saturating_mul(self.lease_ms);
        crate::store_sweep::expiring(
            &format!("{}/turn/{window}", self.lease_key),
            worthless_after_ms.div_ceil(1000),
        )
    }

    /// Tries once to take the lease for `holder`.
    pub async fn acquire(&self, holder: &str) -> Turn {
        let window = self.host.now_unix_ms() / self.lease_ms.max(1);
        let this = self.window_key(window);
        match self.host.increment(&this, 1) {
            Ok(1) => {}
            Ok(_) => return Turn::Theirs,
            // No atomic increment here: the written lease.
            Err(_) => return self.acquire_written(holder).await,
        }
        let next = self.window_key(window + 1);
        match self.host.increment(&next, 1) {
            Ok(1) => Turn::Mine(Held {
                keys: vec![this, next],
            }),
            // Only a holder whose clock runs ahead counts there first: theirs.
            Ok(_) => Turn::Theirs,
            Err(why) => Turn::NoStore(why),
        }
    }

    /// The lease without an atomic step: written, then read back after a pause.
    async fn acquire_written(&self, holder: &str) -> Turn {
        let host = self.host;
        let now = host.now_unix_ms();
        let lease = match host.get(&self.lease_key) {
            Ok(bytes) => bytes.and_then(|b| crate::argocd::objects::from_slice::<Lease>(&b).ok()),
            Err(why) => return Turn::NoStore(why),
        };
        if lease
            .as_ref()
            .is_some_and(|l| l.holder != holder && l.until_ms > now)
        {
            return Turn::Theirs;
        }
        let mine = Lease {
            holder: holder.to_owned(),
            until_ms: now + self.lease_ms,
        };
        if let Err(why) = host.set(
            &self.lease_key,
            &serde_json::to_vec(&mine).unwrap_or_default(),
        ) {
            return Turn::NoStore(why);
        }
        // Instances that wrote at the same moment: the store keeps the last one's lease, and
        // everyone who reads it back after this pause agrees on it.
        host.sleep(SETTLE).await;
        let kept = host.get(&self.lease_key).ok().flatten();
        let ours = kept
            .and_then(|b| crate::argocd::objects::from_slice::<Lease>(&b).ok())
            .is_some_and(|l| l.holder == holder);
        if ours {
            Turn::Mine(Held {
                keys: vec![self.lease_key.clone()],
            })
        } else {
            Turn::Theirs
        }
    }

    /// Gives the lease up after the work.
    pub fn release(&self, held: Held) {
        for key in held.keys {
            let _ = self.host.delete(&key);
        }
    }

    /// A fresh name for one attempt.
    pub fn holder() -> String {
        holder_id()
    }

    /// Returns what `settled` finds (checked before every round: the holder's result, or a
    /// reason to stop), or does `work` while holding the lease. `work` is told when the store
    /// failed, in which case it runs without a lease, in this instance alone. `too_long` is the
    /// error when another holder never finishes.
    pub async fn run<T, E>(
        &self,
        mut settled: impl FnMut() -> Result<Option<T>, E>,
        work: impl AsyncFnOnce(Option<&str>) -> Result<T, E>,
        too_long: impl FnOnce() -> E,
    ) -> Result<T, E> {
        let host = self.host;
        let holder = holder_id();
        let give_up_at = host.now_unix_ms() + 2 * self.lease_ms;
        loop {
            if let Some(done) = settled()? {
                return Ok(done);
            }
            match self.acquire(&holder).await {
                Turn::Theirs => {
                    if host.now_unix_ms() >= give_up_at {
                        return Err(too_long());
                    }
                    host.sleep(POLL).await;
                }
                Turn::Mine(held) => {
                    // The holder's result may have landed between the check and the lease.
                    if let Some(done) = settled()? {
                        self.release(held);
                        return Ok(done);
                    }
                    let result = work(None).await;
                    self.release(held);
                    return result;
                }
                // No store to share a lease through: this instance alone then.
                Turn::NoStore(why) => return work(Some(&why.to_string())).await,
            }
        }
    }
}

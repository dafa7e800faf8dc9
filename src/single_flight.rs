//! Work only one instance should do at a time — a login to Argo CD, a token exchange at the
//! identity provider — coordinated through the shared key-value store. Spin runs many instances
//! at once, on several nodes: fifty that find no session would otherwise log in fifty times
//! (and Argo CD locks an account after five failures). The first to hold the lease does the
//! work and leaves its result where the others look; they wait for it instead of repeating it.
//!
//! The store offers get and set, not compare-and-swap: an instance writes its lease, pauses,
//! and reads it back; of those that wrote at the same moment only the one whose lease the store
//! kept goes on. A holder that dies is outwaited when its lease lapses.

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
/// The pause between writing a lease and reading it back.
const SETTLE: Duration = Duration::from_millis(30);

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

impl<H: Host> SingleFlight<'_, H> {
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
        let mut store_trouble = None;
        loop {
            if let Some(done) = settled()? {
                return Ok(done);
            }
            let now = host.now_unix_ms();
            let lease = match host.get(&self.lease_key) {
                Ok(bytes) => bytes.and_then(|b| serde_json::from_slice::<Lease>(&b).ok()),
                Err(why) => {
                    store_trouble = Some(why);
                    None
                }
            };
            let held_by_another = lease
                .as_ref()
                .is_some_and(|l| l.holder != holder && l.until_ms > now);
            if held_by_another {
                if now >= give_up_at {
                    return Err(too_long());
                }
                host.sleep(POLL).await;
                continue;
            }
            if store_trouble.is_none() {
                let mine = Lease {
                    holder: holder.clone(),
                    until_ms: now + self.lease_ms,
                };
                let written = host.set(
                    &self.lease_key,
                    &serde_json::to_vec(&mine).unwrap_or_default(),
                );
                if let Err(why) = written {
                    store_trouble = Some(why);
                } else {
                    // Instances that wrote at the same moment: the store keeps the last one's
                    // lease, and everyone who reads it back after this pause agrees on it.
                    host.sleep(SETTLE).await;
                    let kept = host.get(&self.lease_key).ok().flatten();
                    let ours = kept
                        .and_then(|b| serde_json::from_slice::<Lease>(&b).ok())
                        .is_some_and(|l| l.holder == holder);
                    if !ours {
                        continue;
                    }
                }
            }
            // Ours (or no store to share one through: this instance alone then).
            let result = work(store_trouble.as_deref()).await;
            if store_trouble.is_none() {
                let _ = host.delete(&self.lease_key);
            }
            return result;
        }
    }
}

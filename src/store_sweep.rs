//! What the shared store holds is what is live, not everything ever seen. Keys made per caller
//! token, per approval or per lease window end in the time they are worthless after
//! (`…/exp-<unix seconds>`, see [`expiring`]), and as the server works one instance a minute
//! lists the store's keys and deletes those past it. Keys made per account or per provider
//! (sessions, keys, back-offs) are few and are overwritten, not swept.

use crate::host::{Clock, TokenStore};

/// Every key this server writes starts so; nothing else in a shared store is touched.
pub const PREFIX: &str = "argocd-mcp/";
/// How often one instance sweeps.
pub const SWEEP_EVERY_MS: u64 = 60 * 1000;
/// The most keys one sweep deletes (each is a store round trip); a sweep that reaches it lets
/// the next request sweep on at once.
pub const MAX_DELETES_PER_SWEEP: usize = 2_000;

/// `key` marked as worthless after `unix_s`.
pub fn expiring(key: &str, unix_s: u64) -> String {
    format!("{key}/exp-{unix_s}")
}

/// When a key made by [`expiring`] is worthless; `None` for any other key.
pub fn expiry_of(key: &str) -> Option<u64> {
    let stamp = key.rsplit('/').next()?.strip_prefix("exp-")?;
    if stamp.is_empty() || !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stamp.parse().ok()
}

/// Sweeps when it is this instance's turn (the first request of each minute, across
/// instances); returns how many keys it deleted. Failures only leave keys for the next sweep.
pub fn sweep_if_due<H: TokenStore + Clock>(host: &H) -> usize {
    let now_ms = host.now_unix_ms();
    let period = now_ms / SWEEP_EVERY_MS;
    let turn = expiring(
        &format!("{PREFIX}sweep/{period}"),
        (period + 2) * SWEEP_EVERY_MS / 1000,
    );
    let mine = match host.increment(&turn, 1) {
        Ok(count) => count == 1,
        // Without an atomic step: the last sweep's time, written (two instances may both sweep
        // now and then, which costs only work).
        Err(_) => {
            const LAST: &str = "argocd-mcp/sweep/last";
            let last = host
                .get(LAST)
                .ok()
                .flatten()
                .and_then(|b| crate::host::counter_value(Some(&b)).ok())
                .unwrap_or(0);
            let due = now_ms.saturating_sub(last as u64) >= SWEEP_EVERY_MS;
            due && host.set(LAST, now_ms.to_string().as_bytes()).is_ok()
        }
    };
    if !mine {
        return 0;
    }
    let Ok(keys) = host.keys() else {
        return 0;
    };
    let now_s = now_ms / 1000;
    let mut deleted = 0;
    for key in keys.iter().filter(|k| k.starts_with(PREFIX) && **k != turn) {
        if deleted == MAX_DELETES_PER_SWEEP {
            // More than one sweep's worth: the next request sweeps on.
            let _ = host.delete(&turn);
            break;
        }
        if expiry_of(key).is_some_and(|expires| expires < now_s) && host.delete(key).is_ok() {
            deleted += 1;
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeHost;

    #[test]
    fn only_keys_that_name_a_past_expiry_are_swept() {
        assert_eq!(
            expiry_of("argocd-mcp/a/b/exp-1700000000"),
            Some(1_700_000_000)
        );
        for not_expiring in [
            "argocd-mcp/session/admin@https://x",
            "argocd-mcp/a/exp-",
            "argocd-mcp/a/exp-12x",
            "argocd-mcp/a/exp-+5",
            "argocd-mcp/exp-5/live",
        ] {
            assert_eq!(expiry_of(not_expiring), None, "{not_expiring}");
        }
        let host = FakeHost::new(vec![]);
        let now_s = host.now_unix_ms() / 1000;
        let old = expiring("argocd-mcp/approval/spent/ab", now_s - 1);
        let live = expiring("argocd-mcp/approval/spent/cd", now_s + 60);
        let theirs = expiring("other-app/x", now_s - 100);
        for key in [&old, &live, &theirs, &"argocd-mcp/session/admin".to_owned()] {
            host.set(key, b"1").unwrap();
        }
        assert_eq!(sweep_if_due(&host), 1);
        let left = host.keys().unwrap();
        assert!(!left.contains(&old));
        assert!(left.contains(&live) && left.contains(&theirs));
        // Once a minute: the next request does not sweep again.
        host.set(&expiring("argocd-mcp/approval/spent/ef", now_s - 1), b"1")
            .unwrap();
        assert_eq!(sweep_if_due(&host), 0);
    }

    #[test]
    fn a_sweep_is_bounded_and_the_next_request_goes_on() {
        let host = FakeHost::new(vec![]);
        let now_s = host.now_unix_ms() / 1000;
        let expired = MAX_DELETES_PER_SWEEP + 500;
        for i in 0..expired {
            host.set(&expiring(&format!("argocd-mcp/x/{i}"), now_s - 1), b"1")
                .unwrap();
        }
        assert_eq!(sweep_if_due(&host), MAX_DELETES_PER_SWEEP);
        assert_eq!(sweep_if_due(&host), 500);
        assert_eq!(sweep_if_due(&host), 0);
    }
}

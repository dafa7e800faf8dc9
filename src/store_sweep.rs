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

/// The families of keys made by [`expiring`] whose names hold nothing an operator chose: what is
/// kept per caller token or per approval, and the sweep's own turns.
const EXPIRING_FAMILIES: &[&str] = &[
    "argocd-mcp/oidc/verified/",
    "argocd-mcp/oidc/exchanged/",
    "argocd-mcp/approval/spent/",
    "argocd-mcp/sweep/",
];

/// When a key made by [`expiring`] is worthless; `None` for any other key. Only keys of the
/// families above, and lease windows (`…/turn/<window>/exp-<s>`), count: a key that merely ends
/// like one (a session key whose Argo CD URL ends in `/exp-2025`) is never swept.
pub fn expiry_of(key: &str) -> Option<u64> {
    let (rest, stamp) = key.rsplit_once("/exp-")?;
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits(stamp) {
        return None;
    }
    let lease_window = rest
        .rsplit_once("/turn/")
        .is_some_and(|(_, window)| digits(window));
    let family = EXPIRING_FAMILIES.iter().any(|f| key.starts_with(f));
    (lease_window || family)
        .then(|| stamp.parse().ok())
        .flatten()
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
    // A read first: most requests find the minute's turn taken and write nothing (a write per
    // request would contend with every other instance's reads of the shared session).
    if host.get(&turn).ok().flatten().is_some() {
        return 0;
    }
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
            expiry_of("argocd-mcp/approval/spent/ab/exp-1700000000"),
            Some(1_700_000_000)
        );
        assert_eq!(
            expiry_of("argocd-mcp/login-lease/admin@https://x/turn/42/exp-1700000000"),
            Some(1_700_000_000)
        );
        for not_expiring in [
            "argocd-mcp/session/admin@https://x",
            "argocd-mcp/session/admin@https://cd.example.com/exp-2025",
            "argocd-mcp/oidc/provider/https://sso.example.com/realms/exp-2025",
            "argocd-mcp/login-lease/admin@https://x/turn/w/exp-5",
            "argocd-mcp/approval/spent/a/exp-",
            "argocd-mcp/approval/spent/a/exp-12x",
            "argocd-mcp/approval/spent/a/exp-+5",
        ] {
            assert_eq!(expiry_of(not_expiring), None, "{not_expiring}");
        }
        let host = FakeHost::new(vec![]);
        let now_s = host.now_unix_ms() / 1000;
        let old = expiring("argocd-mcp/approval/spent/ab", now_s - 1);
        let live = expiring("argocd-mcp/approval/spent/cd", now_s + 60);
        let theirs = expiring("other-app/approval/spent/x", now_s - 100);
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
            host.set(
                &expiring(&format!("argocd-mcp/approval/spent/{i}"), now_s - 1),
                b"1",
            )
            .unwrap();
        }
        assert_eq!(sweep_if_due(&host), MAX_DELETES_PER_SWEEP);
        assert_eq!(sweep_if_due(&host), 500);
        assert_eq!(sweep_if_due(&host), 0);
    }
}

//! The host's key-value store, shared by every instance like Spin's `default` store: it keeps
//! writes (wasmtime-wasi-keyvalue does not), can be inspected, and can be told to fail.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct KvStore {
    entries: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    failing: Arc<AtomicBool>,
    /// Set: the store offers no atomic increment (like a backend without one), so the
    /// component's write-and-read-back fallback is what runs.
    without_atomics: Arc<AtomicBool>,
    writes: Arc<AtomicU64>,
}

impl KvStore {
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.check()?;
        Ok(self.lock().get(key).cloned())
    }

    pub fn set(&self, key: &str, value: Vec<u8>) -> Result<(), String> {
        self.check()?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(key.to_owned(), value);
        Ok(())
    }

    pub fn delete(&self, key: &str) -> Result<(), String> {
        self.check()?;
        self.lock().remove(key);
        Ok(())
    }

    /// Adds `delta` to the decimal number under `key` under the store's lock: one step, as
    /// Spin's SQLite (a transaction) and Redis (`INCRBY`) take it.
    pub fn increment(&self, key: &str, delta: i64) -> Result<i64, String> {
        self.check()?;
        if self.without_atomics.load(Ordering::Relaxed) {
            return Err("this store offers no atomic increment".into());
        }
        self.writes.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.lock();
        let now = argocd_mcp::host::counter_value(entries.get(key).map(Vec::as_slice))?
            .saturating_add(delta);
        entries.insert(key.to_owned(), now.to_string().into_bytes());
        Ok(now)
    }

    pub fn keys(&self) -> Result<Vec<String>, String> {
        self.check()?;
        Ok(self.lock().keys().cloned().collect())
    }

    /// While set, the store has no atomic increment (see the field).
    pub fn set_without_atomics(&self, without: bool) {
        self.without_atomics.store(without, Ordering::Relaxed);
    }

    /// Every entry, for assertions.
    pub fn snapshot(&self) -> HashMap<String, Vec<u8>> {
        self.lock().clone()
    }

    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// While set, every operation fails like an unreachable Redis behind Spin.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::Relaxed);
    }

    /// Edits an entry in place (e.g. to age a cached token).
    pub fn update(&self, key: &str, f: impl FnOnce(&mut Vec<u8>)) {
        if let Some(v) = self.lock().get_mut(key) {
            f(v);
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.failing.load(Ordering::Relaxed) {
            Err("key-value store unavailable".into())
        } else {
            Ok(())
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

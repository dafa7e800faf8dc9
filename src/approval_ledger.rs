//! Where the server keeps approvals: the spent nonces in the host's key-value store, so that any
//! instance can check a retry another instance asked for, and the sealing key: derived from
//! `MCP_STORE_KEY` when it is set (then the store never holds it), else kept in the store.

use crate::host::TokenStore;
use crate::mcp::approval::ApprovalLedger;

/// The sealing key: one for every instance that shares the store.
const KEY: &str = "argocd-mcp/approval/key";
const SPENT: &str = "argocd-mcp/approval/spent/";

pub struct StoreLedger<'a, H> {
    pub host: &'a H,
    pub settings: &'a crate::settings::Settings,
}

impl<H: TokenStore + crate::host::Clock> ApprovalLedger for StoreLedger<'_, H> {
    fn secret(&self) -> Result<Vec<u8>, String> {
        if let Some(problem) = &self.settings.store_seal_problem {
            return Err(problem.clone());
        }
        if let Some(seal) = &self.settings.store_seal {
            return Ok(seal.approval_key(&self.settings.argocd_url));
        }
        if let Some(key) = self.host.get(KEY)?
            && key.len() == 32
        {
            return Ok(key);
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("no randomness for a key: {e}"))?;
        self.host.set(KEY, &key)?;
        // Instances that make a key at the same moment: the store keeps one, and this instance
        // seals with the one the others will read. A state sealed with a lost key is asked again.
        match self.host.get(KEY)? {
            Some(kept) if kept.len() == 32 => Ok(kept),
            _ => Err("the approval key could not be read back from the store".into()),
        }
    }

    fn spend(&self, nonce: &str, until_ms: u64) -> Result<bool, String> {
        // Named with its expiry, so the sweep removes it once the state it spends is worthless.
        let key = crate::store_sweep::expiring(&format!("{SPENT}{nonce}"), until_ms.div_ceil(1000));
        // One atomic step where the store has it: the first to count spends it, exactly once
        // however many retries of one state arrive together on however many nodes.
        if let Ok(count) = self.host.increment(&key, 1) {
            return Ok(count == 1);
        }
        if self.host.get(&key)?.is_some() {
            return Ok(false);
        }
        // No atomic step: a marker of our own, read back; of two retries racing with one state,
        // the one whose marker the store kept runs.
        let marker = format!("{until_ms}:{}", crate::hex(&self.nonce()));
        self.host.set(&key, marker.as_bytes())?;
        Ok(self.host.get(&key)?.as_deref() == Some(marker.as_bytes()))
    }

    fn now_unix_ms(&self) -> u64 {
        self.host.now_unix_ms()
    }

    fn nonce(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        // No randomness is no approval: a zero nonce is spent at its first use.
        let _ = getrandom::fill(&mut bytes);
        bytes
    }
}

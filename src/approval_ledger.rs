//! Where the server keeps approvals: the spent nonces in the host's key-value store, so that any
//! instance can check a retry another instance asked for; the sealing key is derived from
//! `MCP_STORE_KEY` and never stored.

use crate::host::TokenStore;
use crate::mcp::approval::{ApprovalLedger, Spending};
use crate::single_flight::SETTLE;

const SPENT: &str = "argocd-mcp/approval/spent/";

pub struct StoreLedger<'a, H> {
    pub host: &'a H,
    pub settings: &'a crate::settings::Settings,
}

impl<H: TokenStore + crate::host::Clock> StoreLedger<'_, H> {
    async fn spend_once(&self, nonce: &str, until_ms: u64) -> Result<bool, String> {
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
        // No atomic step: a marker of our own, read back after a pause. Retries racing with one
        // state all write before any reads back, so all read the one marker the store kept and
        // only its writer runs; read back at once, each could read its own.
        let marker = format!("{until_ms}:{}", crate::hex(&self.nonce()));
        self.host.set(&key, marker.as_bytes())?;
        self.host.sleep(SETTLE).await;
        Ok(self.host.get(&key)?.as_deref() == Some(marker.as_bytes()))
    }
}

impl<H: TokenStore + crate::host::Clock> ApprovalLedger for StoreLedger<'_, H> {
    /// Derived from `MCP_STORE_KEY` and the Argo CD served, never kept in the store. The server
    /// component serves nothing without a usable store key, so there is always one here.
    fn secret(&self) -> Result<Vec<u8>, String> {
        if let Some(problem) = &self.settings.store_seal_problem {
            return Err(problem.clone());
        }
        match &self.settings.store_seal {
            Some(seal) => Ok(seal.approval_key(&self.settings.argocd_url)),
            None => Err(
                "MCP_STORE_KEY is not set: approvals are sealed with a key derived from it".into(),
            ),
        }
    }

    fn spend<'s>(&'s self, nonce: &'s str, until_ms: u64) -> Spending<'s> {
        Box::pin(self.spend_once(nonce, until_ms))
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

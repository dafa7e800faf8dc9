//! Secrets in the shared key-value store, sealed with a key the store never holds.
//!
//! Instances share what is costly to make again through the host's store: Argo CD sessions,
//! tokens exchanged for callers, the identity provider's keys and the verdicts on tokens already
//! verified. Whoever can read that store (a Redis reachable from the cluster, a SQLite file on a
//! node) must not get a session to call Argo CD with, nor be able to plant a key or a verdict. So
//! with `MCP_STORE_KEY` set, every such entry is sealed: XChaCha20-Poly1305 (confidential and
//! tamper-evident) under a key derived from that secret, bound to the entry's own name so an
//! entry moved under another name (one caller's token under another's) does not open. The
//! approval key is derived from the same secret and never stored at all.
//!
//! An entry that does not open (another key, tampered, written before sealing was on) reads as
//! absent: the instance makes it again (logs in, exchanges, fetches) and writes it sealed.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::host::TokenStore;

/// Fewest characters `MCP_STORE_KEY` may have: 32 random characters (`openssl rand -base64 32`
/// gives 44) are far beyond guessing, and a short one is most likely a placeholder.
pub const MIN_SECRET_CHARS: usize = 32;

/// What starts a sealed entry: its format, so a later one can be told apart.
const MAGIC: &[u8] = b"argocd-mcp-sealed-1\0";
const NONCE_BYTES: usize = 24;

/// Keys derived from `MCP_STORE_KEY`, one per use, so no key serves two purposes.
#[derive(Clone)]
pub struct StoreSeal {
    entries: [u8; 32],
    approvals: [u8; 32],
    names: [u8; 32],
}

impl fmt::Debug for StoreSeal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StoreSeal(***)")
    }
}

impl StoreSeal {
    /// Derives the keys from the secret (HKDF-SHA256); refuses one too short to be a key.
    pub fn from_secret(secret: &str) -> Result<StoreSeal, String> {
        let secret = secret.trim();
        if secret.chars().count() < MIN_SECRET_CHARS {
            return Err(format!(
                "MCP_STORE_KEY has {} characters; it needs at least {MIN_SECRET_CHARS} random ones (e.g. `openssl rand -base64 32`)",
                secret.chars().count()
            ));
        }
        let derivation = Hkdf::<Sha256>::new(Some(b"argocd-mcp store seal"), secret.as_bytes());
        let derive = |purpose: &[u8]| {
            let mut key = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 8,160: expanding cannot fail.
            let _ = derivation.expand(purpose, &mut key);
            key
        };
        Ok(StoreSeal {
            entries: derive(b"entries v1"),
            approvals: derive(b"approvals v1"),
            names: derive(b"names v1"),
        })
    }

    /// The key approvals are sealed with for the deployment that serves `argocd_url`: the same
    /// on every instance of it, and another for a deployment of another Argo CD that was given
    /// the same secret, so a yes given on one never runs on the other.
    pub fn approval_key(&self, argocd_url: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.approvals)
            .expect("HMAC takes any key length");
        mac.update(argocd_url.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A digest of `text` only holders of the secret can compute, for naming entries after
    /// something secret (a client secret) without the name revealing or confirming it.
    pub fn name_digest(&self, text: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.names).expect("HMAC takes any key length");
        mac.update(text.as_bytes());
        crate::hex(&mac.finalize().into_bytes()[..16])
    }

    /// `plain` sealed for the entry called `name`.
    pub fn seal(&self, name: &str, plain: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|e| format!("no randomness to seal with: {e}"))?;
        let cipher = XChaCha20Poly1305::new((&self.entries).into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| "the entry could not be sealed".to_string())?;
        let mut entry = Vec::with_capacity(MAGIC.len() + NONCE_BYTES + sealed.len());
        entry.extend_from_slice(MAGIC);
        entry.extend_from_slice(&nonce);
        entry.extend_from_slice(&sealed);
        Ok(entry)
    }

    /// What was sealed for `name`; `None` for anything else (not sealed, sealed with another
    /// key or for another name, altered).
    pub fn open(&self, name: &str, entry: &[u8]) -> Option<Vec<u8>> {
        let rest = entry.strip_prefix(MAGIC)?;
        if rest.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_BYTES);
        XChaCha20Poly1305::new((&self.entries).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: name.as_bytes(),
                },
            )
            .ok()
    }
}

/// Reads an entry written by [`put`] with the same seal. A store that fails reads as empty: the
/// caller makes the entry again.
pub fn get<S: TokenStore + ?Sized>(
    store: &S,
    seal: Option<&StoreSeal>,
    name: &str,
) -> Option<Vec<u8>> {
    let entry = store.get(name).ok()??;
    match seal {
        Some(seal) => seal.open(name, &entry),
        // Without a seal nothing sealed can be read; a sealed entry is not JSON and fails to parse.
        None => Some(entry),
    }
}

/// Writes `value` under `name`, sealed when there is a seal.
pub fn put<S: TokenStore + ?Sized>(
    store: &S,
    seal: Option<&StoreSeal>,
    name: &str,
    value: &[u8],
) -> Result<(), String> {
    match seal {
        Some(seal) => Ok(store.set(name, &seal.seal(name, value)?)?),
        None => Ok(store.set(name, value)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemoryTokenStore;

    const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    fn seal() -> StoreSeal {
        StoreSeal::from_secret(SECRET).unwrap()
    }

    #[test]
    fn a_sealed_entry_opens_under_its_name_only() {
        let seal = seal();
        let entry = seal
            .seal("argocd-mcp/session/a", b"{\"token\":\"eyJ\"}")
            .unwrap();
        assert!(!entry.windows(3).any(|w| w == b"eyJ"), "nothing in clear");
        assert_eq!(
            seal.open("argocd-mcp/session/a", &entry).unwrap(),
            b"{\"token\":\"eyJ\"}"
        );
        assert_eq!(
            seal.open("argocd-mcp/session/b", &entry),
            None,
            "moved entry"
        );
        // Two seals of one value differ (fresh nonce), and both open.
        let again = seal
            .seal("argocd-mcp/session/a", b"{\"token\":\"eyJ\"}")
            .unwrap();
        assert_ne!(entry, again);
        assert!(seal.open("argocd-mcp/session/a", &again).is_some());
    }

    #[test]
    fn anything_altered_or_foreign_does_not_open() {
        let seal = seal();
        let entry = seal.seal("n", b"value").unwrap();
        for at in 0..entry.len() {
            let mut altered = entry.clone();
            altered[at] ^= 1;
            assert_eq!(seal.open("n", &altered), None, "byte {at} altered");
        }
        assert_eq!(seal.open("n", &entry[..entry.len() - 1]), None);
        assert_eq!(seal.open("n", b"value"), None, "plain entry");
        assert_eq!(seal.open("n", MAGIC), None, "header alone");
        let other = StoreSeal::from_secret("another secret of enough characters, 40").unwrap();
        assert_eq!(other.open("n", &entry), None, "another key");
    }

    #[test]
    fn a_short_secret_is_refused_and_the_keys_differ_by_purpose() {
        let refused = StoreSeal::from_secret("  short  ").unwrap_err();
        assert!(refused.contains("MCP_STORE_KEY") && refused.contains("32"));
        assert!(!refused.contains("short"), "the value is never repeated");
        let seal = seal();
        assert_ne!(seal.approval_key("https://cd"), seal.entries.to_vec());
        assert_ne!(seal.names, seal.entries);
        assert_eq!(
            seal.approval_key("https://cd"),
            StoreSeal::from_secret(SECRET)
                .unwrap()
                .approval_key("https://cd")
        );
        assert_ne!(
            seal.approval_key("https://cd"),
            seal.approval_key("https://cd2")
        );
        assert_eq!(format!("{seal:?}"), "StoreSeal(***)");
        // Names: stable for one secret, unrelated for another, never the text itself.
        let digest = seal.name_digest("client\0secret");
        assert_eq!(digest, seal.name_digest("client\0secret"));
        assert_ne!(digest, seal.name_digest("client\0secreT"));
        let other = StoreSeal::from_secret("another secret of enough characters, 40").unwrap();
        assert_ne!(digest, other.name_digest("client\0secret"));
    }

    #[test]
    fn the_store_helpers_seal_when_there_is_a_seal() {
        let store = MemoryTokenStore::default();
        let seal = seal();
        put(&store, Some(&seal), "k", b"secret-token").unwrap();
        let raw = store.get("k").unwrap().unwrap();
        assert!(raw.starts_with(MAGIC) && !raw.ends_with(b"secret-token"));
        assert_eq!(get(&store, Some(&seal), "k").unwrap(), b"secret-token");
        assert_eq!(
            get(&store, None, "k").unwrap(),
            raw,
            "unsealed readers see bytes only"
        );
        put(&store, None, "plain", b"x").unwrap();
        assert_eq!(get(&store, None, "plain").unwrap(), b"x");
        assert_eq!(
            get(&store, Some(&seal), "plain"),
            None,
            "plain reads as absent"
        );
        assert_eq!(get(&store, Some(&seal), "missing"), None);
    }
}

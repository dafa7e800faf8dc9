//! Whether a name that text gives a value names a credential: [`looks_like_credential`] (the
//! rule objects are masked by, words run together such as `MASTERKEY` and `basicauth`
//! included), less what text tells apart: a name whose last word is a component
//! (`token-service`, `auth-proxy`) names a program, not a credential: its value is a port or a
//! tag.

use crate::tools::masking::{looks_like_credential, words};

/// Whether `name` names a credential in text.
pub fn credential(name: &str) -> bool {
    looks_like_credential(name) && !names_a_component(name) && !names_a_public_digest(name)
}

/// `--discovery-token-ca-cert-hash`: the digest of a certificate, which is public (it lets a
/// client check the server), though the name holds `token`.
fn names_a_public_digest(name: &str) -> bool {
    let last = name.rsplit(['-', '_', '.']).next().unwrap_or(name);
    let digest = ["hash", "digest", "fingerprint"]
        .iter()
        .any(|d| last.eq_ignore_ascii_case(d));
    digest && words(name).any(|w| w.eq_ignore_ascii_case("cert") || w.eq_ignore_ascii_case("ca"))
}

/// What a name ends with when it names a program or a part of one (`token-service`,
/// `auth-proxy`, `secret-reader`): a port, an image tag or a status follows it, not a secret.
const COMPONENTS: [&str; 22] = [
    "service",
    "svc",
    "proxy",
    "server",
    "manager",
    "operator",
    "controller",
    "broker",
    "webhook",
    "gateway",
    "reader",
    "writer",
    "exporter",
    "injector",
    "rotator",
    "sidecar",
    "agent",
    "provider",
    "issuer",
    "plugin",
    "generator",
    "syncer",
];

/// Whether the last word of `name` (split at `-`, `_`, `.`) is a [`COMPONENTS`] word.
pub fn names_a_component(name: &str) -> bool {
    name.rsplit(['-', '_', '.'])
        .next()
        .is_some_and(|last| COMPONENTS.iter().any(|c| last.eq_ignore_ascii_case(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_run_together_with_key_or_auth_name_credentials() {
        for name in [
            "PARSE_SERVER_MASTERKEY",
            "masterkey",
            "TS_AUTHKEY",
            "authkey",
            "SIGNINGKEY",
            "privkey",
            "sshkey",
            "LICENSEKEY",
            "HMACKEY",
            "APIAUTH",
            "basicauth",
            "encryptionkey",
            "accesskey",
            "MINIO_SECRETKEY",
            "db_password",
            "password-hash",
        ] {
            assert!(credential(name), "{name}");
        }
        for name in [
            "monkey",
            "hotkey",
            "sortkey",
            "keyspace",
            "oauth",
            "turkey",
            "token-service",
            "auth-proxy",
            "secret-reader",
            "vault-agent",
            "image",
            "discovery-token-ca-cert-hash",
        ] {
            assert!(!credential(name), "{name}");
        }
    }
}

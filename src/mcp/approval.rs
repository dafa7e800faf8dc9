//! A person's approval of one exact call, the 2026-07-28 way: the server answers the call with
//! `resultType: "input_required"`, a form for the client to show (elicitation) and a sealed
//! `requestState`; the client retries with the person's answer and that state echoed back.
//!
//! The state is what makes the answer mean something. It names the tool, a digest of the exact
//! arguments and an expiry, and is sealed with an HMAC under a key only the server holds, so a
//! client cannot mint one (an `inputResponses` with no valid state is asked again, never run),
//! and an answer given for one call cannot be replayed on other arguments. Its nonce is spent on
//! first use, so one yes runs one call.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;

/// How long a person has to answer, and the client to retry.
pub const APPROVAL_TTL_MS: u64 = 10 * 60 * 1000;
/// The key of our one input request: the person's approval.
pub const APPROVAL_REQUEST: &str = "approval";

/// What approvals need from the server's host: a secret shared by every instance, a record of
/// spent approvals, and the time.
pub trait ApprovalLedger {
    /// The sealing key: the same on every instance that may receive the retry.
    fn secret(&self) -> Result<Vec<u8>, String>;
    /// Records `nonce` as used until `until_ms`; `Ok(false)` when it was used already. A future,
    /// because a store without an atomic step must pause before it can tell who spent it first.
    fn spend<'a>(&'a self, nonce: &'a str, until_ms: u64) -> Spending<'a>;
    fn now_unix_ms(&self) -> u64;
    /// Fresh random bytes for a nonce.
    fn nonce(&self) -> [u8; 16];
}

/// What [`ApprovalLedger::spend`] answers, when it can.
pub type Spending<'a> = Pin<Box<dyn Future<Output = Result<bool, String>> + 'a>>;

/// The sealed content of a `requestState`.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Sealed {
    /// Tool name.
    tool: String,
    /// SHA-256 of the canonical arguments and the question the person was shown, hex: a yes
    /// approves this call as it was stated, and a retry whose statement came out otherwise
    /// (the app changed meanwhile) is asked again.
    args: String,
    /// Expiry, Unix milliseconds.
    exp: u64,
    /// Single-use identifier, hex.
    nonce: String,
    /// Whom the person was asked for: SHA-256 of the caller's principal, hex (see [`Caller`]).
    who: String,
}

/// Who makes a call, as far as the server tells callers apart: in user mode the provider's
/// issuer and the caller's subject; with one shared bearer, nobody in particular. An approval
/// asked for one caller opens for that caller alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
}

impl Caller<'_> {
    /// Callers the server does not tell apart (one shared bearer, or none).
    pub const ANYONE: Caller<'static> = Caller {
        issuer: "",
        subject: "",
    };

    fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.issuer, self.subject] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        crate::hex(&hasher.finalize())
    }
}

/// What a retry's state and answer amount to.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A valid state for exactly this call, and the person said yes: run it (once).
    Approved,
    /// A valid state, and the person said no or cancelled.
    Refused,
    /// No state, a forged, expired or spent one, or one for another call: ask again.
    AskAgain,
}

/// JSON with object keys sorted at every level, so equal arguments give equal digests whatever
/// order a client wrote them in.
pub fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                crate::order::sort_rows_by(&mut keys, |a, b| a.cmp(b));
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&scalar.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn digest(tool: &str, arguments: &Value, question: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [tool, &canonical_json(arguments), question] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    crate::hex(&hasher.finalize())
}

fn mac(secret: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"argocd-mcp approval v1\0");
    mac.update(payload);
    mac
}

/// A fresh `requestState` for a call of `tool` with `arguments`.
pub fn seal(
    ledger: &dyn ApprovalLedger,
    caller: Caller<'_>,
    tool: &str,
    arguments: &Value,
    question: &str,
) -> Result<String, String> {
    let secret = ledger.secret()?;
    let sealed = Sealed {
        tool: tool.to_owned(),
        args: digest(tool, arguments, question),
        exp: ledger.now_unix_ms().saturating_add(APPROVAL_TTL_MS),
        nonce: crate::hex(&ledger.nonce()),
        who: caller.digest(),
    };
    let payload = serde_json::to_vec(&sealed).map_err(|e| e.to_string())?;
    let tag = mac(&secret, &payload).finalize().into_bytes();
    Ok(format!(
        "v1.{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

/// The sealed content of `state` if the server made it for exactly this call and it has not
/// expired. Anything else, however malformed, is `None`.
fn open(
    ledger: &dyn ApprovalLedger,
    state: &str,
    caller: Caller<'_>,
    tool: &str,
    arguments: &Value,
    question: &str,
) -> Result<Option<Sealed>, String> {
    let mut parts = state.split('.');
    let (Some("v1"), Some(payload), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let (Ok(payload), Ok(tag)) = (URL_SAFE_NO_PAD.decode(payload), URL_SAFE_NO_PAD.decode(tag))
    else {
        return Ok(None);
    };
    let secret = ledger.secret()?;
    // `verify_slice` compares in constant time.
    if mac(&secret, &payload).verify_slice(&tag).is_err() {
        return Ok(None);
    }
    let Ok(sealed) = crate::argocd::objects::from_slice::<Sealed>(&payload) else {
        return Ok(None);
    };
    let matches = sealed.tool == tool
        && sealed.who == caller.digest()
        && sealed.args == digest(tool, arguments, question)
        && sealed.exp > ledger.now_unix_ms();
    Ok(matches.then_some(sealed))
}

/// Judges a retry: its `requestState` (if any) and the person's answer in `inputResponses`.
/// An answer is spent here, so the same state never approves twice (nor after a no); a state another caller was
/// given opens for nobody else, and so is not spent by their attempt.
pub async fn judge(
    ledger: &dyn ApprovalLedger,
    caller: Caller<'_>,
    tool: &str,
    arguments: &Value,
    question: &str,
    request_state: Option<&Value>,
    answer: Option<&Value>,
) -> Result<Verdict, String> {
    let (Some(Value::String(state)), Some(answer)) = (request_state, answer) else {
        return Ok(Verdict::AskAgain);
    };
    let Some(sealed) = open(ledger, state, caller, tool, arguments, question)? else {
        return Ok(Verdict::AskAgain);
    };
    // Any answer spends the state, a no as much as a yes: a refusal is final, and asking again
    // makes a new question.
    if !ledger.spend(&sealed.nonce, sealed.exp).await? {
        return Ok(Verdict::AskAgain);
    }
    let approved = answer.get("action") == Some(&json!("accept"))
        && answer.pointer("/content/approve") == Some(&json!(true));
    Ok(if approved {
        Verdict::Approved
    } else {
        Verdict::Refused
    })
}

/// The `input_required` result that asks the person `question` about this call.
pub fn ask(
    ledger: &dyn ApprovalLedger,
    caller: Caller<'_>,
    tool: &str,
    arguments: &Value,
    question: &str,
) -> Result<Value, String> {
    Ok(json!({
        "resultType": "input_required",
        "inputRequests": {
            APPROVAL_REQUEST: {
                "method": "elicitation/create",
                "params": {
                    "mode": "form",
                    "message": question,
                    "requestedSchema": {
                        "type": "object",
                        "properties": {
                            "approve": {
                                "type": "boolean",
                                "title": "Approve",
                                "description": "Yes runs it; no changes nothing.",
                            },
                        },
                        "required": ["approve"],
                    },
                },
            },
        },
        "requestState": seal(ledger, caller, tool, arguments, question)?,
    }))
}

/// An in-memory ledger for tests.
#[cfg(test)]
pub mod memory {
    use super::{ApprovalLedger, Spending};
    use std::cell::{Cell, RefCell};
    use std::collections::HashSet;

    pub struct MemoryLedger {
        pub secret: Vec<u8>,
        pub now: Cell<u64>,
        pub spent: RefCell<HashSet<String>>,
        pub counter: Cell<u8>,
    }

    impl Default for MemoryLedger {
        fn default() -> Self {
            MemoryLedger {
                secret: b"test secret".to_vec(),
                now: Cell::new(1_000_000),
                spent: RefCell::default(),
                counter: Cell::new(0),
            }
        }
    }

    impl ApprovalLedger for MemoryLedger {
        fn secret(&self) -> Result<Vec<u8>, String> {
            Ok(self.secret.clone())
        }
        fn spend<'a>(&'a self, nonce: &'a str, _until_ms: u64) -> Spending<'a> {
            let fresh = self.spent.borrow_mut().insert(nonce.to_owned());
            Box::pin(std::future::ready(Ok(fresh)))
        }
        fn now_unix_ms(&self) -> u64 {
            self.now.get()
        }
        fn nonce(&self) -> [u8; 16] {
            self.counter.set(self.counter.get().wrapping_add(1));
            [self.counter.get(); 16]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemoryLedger;
    use super::*;

    fn yes() -> Value {
        json!({"action": "accept", "content": {"approve": true}})
    }

    fn state_of(asked: &Value) -> Value {
        asked["requestState"].clone()
    }

    #[test]
    fn canonical_json_ignores_key_order_only() {
        let a = json!({"b": 1, "a": {"y": [1, {"d": 2, "c": 3}], "x": "é"}});
        let b = json!({"a": {"x": "é", "y": [1, {"c": 3, "d": 2}]}, "b": 1});
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":"é","y":[1,{"c":3,"d":2}]},"b":1}"#
        );
        assert_ne!(
            canonical_json(&json!({"a": [1, 2]})),
            canonical_json(&json!({"a": [2, 1]}))
        );
    }

    #[test]
    fn a_yes_without_the_servers_state_is_asked_again() {
        let ledger = MemoryLedger::default();
        let args = json!({"app_name": "a", "confirm": true});
        for state in [
            None,
            Some(json!("")),
            Some(json!("v1.e30.AAAA")),
            Some(json!(42)),
        ] {
            assert_eq!(
                pollster::block_on(judge(
                    &ledger,
                    Caller::ANYONE,
                    "sync",
                    &args,
                    "ok?",
                    state.as_ref(),
                    Some(&yes())
                ))
                .unwrap(),
                Verdict::AskAgain,
                "{state:?}"
            );
        }
    }

    #[test]
    fn a_yes_holds_for_the_exact_call_once() {
        let ledger = MemoryLedger::default();
        let args = json!({"app_name": "a", "confirm": true});
        let state = state_of(&ask(&ledger, Caller::ANYONE, "sync", &args, "ok?").unwrap());
        // Other arguments, another tool, another profile: not this approval.
        for (tool, other) in [
            ("sync", json!({"app_name": "b", "confirm": true})),
            ("delete", args.clone()),
            (
                "sync",
                json!({"app_name": "a", "confirm": true, "profile": "prod"}),
            ),
        ] {
            assert_eq!(
                pollster::block_on(judge(
                    &ledger,
                    Caller::ANYONE,
                    tool,
                    &other,
                    "ok?",
                    Some(&state),
                    Some(&yes())
                ))
                .unwrap(),
                Verdict::AskAgain
            );
        }
        // The same call with its keys in another order is the same call.
        let reordered = json!({"confirm": true, "app_name": "a"});
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                Caller::ANYONE,
                "sync",
                &reordered,
                "ok?",
                Some(&state),
                Some(&yes())
            ))
            .unwrap(),
            Verdict::Approved
        );
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                Caller::ANYONE,
                "sync",
                &args,
                "ok?",
                Some(&state),
                Some(&yes())
            ))
            .unwrap(),
            Verdict::AskAgain,
            "spent"
        );
    }

    #[test]
    fn no_means_no_and_expired_or_tampered_state_is_worthless() {
        let ledger = MemoryLedger::default();
        let args = json!({"app_name": "a"});
        let state = state_of(&ask(&ledger, Caller::ANYONE, "sync", &args, "ok?").unwrap());
        let no = json!({"action": "decline"});
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                Caller::ANYONE,
                "sync",
                &args,
                "ok?",
                Some(&state),
                Some(&no)
            ))
            .unwrap(),
            Verdict::Refused
        );
        // Tampering: a payload for other arguments under the old tag.
        let text = state.as_str().unwrap();
        let tag = text.rsplit('.').next().unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Sealed {
                tool: "sync".into(),
                args: digest("sync", &json!({"app_name": "b"}), "ok?"),
                exp: u64::MAX,
                nonce: "00".into(),
                who: Caller::ANYONE.digest(),
            })
            .unwrap(),
        );
        let forged = json!(format!("v1.{forged_payload}.{tag}"));
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                Caller::ANYONE,
                "sync",
                &json!({"app_name": "b"}),
                "ok?",
                Some(&forged),
                Some(&yes())
            ))
            .unwrap(),
            Verdict::AskAgain
        );
        // Another server's key does not open it.
        let other = MemoryLedger {
            secret: b"another key".to_vec(),
            ..MemoryLedger::default()
        };
        assert_eq!(
            pollster::block_on(judge(
                &other,
                Caller::ANYONE,
                "sync",
                &args,
                "ok?",
                Some(&state),
                Some(&yes())
            ))
            .unwrap(),
            Verdict::AskAgain
        );
        // Too late.
        ledger.now.set(ledger.now.get() + APPROVAL_TTL_MS + 1);
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                Caller::ANYONE,
                "sync",
                &args,
                "ok?",
                Some(&state),
                Some(&yes())
            ))
            .unwrap(),
            Verdict::AskAgain
        );
    }
}

#[cfg(test)]
mod callers {
    use super::memory::MemoryLedger;
    use super::*;

    #[test]
    fn an_approval_opens_for_the_caller_it_was_asked_for_and_no_other() {
        let ledger = MemoryLedger::default();
        let alice = Caller {
            issuer: "https://sso.example.com",
            subject: "alice",
        };
        let bob = Caller {
            subject: "bob",
            ..alice
        };
        // Same subject from another issuer is someone else too.
        let alice_elsewhere = Caller {
            issuer: "https://other.example.com",
            ..alice
        };
        let args = json!({"app_name": "a", "confirm": true});
        let asked = ask(&ledger, alice, "sync", &args, "ok?").unwrap();
        let state = asked["requestState"].clone();
        let yes = json!({"action": "accept", "content": {"approve": true}});
        for other in [bob, alice_elsewhere, Caller::ANYONE] {
            assert_eq!(
                pollster::block_on(judge(
                    &ledger,
                    other,
                    "sync",
                    &args,
                    "ok?",
                    Some(&state),
                    Some(&yes)
                ))
                .unwrap(),
                Verdict::AskAgain,
                "{other:?}"
            );
        }
        assert!(
            ledger.spent.borrow().is_empty(),
            "another caller's attempt spends nothing"
        );
        // The same call stated otherwise (the app changed since the person was asked).
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                alice,
                "sync",
                &args,
                "ok now?",
                Some(&state),
                Some(&yes)
            ))
            .unwrap(),
            Verdict::AskAgain
        );
        assert_eq!(
            pollster::block_on(judge(
                &ledger,
                alice,
                "sync",
                &args,
                "ok?",
                Some(&state),
                Some(&yes)
            ))
            .unwrap(),
            Verdict::Approved,
            "the owner's yes still holds"
        );
    }
}

//! The secrets the settings hold, taken out by their value where answers leave: an upstream that
//! quotes what it was sent (a provider echoing the client secret in its refusal, a proxy
//! quoting a header) does not pass it on. The credential rules find secrets by their shape and
//! name; these are found by what they are, in the spellings an upstream writes them in.

use std::borrow::Cow;

use serde_json::Value;

use crate::settings::Settings;

/// The shortest secret taken out by its value: a shorter one would take ordinary words with it.
const OWN_SECRET_SHORTEST: usize = 6;

/// The secret values the settings hold ([`Settings::secret_values`]), in every spelling an
/// upstream quotes them in: as written, form-encoded (as sent to a token endpoint),
/// JSON-escaped, in hex, and in base64 of any text that holds them.
pub struct OwnSecrets(Vec<Spelling>);

/// One way a secret is written, and what is hidden with it.
struct Spelling {
    text: String,
    /// The bytes of the word the spelling is part of, hidden with it: the base64 of a longer
    /// text holding the secret has characters that mix the secret's bits with its neighbours',
    /// so the whole base64 word goes.
    word: fn(u8) -> bool,
}

fn no_word(_: u8) -> bool {
    false
}

fn base64_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=')
}

fn hex_word(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

impl OwnSecrets {
    pub fn of(settings: &Settings) -> OwnSecrets {
        let form = crate::identity::delegation::form_encode;
        let mut spellings = Vec::new();
        for secret in settings.secret_values() {
            if secret.len() < OWN_SECRET_SHORTEST {
                continue;
            }
            let quoted = Value::String(secret.to_owned()).to_string();
            let exact = |text: String| Spelling {
                text,
                word: no_word,
            };
            spellings.extend([
                exact(secret.to_owned()),
                exact(quoted[1..quoted.len() - 1].to_owned()),
            ]);
            // What an upstream encodes is what it was sent: the secret itself, or form-encoded
            // in a body (the client secret, also inside the pair a Basic header carries).
            for sent in [secret.to_owned(), form(secret)] {
                spellings.push(exact(sent.clone()));
                let hex: String = sent.bytes().map(|b| format!("{b:02x}")).collect();
                spellings.push(Spelling {
                    text: hex.to_ascii_uppercase(),
                    word: hex_word,
                });
                spellings.push(Spelling {
                    text: hex,
                    word: hex_word,
                });
                for text in base64_cores(sent.as_bytes()) {
                    spellings.push(Spelling {
                        text,
                        word: base64_word,
                    });
                }
            }
        }
        // Longest first: a spelling inside another must not break the longer one before it is
        // found.
        crate::order::sort_rows_by(&mut spellings, |a, b| b.text.len().cmp(&a.text.len()));
        spellings.dedup_by(|a, b| a.text == b.text);
        OwnSecrets(spellings)
    }

    /// `text` without any of the secrets.
    pub fn hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for spelling in &self.0 {
            if !out.contains(spelling.text.as_str()) {
                continue;
            }
            let bytes = out.as_bytes();
            let (mut clean, mut kept) = (String::with_capacity(out.len()), 0);
            for (at, _) in out.match_indices(spelling.text.as_str()) {
                if at < kept {
                    continue;
                }
                // The word around it, over ASCII bytes only: every end is a character boundary.
                let mut start = at;
                while start > kept && (spelling.word)(bytes[start - 1]) {
                    start -= 1;
                }
                let mut end = at + spelling.text.len();
                while end < bytes.len() && (spelling.word)(bytes[end]) {
                    end += 1;
                }
                clean.push_str(&out[kept..start]);
                clean.push_str(crate::tools::masking::MASK);
                kept = end;
            }
            clean.push_str(&out[kept..]);
            out = Cow::Owned(clean);
        }
        out
    }

    /// Every string of a JSON value, object keys included, without the secrets.
    pub fn hide_in(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        match value {
            Value::String(text) => {
                if let Cow::Owned(clean) = self.hidden_in(text) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.hide_in(v)),
            Value::Object(map) => {
                if map
                    .keys()
                    .any(|key| matches!(self.hidden_in(key), Cow::Owned(_)))
                {
                    for (key, mut inner) in std::mem::take(map) {
                        self.hide_in(&mut inner);
                        map.insert(self.hidden_in(&key).into_owned(), inner);
                    }
                } else {
                    map.values_mut().for_each(|v| self.hide_in(v));
                }
            }
            _ => {}
        }
    }
}

/// What base64 of any text holding `secret` holds, whatever stands around it: base64 writes six
/// bits a character, so the secret starts 0, 8 or 16 bits into a character group of 24, and
/// only the characters whose six bits all fall inside the secret are the same in every text
/// (in the standard and the URL-safe alphabet).
fn base64_cores(secret: &[u8]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut cores = Vec::new();
    for offset in 0..3 {
        let mut text = vec![0; offset];
        text.extend_from_slice(secret);
        let (first_bit, end_bit) = (8 * offset, 8 * (offset + secret.len()));
        // Characters whose bits [6c, 6c + 6) lie within [first_bit, end_bit).
        let first = first_bit.div_ceil(6);
        let end = end_bit / 6;
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&text);
            if let Some(core) = encoded.get(first..end) {
                cores.push(core.to_owned());
            }
        }
    }
    cores
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The eighteenth review (S1): what an upstream quotes of the secrets the settings hold
    /// (the client secret a provider echoes, as sent or form-encoded) is taken out of answers.
    #[test]
    fn the_settings_own_secrets_are_taken_out_by_value() {
        let mut settings = crate::testing::login_settings();
        settings.mcp_auth_token = Some(crate::settings::Secret::new("Mcp-T0ken+x/y"));
        settings.extra_headers = vec![("X-Key".into(), crate::settings::Secret::new("hdr"))];
        let secrets = OwnSecrets::of(&settings);
        let mut answer = json!({
            "error": "client argocd-mcp:pw-never-shown may not exchange tokens",
            "echo": "client_secret=Mcp-T0ken%2Bx%2Fy&grant_type=x",
            "pw-never-shown": ["Mcp-T0ken+x/y"],
            "short": "hdr stays: too short to take out by value"
        });
        secrets.hide_in(&mut answer);
        let text = answer.to_string();
        assert!(!text.contains("pw-never-shown"), "{text}");
        assert!(!text.contains("Mcp-T0ken"), "{text}");
        assert!(text.contains("hdr stays"), "{text}");
        assert_eq!(
            secrets.hidden_in("refused (secret pw-never-shown)"),
            "refused (secret ***)"
        );
        // The nineteenth review (B1): the client credentials in base64, as a Basic header
        // carries them, and a secret JSON-escaped or in base64 alone.
        use base64::Engine;
        let secret = "Cl1ent \"s3cret\"";
        settings.user_mode = Some(crate::settings::UserMode {
            issuer: "https://idp.test".into(),
            resource: "https://mcp.test/mcp".into(),
            audience: "argocd-mcp".into(),
            client_id: "argocd-mcp".into(),
            client_secret: Some(crate::settings::Secret::new(secret)),
            argocd_client_id: "argo-cd".into(),
            scopes: Vec::new(),
            delegation: crate::settings::Delegation::Exchange,
        });
        let secrets = OwnSecrets::of(&settings);
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        for echoed in [
            format!(
                "client credentials {} refused",
                b64(&format!("argocd-mcp:{secret}"))
            ),
            format!(
                "client credentials {} refused",
                b64("argocd-mcp:Cl1ent+%22s3cret%22")
            ),
            format!("{{\"secret\": {}}}", Value::String(secret.into())),
            format!("secret {} refused", b64(secret)),
        ] {
            let clean = secrets.hidden_in(&echoed);
            assert!(clean.contains("***"), "{echoed} → {clean}");
            assert!(!clean.contains("s3cret"), "{echoed} → {clean}");
        }
    }

    /// The twentieth review (E1): a secret quoted in hex, or inside the base64 of a longer text
    /// at any offset (the whole form body base64'd), is taken out with the word around it.
    #[test]
    fn a_secret_in_hex_or_in_base64_at_any_offset_is_taken_out() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut settings = crate::testing::login_settings();
        let secret = "Sh0rt+s3cret/value";
        settings.mcp_auth_token = Some(crate::settings::Secret::new(secret));
        let secrets = OwnSecrets::of(&settings);
        let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
        let mut echoes = vec![
            format!("sent {hex} refused"),
            format!("sent {} refused", hex.to_uppercase()),
        ];
        for prefix in ["", "s", "s=", "client_id=x&client_secret=", "ab:"] {
            for sent in [
                secret.to_owned(),
                crate::identity::delegation::form_encode(secret),
            ] {
                let body = format!("{prefix}{sent}&grant_type=x");
                echoes.push(format!("body {} refused", STANDARD.encode(&body)));
                echoes.push(format!("body {} refused", URL_SAFE_NO_PAD.encode(&body)));
            }
        }
        for echoed in echoes {
            let clean = secrets.hidden_in(&echoed);
            assert!(clean.ends_with(" refused"), "{echoed} → {clean}");
            assert_eq!(clean.matches("***").count(), 1, "{echoed} → {clean}");
            // Nothing of the encoded word is left beside the mask.
            let word = clean.split(' ').nth(1).unwrap();
            assert_eq!(word, "***", "{echoed} → {clean}");
        }
        // Words that do not hold the secret stay.
        let other = STANDARD.encode("client_secret=another-value&grant_type=x");
        assert_eq!(secrets.hidden_in(&other), other);
    }
}

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
pub struct OwnSecrets {
    spellings: Vec<Spelling>,
    /// Each secret as it is, when it is ASCII: also looked for in what a text's escapes stand
    /// for ([`read_through_escapes`]).
    plain: Vec<Vec<u8>>,
    /// What base64 of any text holding a secret holds ([`base64_cores`]): also looked for in
    /// base64 wrapped over lines, as MIME writes it.
    cores: Vec<Vec<u8>>,
}

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
        let (mut spellings, mut plain, mut cores) = (Vec::new(), Vec::new(), Vec::new());
        for secret in settings.secret_values() {
            if secret.len() < OWN_SECRET_SHORTEST {
                continue;
            }
            if secret.is_ascii() {
                plain.push(secret.as_bytes().to_vec());
            }
            let exact = |text: String| Spelling {
                text,
                word: no_word,
            };
            spellings.push(exact(secret.to_owned()));
            // JSON-escaped as serde, Go (`\u0026` for `&`, `<`, `>`) and PHP (`\/`) write it,
            // and again for JSON text inside a JSON string, twice over.
            for (go, slash) in [(false, false), (true, false), (false, true), (true, true)] {
                let mut escaped = json_escaped(secret, go, slash);
                for _ in 0..3 {
                    spellings.push(exact(escaped.clone()));
                    escaped = json_escaped(&escaped, false, false);
                }
            }
            // In an HTML page (an error page quoting what it was sent): `&` and the characters
            // HTML escapes, as named, decimal and hex entities.
            if secret.contains(['&', '<', '>', '"', '\'']) {
                for (amp, lt, gt, quot, apos) in [
                    ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;"),
                    ("&#38;", "&#60;", "&#62;", "&#34;", "&#39;"),
                    ("&#x26;", "&#x3c;", "&#x3e;", "&#x22;", "&#x27;"),
                ] {
                    let html = secret
                        .replace('&', amp)
                        .replace('<', lt)
                        .replace('>', gt)
                        .replace('"', quot)
                        .replace('\'', apos);
                    spellings.push(exact(html));
                }
            }
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
                    // Each once (not sorted: the standard sort for this type alone would cost
                    // the components kilobytes, issue 16).
                    if !cores.iter().any(|core: &Vec<u8>| core == text.as_bytes()) {
                        cores.push(text.as_bytes().to_vec());
                    }
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
        OwnSecrets {
            spellings,
            plain,
            cores,
        }
    }

    /// `text` without any of the secrets: their spellings, then what its escapes stand for.
    pub fn hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match self.spellings_hidden_in(text) {
            Cow::Borrowed(text) => self.escaped_hidden_in(text),
            Cow::Owned(out) => match self.escaped_hidden_in(&out) {
                Cow::Borrowed(_) => Cow::Owned(out),
                Cow::Owned(clean) => Cow::Owned(clean),
            },
        }
    }

    /// `text` without the secrets written in escapes, at any depth of quoting or mixed
    /// (`\u0026` for `&`, `\/`, `%2F`, a quote escaped twice in JSON text inside a JSON
    /// string): each found in what the escapes stand for, and its escapes hidden.
    fn escaped_hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let escapes = text.bytes().any(|b| matches!(b, b'\\' | b'%' | b'&'));
        let wrapped = !self.cores.is_empty() && text.bytes().any(|b| matches!(b, b'\n' | b'\r'));
        if (self.plain.is_empty() && self.cores.is_empty()) || !(escapes || wrapped) {
            return Cow::Borrowed(text);
        }
        let (read, from) = read_through_escapes(text.as_bytes());
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut look_for = |needle: &[u8], word: fn(u8) -> bool| {
            let mut at = 0;
            while let Some(found) = find(&read[at..], needle) {
                let (mut start, mut end) = (at + found, at + found + needle.len());
                while start > 0 && word(read[start - 1]) {
                    start -= 1;
                }
                while end < read.len() && word(read[end]) {
                    end += 1;
                }
                spans.push((from[start].0, from[end - 1].1));
                at = end;
            }
        };
        for secret in &self.plain {
            look_for(secret, no_word);
        }
        for core in &self.cores {
            look_for(core, base64_word);
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        crate::order::sort_rows_by(&mut spans, |a, b| a.cmp(b));
        let (mut out, mut kept) = (String::with_capacity(text.len()), 0);
        for (start, end) in spans {
            if end <= kept {
                continue;
            }
            // Units are ASCII escapes or whole bytes of a character: widen to whole characters.
            let mut start = start.max(kept);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = end;
            while !text.is_char_boundary(end) {
                end += 1;
            }
            out.push_str(&text[kept..start]);
            out.push_str(crate::tools::masking::MASK);
            kept = end;
        }
        out.push_str(&text[kept..]);
        Cow::Owned(out)
    }

    /// `text` without any spelling of the secrets.
    fn spellings_hidden_in<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for spelling in &self.spellings {
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
        if self.spellings.is_empty() {
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

/// What `text` stands for with its escapes read ([`super::reading::unit`]: JSON at any depth of
/// quoting, percent-encoding, HTML's quotes), and where in `text` each byte of that reading was
/// written. A backslash written at a depth of quoting (2, 4, 8 … of them with no escape after)
/// reads as one. Line breaks between base64 characters are left out of the reading, so base64
/// wrapped over lines (MIME's 76 characters a line) reads as one word.
fn read_through_escapes(text: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    let (read, from) = units_of(text);
    let is_break = |b: u8| matches!(b, b'\n' | b'\r');
    let mut kept = (
        Vec::with_capacity(read.len()),
        Vec::with_capacity(read.len()),
    );
    let mut at = 0;
    while at < read.len() {
        if is_break(read[at]) && at > 0 && base64_word(read[at - 1]) {
            let run = read[at..].iter().take_while(|b| is_break(**b)).count();
            if read.get(at + run).is_some_and(|b| base64_word(*b)) {
                at += run;
                continue;
            }
        }
        kept.0.push(read[at]);
        kept.1.push(from[at]);
        at += 1;
    }
    kept
}

/// What `text` stands for, one byte a unit, and where each unit was written.
fn units_of(text: &[u8]) -> (Vec<u8>, Vec<(usize, usize)>) {
    let (mut read, mut from) = (
        Vec::with_capacity(text.len()),
        Vec::with_capacity(text.len()),
    );
    let mut at = 0;
    while at < text.len() {
        let run = text[at..]
            .iter()
            .take(super::reading::RUN_MOST + 1)
            .take_while(|b| **b == b'\\')
            .count();
        let unit = super::reading::unit(text, at);
        let len = if run >= 2 && run.is_power_of_two() && !unit.escaped {
            read.push(b'\\');
            run
        } else {
            read.push(unit.ch);
            unit.len
        };
        from.push((at, at + len));
        at += len;
    }
    (read, from)
}

/// `text` as the inside of a JSON string: quotes, backslashes and control characters escaped;
/// with `go`, also `&`, `<` and `>` as Go's encoder writes them; with `slash`, `/` as `\/`.
fn json_escaped(text: &str, go: bool, slash: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if slash => out.push_str("\\/"),
            '&' | '<' | '>' if go => out.push_str(&format!("\\u{:04x}", u32::from(ch))),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
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
        // MIME's base64, wrapped at 76 characters, with line breaks as written or escaped.
        let body =
            format!("client_id=x&client_secret={secret}&scope=openid&grant_type=token-exchange");
        let b64 = STANDARD.encode(&body);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(20)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        for joined in [lines.join("\r\n"), lines.join("\n"), lines.join("\\r\\n")] {
            let echoed = format!("refused [{joined}] here");
            let clean = secrets.hidden_in(&echoed);
            assert_eq!(clean, "refused [***] here", "{echoed}");
        }
        // Words that do not hold the secret stay.
        let escaped_settings = {
            let mut settings = crate::testing::login_settings();
            settings.mcp_auth_token = Some(crate::settings::Secret::new("R21/pw&Zx9-k<q>\\\"e"));
            settings
        };
        let escaped = OwnSecrets::of(&escaped_settings);
        for echoed in [
            // Go's JSON (`\u0026`, `\u003c`), PHP's `\/`.
            r#"upstream said {"seed":"R21\/pw\u0026Zx9-k\u003cq\u003e\\\"e","ok":false}"#,
            // JSON text inside a JSON string: every escape doubled.
            r#"{"text": "{\"seed\":\"R21/pw&Zx9-k<q>\\\\\\\"e\"}"}"#,
            // In an HTML page.
            "<p>token R21/pw&amp;Zx9-k&lt;q&gt;\\&quot;e refused</p>",
            "<p>token R21/pw&#38;Zx9-k&#60;q&#62;\\&#34;e refused</p>",
            // Every byte percent-encoded.
            "token=%52%32%31%2F%70%77%26%5A%78%39%2D%6B%3C%71%3E%5C%22%65 ok",
        ] {
            let clean = escaped.hidden_in(echoed);
            assert!(
                !clean.contains("Zx9") && !clean.contains("%5A"),
                "{echoed} → {clean}"
            );
            assert!(clean.contains("***"), "{echoed} → {clean}");
        }
        let other = STANDARD.encode("client_secret=another-value&grant_type=x");
        assert_eq!(secrets.hidden_in(&other), other);
    }
}

//! Credentials in text: Argo CD keeps repository URLs as they were written, and
//! `https://deploybot:TOKEN@git.example.com/…` then comes back in sources, history, ApplicationSet
//! templates and generators, conditions, events, operation messages and errors; pods log
//! connection strings, query strings and headers. Rather than each tool remembering every field
//! that can hold one, every answer is scrubbed here as a whole, after the tool ran: [`call`]
//! wraps the registry's dispatch, so no tool can forget.
//!
//! Two kinds of rule, applied to every string (object keys included), reading through JSON and
//! percent escapes ([`reading`]):
//! - [`userinfo`]: the `user:password@` of a URL, of a protocol-relative `//…` and of an
//!   scp-like address (`deploy:pw@git.example.com:org/repo`) is removed;
//! - the value of a credential the text names becomes `***`: a header or `Bearer`/`Basic`
//!   token ([`headers`]), a member of JSON, YAML, XML or a name/value pair ([`members`]), a
//!   `name=value`, a flag's argument or a keyword's (`PASSWORD '…'`) ([`assignments`]), a
//!   credential that says what it is (a private key's PEM block, a JWT, `ghp_…`) ([`tokens`]),
//!   a file's line format that holds one (`.pgpass`) ([`files`]), a literal compared with a
//!   credential in an expression (`.data.password == "…"`) ([`comparisons`]), a Secret's data
//!   written out in a message ([`secret_data`]), and what is left
//!   of a key or a block whose heading line a cut window left out ([`headless`]).
//!
//! scp-like git addresses without a password (`git@github.com:org/repo.git`) are kept.

mod anchors;
mod assignments;
mod calls;
mod commands;
mod comparisons;
mod directives;
mod files;
mod headers;
mod headless;
mod json_web_keys;
mod members;
mod names;
mod own_secrets;
mod reading;
mod runners;
mod secret_data;
mod spans;
mod tokens;
mod userinfo;

pub(in crate::tools) use anchors::hide_aliased;
pub use own_secrets::OwnSecrets;

use std::borrow::Cow;

use serde_json::Value;

use crate::context::RequestContext;
use crate::host::Host;
use crate::mcp::tool::{CallOutcome, Progress};

/// Runs the tool called `name` (see [`super::registry`]) and scrubs what it answers and reports
/// of credentials by their shape and name (the secrets the settings hold are taken out by their
/// value where answers leave: [`OwnSecrets`]).
pub async fn call<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    name: &str,
    arguments: Value,
    progress: &dyn Progress,
) -> CallOutcome {
    // The settings' own secrets first, in the answer and in every progress message: a rule that
    // hides a credential's value only to a space or a quote would leave the rest of a password
    // holding one, which no longer reads as the whole secret (`password=correct horse battery`
    // → `password=*** horse battery`).
    let own = context.own_secrets();
    let progress = ScrubbedProgress {
        inner: progress,
        own: &own,
    };
    let outcome = super::registry::call(host, context, name, arguments, &progress).await;
    match outcome {
        CallOutcome::Success(mut value) => {
            own.hide_in(&mut value);
            scrub_value(&mut value);
            CallOutcome::Success(value)
        }
        CallOutcome::ToolError(message) => {
            CallOutcome::ToolError(without_credentials(&own.hidden_in(&message)).into_owned())
        }
        CallOutcome::UnknownTool(message) => {
            CallOutcome::UnknownTool(without_credentials(&own.hidden_in(&message)).into_owned())
        }
    }
}

/// Progress messages quote Argo CD (an operation's message) too: scrubbed as the answer is,
/// the settings' own secrets first.
struct ScrubbedProgress<'a> {
    inner: &'a dyn Progress,
    own: &'a OwnSecrets,
}

impl Progress for ScrubbedProgress<'_> {
    fn report(&self, progress: f64, total: Option<f64>, message: &str) {
        let message = self.own.hidden_in(message);
        self.inner
            .report(progress, total, &without_credentials(&message));
    }

    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }
}

/// Removes the userinfo of every URL in `text` ([`userinfo`]) and masks the credentials that
/// text names ([`assignments`]). What one rule hides can change what the other reads (a masked
/// value no longer ends an authority at its `/`), so the rules run again on what changed, until
/// nothing does (a few passes at most: each only hides).
pub fn without_credentials(text: &str) -> Cow<'_, str> {
    const MOST_PASSES: usize = 4;
    let mut out = Cow::Borrowed(text);
    for _ in 0..MOST_PASSES {
        let mut changed = false;
        // Anchors first: the credential rules hide an alias's line (`password: *dbpass`), and
        // with it what tells which anchored value to hide.
        for rule in [anchors::hide_aliased, userinfo::strip, mask_named] {
            let clean = match rule(&out) {
                Cow::Owned(clean) => Some(clean),
                Cow::Borrowed(_) => None,
            };
            if let Some(clean) = clean {
                out = Cow::Owned(clean);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}

/// Masks the value of every credential `text` names ([`headers`], [`members`],
/// [`assignments`]). Where two rules could read the same place, the one that reads more of the
/// value goes first: a header takes its whole line, scheme included.
fn mask_named(text: &str) -> Cow<'_, str> {
    let rules = named_rules(text);
    // Only a webhook's URL can start inside a word (`…hooks.slack.com/…`): see
    // [`spans::mask_all_quickly`].
    spans::mask_all_quickly(text, &rules, &[tokens::secret_url_path])
}

/// The rules [`mask_named`] asks at each place of `text`, in order.
fn named_rules(text: &str) -> [spans::Rule; 20] {
    // A Secret's data is read only in a text that names a Secret: judged once for the whole
    // text, not again at every `data` key of a long one.
    let secret_data: spans::Rule = if secret_data::names_a_secret(text.as_bytes()) {
        secret_data::credential
    } else {
        |_, _| None
    };
    // Likewise a call that compares is looked for only in a text that names one.
    let comparisons: spans::Rule = if comparisons::names_a_comparing_call(text.as_bytes()) {
        comparisons::credential
    } else {
        comparisons::credential_without_calls
    };
    // A JSON Web Key's one-letter private members only in a text that names a key type.
    let json_web_keys: spans::Rule = if json_web_keys::names_a_key_type(text.as_bytes()) {
        json_web_keys::private_member
    } else {
        |_, _| None
    };
    [
        tokens::credential,
        secret_data,
        json_web_keys,
        headless::credential,
        headers::nginx_header,
        headers::header,
        members::credential,
        // A login's own `-p…` before the flag rule, which would read it as a flag's name.
        commands::login_password,
        assignments::assignment,
        assignments::flag,
        assignments::user_flag,
        assignments::keyword_argument,
        directives::credential,
        commands::credential,
        calls::credential,
        comparisons,
        files::pgpass_password,
        files::properties_password,
        files::ini_pair_value,
        headers::scheme_credential,
    ]
}

/// What [`mask_named`] hides in `text` and what every rule asked at every byte hides, for the
/// fuzz target and the tests that check the shortcuts change nothing.
#[cfg(any(test, feature = "fuzzing"))]
pub fn masked_both_ways(text: &str) -> (String, String) {
    let exhaustive = spans::mask_all(text, &named_rules(text));
    (mask_named(text).into_owned(), exhaustive.into_owned())
}

/// Scrubs every string of a JSON value, object keys included.
pub fn scrub_value(value: &mut Value) {
    scrub_with(value, &mut Judged::default());
}

/// Short texts already judged in one value, and what each becomes: an answer repeats the same
/// keys in every row and the same states, namespaces and projects, and [`without_credentials`]
/// depends on the text alone, so each is read by the rules once. Bounded in count and length.
#[derive(Default)]
struct Judged(Vec<(String, Option<String>)>);

impl Judged {
    const TEXT_MOST: usize = 64;
    const TEXTS_MOST: usize = 128;

    /// `text` without credentials: `None` when nothing in it is hidden.
    fn clean(&mut self, text: &str) -> Option<String> {
        if text.len() > Self::TEXT_MOST {
            return owned(without_credentials(text));
        }
        if let Some((_, clean)) = self.0.iter().find(|(seen, _)| seen == text) {
            return clean.clone();
        }
        let clean = owned(without_credentials(text));
        if self.0.len() < Self::TEXTS_MOST {
            self.0.push((text.to_owned(), clean.clone()));
        }
        clean
    }
}

fn owned(text: Cow<'_, str>) -> Option<String> {
    match text {
        Cow::Owned(clean) => Some(clean),
        Cow::Borrowed(_) => None,
    }
}

fn scrub_with(value: &mut Value, judged: &mut Judged) {
    match value {
        Value::String(text) => {
            if let Some(clean) = judged.clean(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| scrub_with(item, judged)),
        Value::Object(map) => {
            let dirty_keys = map.keys().any(|key| judged.clean(key).is_some());
            if dirty_keys {
                let entries = std::mem::take(map);
                for (key, mut inner) in entries {
                    scrub_with(&mut inner, judged);
                    let key = judged.clean(&key).unwrap_or(key);
                    map.insert(key, inner);
                }
            } else {
                map.values_mut().for_each(|inner| scrub_with(inner, judged));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Review25's reading: a progress message quoting the settings' passphrase is cleaned of it
    /// before the credential rules run, which would hide it only to its first space.
    #[test]
    fn a_progress_message_loses_the_settings_passphrase_whole() {
        struct Said(std::cell::RefCell<Vec<String>>);
        impl Progress for Said {
            fn report(&self, _: f64, _: Option<f64>, message: &str) {
                self.0.borrow_mut().push(message.to_owned());
            }
            fn cancelled(&self) -> bool {
                false
            }
        }
        let settings = crate::testing::settings_from(&[
            ("ARGOCD_URL", "https://argocd.example.com"),
            ("ARGOCD_USERNAME", "admin"),
            ("ARGOCD_PASSWORD", "Correct horse battery Zq9staple"),
        ]);
        let own = OwnSecrets::of(&settings);
        let said = Said(Default::default());
        let progress = ScrubbedProgress {
            inner: &said,
            own: &own,
        };
        progress.report(
            1.0,
            None,
            "Running; login password=Correct horse battery Zq9staple Rk25",
        );
        let told = said.0.borrow().join("\n");
        assert!(told.contains("Rk25"), "{told}");
        assert!(!told.contains("horse"), "{told}");
        assert!(!told.contains("Zq9staple"), "{told}");
    }

    /// Texts judged once per answer ([`Judged`]) are hidden in every row that repeats them, as
    /// keys and as values, past the bounds of what is remembered (long texts, the 129th).
    #[test]
    fn a_credential_repeated_in_every_row_is_hidden_in_each() {
        let long = format!("{} password=R3pe4ted", "x".repeat(80));
        let mut rows: Vec<Value> = (0..600)
            .map(|n| {
                json!({
                    "password=R3pe4ted": format!("state{n}"),
                    "note": "token: R3pe4ted",
                    "long": long,
                    "url": "https://bot:R3pe4ted@git.example.com/a.git",
                })
            })
            .collect();
        rows.push(json!({"last": "Authorization: Bearer R3pe4ted"}));
        let mut value = Value::Array(rows);
        scrub_value(&mut value);
        let text = value.to_string();
        assert!(!text.contains("R3pe4ted"), "{}", &text[..400]);
        assert_eq!(text.matches("state599").count(), 1);
        assert_eq!(text.matches("git.example.com/a.git").count(), 600);
    }

    /// The fifteenth review: a scheme and its token before prose with many commas.
    #[test]
    fn a_scheme_and_its_token_before_a_list_of_words_are_hidden() {
        let text = "Roll Authorization: Bearer T0k3n back to it: read a, b, c, d and e.";
        assert!(!without_credentials(text).contains("T0k3n"));
        let list = "Authorization: p, proj:default:ci, applications, sync, allow";
        assert_eq!(without_credentials(list), list);
    }

    /// Texts free of escapes made of words the rules start at, glued to letters and digits:
    /// the rules skipped inside words find nothing there that asking them would find.
    #[test]
    fn words_glued_together_are_read_as_every_rule_would() {
        const PIECES: [&str; 40] = [
            "x",
            "7",
            "ab",
            " ",
            "\n",
            ":",
            "=",
            "-",
            "(",
            "\"",
            "'",
            "/",
            ".",
            "password",
            "Token",
            "apikey",
            "data",
            "stringData",
            "ghp_",
            "eyJhbGciOi",
            "hooks.slack.com/services/",
            "api.telegram.org/bot",
            "Bearer",
            "Basic",
            "AUTH",
            "IDENTIFIED BY",
            "mysql",
            "-p",
            "--password",
            "echo",
            "|",
            "docker login",
            "<Password>",
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----END",
            "==",
            " eq ",
            "user/pw@db",
            "Private-Lines: 1",
            "secret",
        ];
        for text in crate::testing::mixes(&PIECES, 10, 20_000) {
            let (quick, exhaustive) = masked_both_ways(&text);
            assert_eq!(quick, exhaustive, "{text:?}");
        }
    }

    /// Texts made of the pieces the rules react to, in every order: none makes them panic, and
    /// a second pass finds nothing more to hide in what the first one left.
    #[test]
    fn any_mix_of_escapes_urls_and_names_is_read_without_panicking() {
        const PIECES: [&str; 34] = [
            "://",
            ":\\/\\/",
            "%3A%2F%2F",
            "%25",
            "%2",
            "@",
            "\\u0040",
            "\\u00",
            "\\",
            "\"",
            "'",
            "u:p",
            "/",
            "#",
            "?",
            "&",
            "=",
            "token",
            "password=",
            "Bearer ",
            "Authorization: ",
            "é",
            " ",
            "x1",
            ": ",
            "--",
            "<",
            ">",
            "\n",
            "\"name\": ",
            "value: ",
            ",",
            "|",
            "sha256",
        ];
        for text in crate::testing::mixes(&PIECES, 12, 20_000) {
            let once = without_credentials(&text).into_owned();
            assert_eq!(without_credentials(&once), once, "{text:?}");
            let (quick, exhaustive) = masked_both_ways(&text);
            assert_eq!(quick, exhaustive, "{text:?}");
        }
    }

    #[test]
    fn every_string_of_an_answer_is_scrubbed_keys_included() {
        let mut answer = json!({
            "sources": [{"repoURL": "https://a:SECRET1@git.example.com/x"}],
            "conditions": [{"message": "repo https://b:SECRET2@git.example.com/y failed"}],
            "by_repo": {"https://c:SECRET3@git.example.com/z": 1},
            "count": 3,
        });
        scrub_value(&mut answer);
        let text = answer.to_string();
        for secret in ["SECRET1", "SECRET2", "SECRET3", "a:", "b:", "c:"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(answer["by_repo"]["https://git.example.com/z"], 1);
        assert_eq!(answer["count"], 3);
    }

    /// The rules together, on the shapes the fifth review found in conditions, events, logs and
    /// Helm values: each loses its credential and keeps what is around it.
    #[test]
    fn the_smaller_shapes_lose_their_credentials_and_keep_the_rest() {
        for (dirty, clean) in [
            ("password := \"P-1\"", "password := \"***\""),
            (
                "\tif token := \"T-2\"; token != \"\" {",
                "\tif token := \"***\"; token != \"\" {",
            ),
            ("dial {app:P-3@db:5432}", "dial {db:5432}"),
            (
                "GET https://shop.example.com/cart;jsessionid=S-4?id=7 302",
                "GET https://shop.example.com/cart;jsessionid=***?id=7 302",
            ),
            (
                "redirect https://app.example.com/callback?code=C-5&state=s1",
                "redirect https://app.example.com/callback?code=***&state=s1",
            ),
            (
                "$pw = ConvertTo-SecureString \"P-6\" -AsPlainText -Force",
                "$pw = ConvertTo-SecureString \"***\" -AsPlainText -Force",
            ),
            (
                "{&quot;password&quot;:&quot;P-7&quot;,&quot;port&quot;:5432}",
                "{&quot;password&quot;:&quot;***&quot;,&quot;port&quot;:5432}",
            ),
            ("*:*:*:postgres:P-8", "*:*:*:postgres:***"),
        ] {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
        }
        for text in [
            "exit code=137",
            "image ghcr.io/org/app:v1.2.3 pulled",
            "listening on 0.0.0.0:8080",
            "ok := check(x)",
            "a &amp; b &lt; c",
        ] {
            assert_eq!(without_credentials(text), text, "{text}");
        }
    }
}

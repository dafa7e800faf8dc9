//! Credentials in URLs: Argo CD keeps repository URLs as they were written, and
//! `https://deploybot:TOKEN@git.example.com/…` then comes back in sources, history, ApplicationSet
//! templates and generators, conditions, events, operation messages and errors. Rather than each
//! tool remembering every field that can hold one, every answer is scrubbed here as a whole,
//! after the tool ran: [`call`] wraps the registry's dispatch, so no tool can forget.
//!
//! A URL's userinfo is everything between `://` and the last `@` of its authority (the authority
//! ends at `/`, `?`, `#`, whitespace, a quote or a bracket of the text around it). It is removed
//! wherever such a URL appears: as a whole string, inside a message, or as an object key.
//! scp-like git addresses (`git@github.com:org/repo.git`) carry no password and are kept.

use std::borrow::Cow;

use serde_json::Value;

use crate::host::Host;
use crate::mcp::tool::{CallOutcome, Progress};
use crate::settings::Settings;

/// Runs the tool called `name` (see [`super::registry`]) and scrubs what it answers and reports.
pub async fn call<H: Host>(
    host: &H,
    settings: &Settings,
    name: &str,
    arguments: Value,
    progress: &dyn Progress,
) -> CallOutcome {
    let progress = ScrubbedProgress(progress);
    let outcome = super::registry::call(host, settings, name, arguments, &progress).await;
    match outcome {
        CallOutcome::Success(mut value) => {
            scrub_value(&mut value);
            CallOutcome::Success(value)
        }
        CallOutcome::ToolError(message) => {
            CallOutcome::ToolError(without_credentials(&message).into_owned())
        }
        CallOutcome::UnknownTool(message) => {
            CallOutcome::UnknownTool(without_credentials(&message).into_owned())
        }
    }
}

/// Progress messages quote Argo CD (an operation's message) too.
struct ScrubbedProgress<'a>(&'a dyn Progress);

impl Progress for ScrubbedProgress<'_> {
    fn report(&self, progress: f64, total: Option<f64>, message: &str) {
        self.0
            .report(progress, total, &without_credentials(message));
    }

    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Removes the userinfo of every URL in `text`.
pub fn without_credentials(text: &str) -> Cow<'_, str> {
    if !text.contains("://") || !text.contains('@') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let end = after.find(ends_authority).unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(userinfo_end) => out.push_str(&authority[userinfo_end + 1..]),
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where a URL's authority ends, in a URL alone or one quoted in a message.
fn ends_authority(c: char) -> bool {
    c.is_whitespace() || matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>' | '\\')
}

/// Scrubs every string of a JSON value, object keys included.
pub fn scrub_value(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Cow::Owned(clean) = without_credentials(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_value),
        Value::Object(map) => {
            let dirty_keys = map
                .keys()
                .any(|key| matches!(without_credentials(key), Cow::Owned(_)));
            if dirty_keys {
                let entries = std::mem::take(map);
                for (key, mut inner) in entries {
                    scrub_value(&mut inner);
                    map.insert(without_credentials(&key).into_owned(), inner);
                }
            } else {
                map.values_mut().for_each(scrub_value);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn userinfo_is_removed_wherever_a_url_stands() {
        let cases = [
            (
                "https://deploybot:ghp_T0KEN@git.example.com/org/repo.git",
                "https://git.example.com/org/repo.git",
            ),
            // A token as the user name alone, as GitHub accepts it.
            (
                "https://ghp_T0KEN@github.com/org/repo",
                "https://github.com/org/repo",
            ),
            ("https://u:p@host", "https://host"),
            ("https://u:p@host:8443?x=1", "https://host:8443?x=1"),
            // An unencoded `@` in the password: the last one ends the userinfo.
            ("https://u:p@ss@host/x", "https://host/x"),
            (
                "oci://robot:pw@registry.example.com/charts",
                "oci://registry.example.com/charts",
            ),
            (
                "ssh://git:pw@git.example.com:22/org/repo.git",
                "ssh://git.example.com:22/org/repo.git",
            ),
            // Quoted inside messages, as Argo CD and git write them.
            (
                "rpc error: failed to fetch 'https://u:T0KEN@git.example.com/a.git': authentication required",
                "rpc error: failed to fetch 'https://git.example.com/a.git': authentication required",
            ),
            (
                "Failed to load target state: repository \"https://u:T0KEN@git.example.com/a\" not accessible; retry https://v:S3CRET@h.example.com later",
                "Failed to load target state: repository \"https://git.example.com/a\" not accessible; retry https://h.example.com later",
            ),
            // Nothing to remove.
            ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
            ("https://git.example.com/a@b", "https://git.example.com/a@b"),
            (
                "mail dev@example.com about https://x.example.com/",
                "mail dev@example.com about https://x.example.com/",
            ),
            ("", ""),
            ("://@", "://"),
        ];
        for (dirty, clean) in cases {
            assert_eq!(without_credentials(dirty), clean, "{dirty}");
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
}

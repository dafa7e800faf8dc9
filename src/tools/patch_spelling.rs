//! Keys a merge patch spells so that Argo CD reads them as another field. Argo CD merges the
//! patch into the Application's JSON key by key as written (case matters there), then decodes
//! the result with Go's `encoding/json`, which takes a key for a field whatever its ASCII case
//! and reads `ſ` (U+017F) as `s` and the Kelvin sign (U+212A) as `k`. A patch holding
//! `{"ſpec": {"project": …}}`, or `Project` beside `project`, then changes a field the project
//! allow-list and the approval question judged by its usual spelling, and saw unchanged.
//!
//! Such a patch is refused before anything is sent or asked: a key that is not ASCII, and a key
//! that folds like another key of the same object (in the patch, or in the app as it is).

use serde_json::Value;

use crate::argocd::ArgoError;

/// A key as Go's `encoding/json` matches it to a field: ASCII case ignored, `ſ` as `s`, the
/// Kelvin sign as `k` (the two non-ASCII characters whose simple case folding reaches ASCII).
pub fn go_fold(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{212a}' => 'k',
            '\u{17f}' => 's',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Refuses `patch` when Argo CD could read one of its keys as another field ([the
/// module](self)); `current` is the app as read, when it was.
pub fn check_patch_spelling(current: Option<&Value>, patch: &Value) -> Result<(), ArgoError> {
    match misspelled_key(current, patch, "") {
        Some(at) => Err(ArgoError::invalid_input(format!(
            "the patch key {at} could be read by Argo CD as another field (Go's JSON decoding ignores ASCII case and reads 'ſ' as 's'): spell each field exactly once, as the Application has it, in ASCII. Nothing was sent to Argo CD."
        ))),
        None => Ok(()),
    }
}

/// The path of the first key of `patch` that is not ASCII or folds like another key beside it.
fn misspelled_key(current: Option<&Value>, patch: &Value, path: &str) -> Option<String> {
    match patch {
        Value::Object(changes) => {
            let existing = current.and_then(Value::as_object);
            for (key, change) in changes {
                let at = format!("{path}/{}", key.escape_default());
                let folded = go_fold(key);
                let twin = |other: &String| other != key && go_fold(other) == folded;
                if !key.is_ascii()
                    || changes.keys().any(twin)
                    || existing.is_some_and(|fields| fields.keys().any(twin))
                {
                    return Some(at);
                }
                let inner = existing.and_then(|fields| fields.get(key));
                if let Some(found) = misspelled_key(inner, change, &at) {
                    return Some(found);
                }
            }
            None
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| misspelled_key(None, item, &format!("{path}/{i}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_argo_cd_would_read_as_another_field_are_refused() {
        let app = json!({"spec": {"project": "default", "source": {"repoURL": "https://git/a"}}});
        for patch in [
            json!({"\u{17f}pec": {"project": "payments"}}),
            json!({"spec": {"Project": "payments"}}),
            json!({"spec": {"source": {"RepoURL": "https://evil"}}}),
            json!({"spec": {"project": "a", "PROJECT": "b"}}),
            json!({"metadata": {"annotations": {"\u{212a}ey": "x"}}}),
            json!({"spec": {"sources": [{"repoURL": "a", "repourl": "b"}]}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_err(), "{patch}");
        }
        for patch in [
            json!({"spec": {"project": "payments"}}),
            json!({"spec": {"source": {"repoURL": "https://git/b", "targetRevision": "v2"}}}),
            json!({"metadata": {"annotations": {"example.com/Team": "web"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"DB_HOST": "db", "replicaCount": 2}}}}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_ok(), "{patch}");
        }
        // Without the app, what the patch alone shows.
        assert!(check_patch_spelling(None, &json!({"\u{17f}pec": {}})).is_err());
        assert!(check_patch_spelling(None, &json!({"spec": {"Project": "x"}})).is_ok());
    }
}

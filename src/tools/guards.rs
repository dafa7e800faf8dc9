//! Guards every change passes: the caller's confirmation, and the question a person is asked
//! before it runs (approvals). The read-only guard is in the registry's dispatch; the project
//! allow-list in `project_guard`.

use serde_json::Value;

use super::{PROFILE_ARGUMENT, Tool};
use crate::argocd::ArgoError;

/// The longest argument summary a person is shown; patches can be long.
const QUESTION_ARGUMENTS_MAX: usize = 600;

pub(super) fn approval_question_of<T: Tool>(arguments: &Value) -> Option<String> {
    if T::ANNOTATIONS.read_only_hint {
        return None;
    }
    let mut shown = arguments.as_object().cloned().unwrap_or_default();
    shown.remove("confirm");
    let mut parsed = shown.clone();
    parsed.remove(PROFILE_ARGUMENT);
    parsed.insert("confirm".into(), Value::Bool(true));
    // The same deserializer as `invoke`, so the argument parsers are not compiled twice.
    serde_path_to_error::deserialize::<_, T::Args>(Value::Object(parsed)).ok()?;
    // A dry run changes nothing, so it needs nobody's yes. The arguments parsed, so this tool
    // has a dry run: every argument type refuses unknown fields (a test checks).
    if arguments.get("dry_run") == Some(&Value::Bool(true)) {
        return None;
    }
    let mut summary = Value::Object(shown).to_string();
    if summary.len() > QUESTION_ARGUMENTS_MAX {
        let mut cut = QUESTION_ARGUMENTS_MAX;
        while !summary.is_char_boundary(cut) {
            cut -= 1;
        }
        summary.truncate(cut);
        summary.push('…');
    }
    let effect = if T::ANNOTATIONS.destructive_hint {
        "It changes or removes what runs in the cluster."
    } else {
        "It changes Argo CD."
    };
    Some(format!(
        "An agent asks to run \"{}\" ({}) with {summary}. {effect} Approve?",
        T::TITLE,
        T::NAME
    ))
}

/// Refuses a write unless the caller confirmed it: agents must ask their user first.
pub fn require_confirmation(tool: &str, confirm: bool) -> Result<(), ArgoError> {
    if confirm {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{tool} changes what runs in the cluster: tell the user what it will do, and call it again with \"confirm\": true once they agree"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::approval_question;

    #[test]
    fn only_changes_need_approval_and_only_real_dry_runs_skip_it() {
        let sync = serde_json::json!({"app_name": "guestbook", "confirm": true});
        let question = approval_question("sync_argocd_app", &sync).expect("a sync is a change");
        assert!(question.contains("guestbook") && !question.contains("confirm"));
        let mut dry = sync.clone();
        dry["dry_run"] = Value::Bool(true);
        assert_eq!(approval_question("sync_argocd_app", &dry), None);
        // A tool without a dry run: claiming one is an unknown argument, which the call refuses
        // (nothing to ask about); without the claim it is a question like any change.
        let terminate = serde_json::json!({"app_name": "guestbook", "confirm": true});
        assert!(approval_question("terminate_argocd_operation", &terminate).is_some());
        let mut claimed = terminate.clone();
        claimed["dry_run"] = Value::Bool(true);
        assert_eq!(
            approval_question("terminate_argocd_operation", &claimed),
            None,
            "unknown field: refused by the call itself"
        );
        assert_eq!(
            approval_question(
                "get_argocd_app_status",
                &serde_json::json!({"app_name": "guestbook"})
            ),
            None
        );
    }
}

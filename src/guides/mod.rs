//! What the server offers besides tools: short guides (MCP resources) and task recipes (MCP
//! prompts) that name the tools to use.

use crate::mcp::library::{Prompt, PromptArgument, Resource};

pub const RESOURCES: &[Resource] = &[
    Resource {
        uri: "argocd-mcp://guides/sync-safety",
        name: "sync-safety",
        title: "Syncing safely",
        description: "The order of checks before and after a sync.",
        text: include_str!("sync-safety.md"),
    },
    Resource {
        uri: "argocd-mcp://guides/rollback-rules",
        name: "rollback-rules",
        title: "Rollback rules",
        description: "When Argo CD allows a rollback, and what to do after.",
        text: include_str!("rollback-rules.md"),
    },
    Resource {
        uri: "argocd-mcp://guides/status-triage",
        name: "status-triage",
        title: "Sync × health triage",
        description: "What each sync and health combination means and what to check next.",
        text: include_str!("status-triage.md"),
    },
    Resource {
        uri: "argocd-mcp://guides/rbac",
        name: "rbac",
        title: "Least-privilege RBAC",
        description: "An Argo CD account and policy for an agent.",
        text: include_str!("rbac.md"),
    },
    Resource {
        uri: "argocd-mcp://guides/token-setup",
        name: "token-setup",
        title: "Credentials",
        description: "Tokens, logins, renewal, lockout.",
        text: include_str!("token-setup.md"),
    },
];

const APP: PromptArgument = PromptArgument {
    name: "app_name",
    description: "Application name",
    when_missing: None,
};

pub const PROMPTS: &[Prompt] = &[
    Prompt {
        name: "triage_app",
        title: "Triage an unhealthy app",
        description: "Find out why an app is Degraded or OutOfSync.",
        arguments: &[APP],
        template: "Find out why the Argo CD application {app_name} is not Synced and Healthy. Use get_argocd_app_status, then get_argocd_app_resource_tree with health unhealthy, get_argocd_app_events, get_argocd_app_logs for the failing workload, and get_argocd_app_diff for drift. Read the guide argocd-mcp://guides/status-triage. Report the cause and the fix; change nothing.",
    },
    Prompt {
        name: "diagnose_failed_sync",
        title: "Diagnose a failed sync",
        description: "Explain why the last sync of an app failed.",
        arguments: &[APP],
        template: "The last sync of {app_name} failed. Use get_argocd_app_status (operation message and failed resources), get_argocd_app_events, get_argocd_app_manifests and get_argocd_app_diff to explain why, and propose a fix in git. Do not sync.",
    },
    Prompt {
        name: "safe_sync",
        title: "Sync safely",
        description: "Windows, dry run, sync, wait, verdict.",
        arguments: &[
            APP,
            PromptArgument {
                name: "revision",
                description: "Revision to sync to (default: the target revision)",
                when_missing: Some("its target revision"),
            },
        ],
        template: "Sync {app_name} to {revision} safely: check get_argocd_sync_windows, show get_argocd_app_diff, run sync_argocd_app with dry_run true, ask me to confirm, then sync with confirm true and wait true, and report the verdict. Follow argocd-mcp://guides/sync-safety.",
    },
    Prompt {
        name: "rollback_to_last_good",
        title: "Roll back to the last good deploy",
        description: "Find the last healthy revision and roll back to it.",
        arguments: &[APP],
        template: "Roll {app_name} back to its last good deploy: read list_argocd_app_history and get_argocd_revision_metadata to pick the entry, check get_argocd_app_status for auto-sync (if on, ask me before turning it off with patch_argocd_app), ask me to confirm, then rollback_argocd_app with wait true and report the verdict. Follow argocd-mcp://guides/rollback-rules.",
    },
    Prompt {
        name: "fleet_status",
        title: "Fleet status",
        description: "Summarise the health of every app, worst first.",
        arguments: &[PromptArgument {
            name: "project",
            description: "Only this project",
            when_missing: Some("every project"),
        }],
        template: "Summarise the Argo CD fleet ({project}): use list_argocd_apps (counts by health and sync, then health_status Degraded and sync_status OutOfSync), list_argocd_clusters for unreachable clusters, and list_argocd_applicationsets for generator errors. Worst first, one line each, with the next step.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Words like `get_argocd_app_status` or `can_i_argocd` in a text (not settings like `argocd_token`).
    fn tool_names(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.contains("_argocd"))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn guides_and_prompts_name_only_tools_that_exist() {
        let tools: Vec<&str> = crate::tools::definitions(false)
            .iter()
            .map(|d| d.name)
            .collect();
        let texts = RESOURCES
            .iter()
            .map(|r| r.text)
            .chain(PROMPTS.iter().map(|p| p.template));
        for text in texts {
            for name in tool_names(text) {
                assert!(tools.contains(&name.as_str()), "{name} is not a tool");
            }
        }
        for prompt in PROMPTS {
            for uri in prompt
                .template
                .split_whitespace()
                .filter(|w| w.starts_with("argocd-mcp://"))
            {
                let uri = uri.trim_end_matches(['.', ',']);
                assert!(
                    RESOURCES.iter().any(|r| r.uri == uri),
                    "{uri} is not a resource"
                );
            }
            for argument in prompt.arguments {
                assert!(
                    prompt.template.contains(&format!("{{{}}}", argument.name)),
                    "{}",
                    prompt.name
                );
            }
        }
    }
}

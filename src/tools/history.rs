//! Deployment history: what was deployed, when, by whom; the ids rollback takes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::apps::SourceView;
use super::{Tool, get_app};
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct HistoryArgs {
        pub app_name: String,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct History {
    pub app: String,
    /// Revision the app is synced to now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<String>,
    /// Newest first. Argo CD keeps the last 10 by default (spec.revisionHistoryLimit).
    pub entries: Vec<HistoryRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HistoryRow {
    /// Pass this to rollback_argocd_app as `history_id`.
    pub id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Multi-source apps: one revision per source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Who started it: a username, or "automated" for auto-sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiated_by: Option<String>,
    pub sources: Vec<SourceView>,
}

pub struct ListAppHistory;

impl Tool for ListAppHistory {
    const NAME: &'static str = "list_argocd_app_history";
    const TITLE: &'static str = "Deployment history";
    const DESCRIPTION: &'static str = "Past successful syncs of one app, newest first: history id, revision, when and by whom. Use it to find the last good deploy before rollback_argocd_app.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = HistoryArgs;
    type Output = History;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: HistoryArgs,
        _progress: &dyn Progress,
    ) -> Result<History, ArgoError> {
        let app = get_app(client, &args.app_name, args.app_namespace.as_deref(), &[]).await?;
        let mut entries: Vec<HistoryRow> = app
            .status
            .history
            .into_iter()
            .map(|h| {
                let sources = if h.sources.is_empty() {
                    h.source.iter().map(SourceView::from).collect()
                } else {
                    h.sources.iter().map(SourceView::from).collect()
                };
                HistoryRow {
                    id: h.id,
                    revision: h.revision.filter(|r| !r.is_empty()),
                    revisions: h.revisions,
                    deployed_at: h.deployed_at,
                    started_at: h.deploy_started_at,
                    initiated_by: h.initiated_by.and_then(|i| {
                        if i.automated == Some(true) {
                            Some("automated".into())
                        } else {
                            i.username
                        }
                    }),
                    sources,
                }
            })
            .collect();
        crate::order::sort_rows_by(&mut entries, |a, b| b.id.cmp(&a.id));
        Ok(History {
            app: app.metadata.name,
            current_revision: app.status.sync.revision,
            entries,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, reply, token_settings};

    #[test]
    fn newest_first_with_numeric_ids() {
        let body = r#"{"metadata":{"name":"web"},"status":{"sync":{"revision":"c3"},"history":[
            {"id":0,"revision":"c1","deployedAt":"2026-01-01T00:00:00Z","source":{"repoURL":"https://git/x","path":"web"},"initiatedBy":{"username":"alice"}},
            {"id":1,"revision":"c2","source":{"repoURL":"https://git/x"},"initiatedBy":{"automated":true}}]}}"#;
        let host = FakeHost::new(vec![reply(200, body)]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args = HistoryArgs {
            app_name: "web".into(),
            app_namespace: None,
        };
        let history = pollster::block_on(ListAppHistory::run(
            &client,
            args,
            &crate::mcp::tool::NoProgress,
        ))
        .unwrap();
        assert_eq!(history.entries[0].id, 1);
        assert_eq!(
            history.entries[0].initiated_by.as_deref(),
            Some("automated")
        );
        assert_eq!(history.entries[1].initiated_by.as_deref(), Some("alice"));
        let json = serde_json::to_value(&history).unwrap();
        assert!(json["entries"][0]["id"].is_i64());
    }
}

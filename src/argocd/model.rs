//! The parts of Argo CD's JSON the tools read. Unknown fields are ignored and every field is
//! optional, because Go's encoder omits empty values (api-notes §0.1).

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Application {
    pub metadata: ObjectMeta,
    pub spec: AppSpec,
    pub status: AppStatus,
    pub operation: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AppSpec {
    pub project: Option<String>,
    pub source: Option<Source>,
    pub sources: Vec<Source>,
    pub source_hydrator: Option<SourceHydrator>,
    pub destination: Option<Destination>,
    pub sync_policy: Option<SyncPolicy>,
}

/// A source-hydrator app (`spec.sourceHydrator`): Argo CD renders the dry source and commits the
/// result to the sync source's branch, which is what it deploys.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct SourceHydrator {
    pub dry_source: Source,
    pub sync_source: SyncSource,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncSource {
    pub target_branch: String,
    pub path: String,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct Source {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub path: Option<String>,
    pub chart: Option<String>,
    pub target_revision: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default, rename_all = "camelCase")]
pub struct Destination {
    pub server: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Option<Automated>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Automated {
    pub enabled: Option<bool>,
    pub prune: Option<bool>,
    pub self_heal: Option<bool>,
}

impl AppSpec {
    /// Auto-sync counts as on when `automated` is set and `enabled` is not false (types.go:1531).
    pub fn auto_sync(&self) -> bool {
        self.sync_policy
            .as_ref()
            .and_then(|p| p.automated.as_ref())
            .is_some_and(|a| a.enabled != Some(false))
    }

    /// Multi-source apps list `sources`; the others have `source`; a source-hydrator app deploys
    /// its sync source: the dry source's repository at the hydrated branch and path, as Argo CD's
    /// own `GetSource` reads it.
    pub fn all_sources(&self) -> Vec<Source> {
        if !self.sources.is_empty() {
            return self.sources.clone();
        }
        match (&self.source, &self.source_hydrator) {
            (Some(source), _) => vec![source.clone()],
            (None, Some(hydrator)) => vec![Source {
                repo_url: hydrator.dry_source.repo_url.clone(),
                path: Some(hydrator.sync_source.path.clone()),
                target_revision: Some(hydrator.sync_source.target_branch.clone()),
                ..Source::default()
            }],
            (None, None) => Vec::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AppStatus {
    pub sync: SyncStatus,
    pub health: Health,
    pub operation_state: Option<OperationState>,
    pub conditions: Vec<Condition>,
    pub history: Vec<HistoryEntry>,
    pub resources: Vec<ResourceStatus>,
    pub reconciled_at: Option<String>,
    pub summary: Summary,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncStatus {
    pub status: Option<String>,
    pub revision: Option<String>,
    pub revisions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Health {
    pub status: Option<String>,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OperationState {
    pub phase: Option<String>,
    pub message: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub retry_count: Option<i64>,
    pub sync_result: Option<SyncResult>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SyncResult {
    pub revision: Option<String>,
    pub revisions: Vec<String>,
    pub resources: Vec<ResourceResult>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceResult {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: Option<String>,
    pub last_transition_time: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct HistoryEntry {
    pub id: i64,
    pub revision: Option<String>,
    pub revisions: Vec<String>,
    pub deployed_at: Option<String>,
    pub deploy_started_at: Option<String>,
    pub source: Option<Source>,
    pub sources: Vec<Source>,
    pub initiated_by: Option<InitiatedBy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct InitiatedBy {
    pub username: Option<String>,
    pub automated: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ResourceStatus {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: Option<String>,
    pub health: Option<Health>,
    pub requires_pruning: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Summary {
    #[serde(rename = "externalURLs")]
    pub external_urls: Vec<String>,
    pub images: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplicationList {
    /// `null` when `fields` is used and nothing matched.
    pub items: Option<Vec<Application>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/host-test/fixtures/argocd/fixtures"
    );

    #[test]
    fn real_bodies_parse() {
        let get =
            std::fs::read(format!("{FIXTURES}/03-application-get.public-capture.json")).unwrap();
        let app: Application = serde_json::from_slice(&get).unwrap();
        assert_eq!(app.metadata.name, "myapp");
        assert_eq!(app.status.history[0].id, 0);
        let list: ApplicationList = serde_json::from_slice(
            &std::fs::read(format!(
                "{FIXTURES}/02-application-list.codeready-toolchain-argocd-mcp.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let items = list.items.unwrap();
        assert_eq!(
            items[0]
                .status
                .operation_state
                .as_ref()
                .unwrap()
                .phase
                .as_deref(),
            Some("Running")
        );
    }
}

//! Argo CD itself: version and identity, projects, clusters.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tool, page_bounds};
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Version {
    #[serde(rename = "Version")]
    version: Option<String>,
    #[serde(rename = "BuildDate")]
    build_date: Option<String>,
    #[serde(rename = "Platform")]
    platform: Option<String>,
    #[serde(rename = "KubectlVersion")]
    kubectl_version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UserInfo {
    logged_in: Option<bool>,
    username: Option<String>,
    iss: Option<String>,
    groups: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ServerInfo {
    pub argocd_url: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubectl_version: Option<String>,
    /// Whether Argo CD accepts this server's credentials.
    pub logged_in: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    pub read_only: bool,
}

pub struct GetServerInfo;

impl Tool for GetServerInfo {
    const NAME: &'static str = "get_argocd_server_info";
    const TITLE: &'static str = "Argo CD version and identity";
    const DESCRIPTION: &'static str = "Which Argo CD this server talks to: its URL and version, the account it acts as (and whether Argo CD accepts it), and whether this MCP server is read-only. Use it first when calls fail or to report the environment.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = NoArgs;
    type Output = ServerInfo;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        _: NoArgs,
        _progress: &dyn Progress,
    ) -> Result<ServerInfo, ArgoError> {
        let version: Version = client.get("/api/version", "the version").await?;
        let user: UserInfo = client
            .get("/api/v1/session/userinfo", "the user info")
            .await?;
        let settings = client.settings();
        Ok(ServerInfo {
            argocd_url: settings.argocd_url.clone(),
            version: version.version.unwrap_or_else(|| "unknown".into()),
            build_date: version.build_date,
            platform: version.platform,
            kubectl_version: version.kubectl_version,
            logged_in: user.logged_in == Some(true),
            username: user.username,
            issuer: user.iss,
            groups: user.groups,
            read_only: settings.read_only,
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageArgs {
    /// Page size: default 50, at most 500.
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct List<T> {
    items: Option<Vec<T>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Project {
    metadata: Meta,
    spec: ProjectSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Meta {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ProjectSpec {
    description: Option<String>,
    source_repos: Vec<String>,
    destinations: Vec<ProjectDestination>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProjectDestination {
    server: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Projects {
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    pub projects: Vec<ProjectRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProjectRow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where its apps may deploy: `cluster namespace`.
    pub destinations: Vec<String>,
    pub source_repos: Vec<String>,
}

/// Skips `offset`, keeps `limit`, and says where the next page starts.
fn paginate<T>(items: Vec<T>, limit: usize, offset: usize) -> (usize, Vec<T>, Option<usize>) {
    let total = items.len();
    let offset = offset.min(total);
    let page: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
    let end = offset + page.len();
    (total, page, (end < total).then_some(end))
}

pub struct ListProjects;

impl Tool for ListProjects {
    const NAME: &'static str = "list_argocd_projects";
    const TITLE: &'static str = "List projects";
    const DESCRIPTION: &'static str = "Argo CD projects with where their apps may deploy and which repositories they may use. Use it to find a project's name or to see why a destination is refused.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = PageArgs;
    type Output = Projects;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: PageArgs,
        _progress: &dyn Progress,
    ) -> Result<Projects, ArgoError> {
        let (limit, offset) = page_bounds(args.limit, args.offset, 50, 500)?;
        let list: List<Project> = client.get("/api/v1/projects", "the project list").await?;
        let rows = list
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|p| ProjectRow {
                name: p.metadata.name,
                description: p.spec.description.filter(|d| !d.is_empty()),
                destinations: p
                    .spec
                    .destinations
                    .into_iter()
                    .take(20)
                    .map(|d| {
                        format!(
                            "{} {}",
                            d.name.or(d.server).unwrap_or_else(|| "*".into()),
                            d.namespace.unwrap_or_else(|| "*".into())
                        )
                    })
                    .collect(),
                source_repos: p.spec.source_repos.into_iter().take(20).collect(),
            })
            .collect();
        let (total, projects, next_offset) = paginate(rows, limit, offset);
        Ok(Projects {
            total,
            next_offset,
            projects,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Cluster {
    server: String,
    name: String,
    info: ClusterInfo,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClusterInfo {
    connection_state: ConnectionState,
    server_version: Option<String>,
    applications_count: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConnectionState {
    status: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Clusters {
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    pub clusters: Vec<ClusterRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ClusterRow {
    pub name: String,
    pub server: String,
    /// Successful, Failed or Unknown.
    pub connection: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    pub applications: i64,
}

pub struct ListClusters;

impl Tool for ListClusters {
    const NAME: &'static str = "list_argocd_clusters";
    const TITLE: &'static str = "List clusters";
    const DESCRIPTION: &'static str = "Clusters Argo CD deploys to, with connection state, Kubernetes version and how many apps each holds (no credentials). Use it when apps on one cluster all fail.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = PageArgs;
    type Output = Clusters;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: PageArgs,
        _progress: &dyn Progress,
    ) -> Result<Clusters, ArgoError> {
        let (limit, offset) = page_bounds(args.limit, args.offset, 50, 500)?;
        let list: List<Cluster> = client.get("/api/v1/clusters", "the cluster list").await?;
        let rows = list
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|c| ClusterRow {
                name: c.name,
                server: c.server,
                connection: c
                    .info
                    .connection_state
                    .status
                    .unwrap_or_else(|| "Unknown".into()),
                message: c.info.connection_state.message.filter(|m| !m.is_empty()),
                kubernetes_version: c.info.server_version,
                applications: c.info.applications_count.unwrap_or(0),
            })
            .collect();
        let (total, clusters, next_offset) = paginate(rows, limit, offset);
        Ok(Clusters {
            total,
            next_offset,
            clusters,
        })
    }
}

//! ApplicationSets: list, one with its generated apps, and a dry-run preview of what a spec
//! would generate. Argo CD serves all three over REST (since v2.5; generate since v2.14).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Tool, check_name, check_selector, page_bounds, paginate};
use crate::argocd::client::encode;
use crate::argocd::model::{Destination, Source};
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SetList {
    items: Option<Vec<AppSet>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct AppSet {
    metadata: Meta,
    spec: SetSpec,
    status: SetStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Meta {
    name: String,
    namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SetSpec {
    generators: Vec<serde_json::Map<String, Value>>,
    template: Template,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Template {
    spec: TemplateSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateSpec {
    project: Option<String>,
    source: Option<Source>,
    destination: Option<Destination>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct SetStatus {
    conditions: Vec<SetCondition>,
    resources: Vec<GeneratedApp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SetCondition {
    #[serde(rename = "type")]
    kind: String,
    message: Option<String>,
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GeneratedApp {
    name: String,
    status: Option<String>,
    health: Option<HealthOnly>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HealthOnly {
    status: Option<String>,
}

fn generator_kinds(spec: &SetSpec) -> Vec<String> {
    spec.generators
        .iter()
        .flat_map(|g| g.keys().cloned())
        .collect()
}

/// Conditions worth an agent's attention: errors, and anything not healthy.
fn problems(status: &SetStatus) -> Vec<String> {
    status
        .conditions
        .iter()
        .filter(|c| c.kind.contains("Error") && c.status.as_deref() != Some("False"))
        .take(10)
        .map(|c| format!("{}: {}", c.kind, c.message.clone().unwrap_or_default()))
        .collect()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListSetsArgs {
    /// Only sets whose apps belong to this project.
    #[serde(default)]
    pub project: Option<String>,
    /// Label selector on the ApplicationSet objects.
    #[serde(default)]
    pub selector: Option<String>,
    /// Default 50, at most 500.
    #[serde(default)]
    pub limit: Option<usize>,
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplicationSets {
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    pub application_sets: Vec<SetRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SetRow {
    pub name: String,
    /// Generator kinds: list, clusters, git, matrix, …
    pub generators: Vec<String>,
    pub applications: usize,
    /// Generated apps that are not Healthy.
    pub unhealthy: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

pub struct ListApplicationSets;

impl Tool for ListApplicationSets {
    const NAME: &'static str = "list_argocd_applicationsets";
    const TITLE: &'static str = "List ApplicationSets";
    const DESCRIPTION: &'static str = "ApplicationSets with their generators, how many apps each generated and how many are unhealthy, and error conditions.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = ListSetsArgs;
    type Output = ApplicationSets;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: ListSetsArgs,
        _progress: &dyn Progress,
    ) -> Result<ApplicationSets, ArgoError> {
        let (limit, offset) = page_bounds(args.limit, args.offset, 50, 500)?;
        if let Some(selector) = &args.selector {
            check_selector("selector", selector)?;
        }
        let query = Query::new()
            .add_opt("projects", args.project.as_deref())
            .add_opt("selector", args.selector.as_deref());
        let list: SetList = client
            .get(
                &format!("/api/v1/applicationsets{}", query.as_str()),
                "the ApplicationSet list",
            )
            .await?;
        let rows: Vec<SetRow> = list
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|set| SetRow {
                generators: generator_kinds(&set.spec),
                applications: set.status.resources.len(),
                unhealthy: set
                    .status
                    .resources
                    .iter()
                    .filter(|r| {
                        r.health.as_ref().and_then(|h| h.status.as_deref()) != Some("Healthy")
                    })
                    .count(),
                problems: problems(&set.status),
                name: set.metadata.name,
            })
            .collect();
        let (total, application_sets, next_offset) = paginate(rows, limit, offset);
        Ok(ApplicationSets {
            total,
            next_offset,
            application_sets,
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSetArgs {
    /// ApplicationSet name.
    pub name: String,
    /// Namespace of the ApplicationSet, when not Argo CD's own.
    #[serde(default)]
    pub appset_namespace: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplicationSetView {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub generators: Vec<String>,
    /// Project, repository and destination of the template (placeholders left as written).
    pub template: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Generated apps counted by health.
    pub health: BTreeMap<String, usize>,
    /// Generated apps (at most 100): name, sync, health.
    pub applications: Vec<String>,
    pub truncated: bool,
}

pub struct GetApplicationSet;

impl Tool for GetApplicationSet {
    const NAME: &'static str = "get_argocd_applicationset";
    const TITLE: &'static str = "One ApplicationSet";
    const DESCRIPTION: &'static str = "One ApplicationSet: its generators and template, error conditions, and the sync and health of every app it generated.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = GetSetArgs;
    type Output = ApplicationSetView;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: GetSetArgs,
        _progress: &dyn Progress,
    ) -> Result<ApplicationSetView, ArgoError> {
        check_name("name", &args.name)?;
        if let Some(ns) = &args.appset_namespace {
            check_name("appset_namespace", ns)?;
        }
        let query = Query::new().add_opt("appsetNamespace", args.appset_namespace.as_deref());
        let set: AppSet = client
            .get(
                &format!(
                    "/api/v1/applicationsets/{}{}",
                    encode(&args.name),
                    query.as_str()
                ),
                &format!("ApplicationSet '{}'", args.name),
            )
            .await?;
        let spec = &set.spec.template.spec;
        let source = spec
            .source
            .as_ref()
            .map_or(String::from("(no source)"), |s| {
                format!(
                    "{} {}",
                    s.repo_url,
                    s.path.clone().or(s.chart.clone()).unwrap_or_default()
                )
            });
        let destination = spec.destination.as_ref().map_or(String::new(), |d| {
            format!(
                "{} {}",
                d.name.clone().or(d.server.clone()).unwrap_or_default(),
                d.namespace.clone().unwrap_or_default()
            )
        });
        let mut health = BTreeMap::new();
        for app in &set.status.resources {
            let h = app
                .health
                .as_ref()
                .and_then(|h| h.status.clone())
                .unwrap_or_else(|| "Unknown".into());
            *health.entry(h).or_default() += 1;
        }
        let total = set.status.resources.len();
        let applications: Vec<String> = set
            .status
            .resources
            .iter()
            .take(100)
            .map(|a| {
                format!(
                    "{} {} {}",
                    a.name,
                    a.status.as_deref().unwrap_or("Unknown"),
                    a.health
                        .as_ref()
                        .and_then(|h| h.status.as_deref())
                        .unwrap_or("Unknown")
                )
            })
            .collect();
        Ok(ApplicationSetView {
            generators: generator_kinds(&set.spec),
            template: format!(
                "project {} from {source} to {destination}",
                spec.project.as_deref().unwrap_or("default")
            ),
            problems: problems(&set.status),
            truncated: total > applications.len(),
            name: set.metadata.name,
            namespace: set.metadata.namespace,
            health,
            applications,
        })
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewArgs {
    /// The ApplicationSet object to try (apiVersion/kind optional; metadata.name and spec needed).
    pub applicationset: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GenerateResponse {
    applications: Vec<crate::argocd::model::Application>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Preview {
    /// How many Applications the spec generates now.
    pub count: usize,
    /// `name: project, repo path → destination` for each (at most 100).
    pub applications: Vec<String>,
    pub truncated: bool,
}

pub struct PreviewApplicationSet;

impl Tool for PreviewApplicationSet {
    const NAME: &'static str = "preview_argocd_applicationset";
    const TITLE: &'static str = "Preview an ApplicationSet";
    const DESCRIPTION: &'static str = "Dry run: which Applications an ApplicationSet spec would generate, computed by Argo CD, creating nothing.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = PreviewArgs;
    type Output = Preview;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: PreviewArgs,
        _progress: &dyn Progress,
    ) -> Result<Preview, ArgoError> {
        if !args
            .applicationset
            .get("spec")
            .is_some_and(Value::is_object)
        {
            return Err(ArgoError::invalid_input(
                "applicationset must be an ApplicationSet object with a spec (generators and template)",
            ));
        }
        if client.settings().read_only {
            super::read_only::check_preview_generators(&args.applicationset)?;
        }
        let answer: GenerateResponse = client
            .post(
                "/api/v1/applicationsets/generate",
                &json!({"applicationSet": args.applicationset}),
                "the ApplicationSet preview",
            )
            .await?;
        let count = answer.applications.len();
        let applications: Vec<String> = answer
            .applications
            .iter()
            .take(100)
            .map(|app| {
                let source = app.spec.all_sources().first().map_or(String::new(), |s| {
                    format!(
                        "{} {}",
                        s.repo_url,
                        s.path.clone().or(s.chart.clone()).unwrap_or_default()
                    )
                });
                let dest = app.spec.destination.as_ref().map_or(String::new(), |d| {
                    format!(
                        "{} {}",
                        d.name.clone().or(d.server.clone()).unwrap_or_default(),
                        d.namespace.clone().unwrap_or_default()
                    )
                });
                format!(
                    "{}: {}, {source} → {dest}",
                    app.metadata.name,
                    app.spec.project.as_deref().unwrap_or("default")
                )
            })
            .collect();
        Ok(Preview {
            count,
            truncated: count > applications.len(),
            applications,
        })
    }
}

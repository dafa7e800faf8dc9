//! The Argo CD tools, one file per family, and the pieces every tool shares, each in a file that
//! says what it holds:
//!
//! - [`registry`]: what a tool is ([`Tool`]), the one list of them, and how a call reaches one.
//! - [`schema`]: the schemas `tools/list` publishes, shaped from the argument and answer types.
//! - [`guards`]: confirmation and approval questions; [`project_guard`]: the project allow-list.
//! - [`arguments`]: name checks and the Argo CD paths they lead to; [`paging`]: pages of lists.
//! - [`signature`]: each tool's signature as data, what the plugin's WIT and glue are generated
//!   from at build time (by the `argocd-mcp-plugin-surface` crate, not by the runtime).
//! - [`masking`]: what is hidden in the Kubernetes objects passed on (Secrets, credentials of
//!   Applications and ApplicationSets).
//! - [`read_only`]: what read-only mode allows of tools that make Argo CD work (previews,
//!   hard refreshes).
//! - [`scrub`]: credentials removed from every URL of every answer, whatever the tool.
//!
//! A tool is one type implementing [`Tool`] in its family's file, and one line in the registry:
//! its argument type both parses the call and produces the `inputSchema` (and the plugin's
//! export), so they cannot drift.

mod argument_fit;
#[macro_use]
mod arguments;
mod actions;
mod apps;
mod appsets;
mod guards;
mod history;
mod lifecycle;
mod links;
mod logs;
mod manifests;
mod masking;
mod operation_watch;
mod operations;
mod paging;
mod patch_spelling;
mod platform;
mod project_guard;
mod read_only;
mod registry;
mod resources;
mod schema;
mod scrub;
mod signature;
pub(crate) mod statement;

pub use actions::{ListResourceActions, RunResourceAction};
pub use apps::{GetAppStatus, ListApps, RefreshApp};
pub use appsets::{GetApplicationSet, ListApplicationSets, PreviewApplicationSet};
pub use arguments::{
    ResourceSelector, app_path, check_name, check_rbac_object, check_revision, check_selector,
    get_app,
};
pub use history::ListAppHistory;
pub use lifecycle::{CreateApp, DeleteApp, DeleteResource, PatchApp};
pub use logs::GetAppLogs;
pub use manifests::{GetAppDiff, GetManifests, GetResource, GetRevisionMetadata, GetSyncWindows};
pub use operations::{RollbackApp, SyncApp, TerminateOperation, WaitForOperation};
pub use paging::{page_bounds, paginate};
pub use platform::{
    CanIQuery, GetCluster, GetProject, GetServerInfo, ListClusters, ListProjects, ListRepositories,
};
pub use project_guard::{
    Deployed, check_create_allowed, check_project_allowed, current_app,
    ensure_managed_deletes_allowed, ensure_patch_allowed, ensure_project_allowed,
    ensure_resource_allowed, ensure_sync_allowed, ensure_upsert_allowed, has_sources, merge_patch,
    pinned_revision, project_after_patch,
};
pub use registry::{
    Tool, approval_question, complete, definitions, exact_output_schema, mutating, needs_approval,
    signatures,
};
// Every call goes through the scrubber, which runs the registry's dispatch and cleans the answer.
pub use resources::{GetAppEvents, GetResourceTree};
pub use schema::{
    PROFILE_ARGUMENT, PROFILE_HEADER, generated_schemas, param_headers, schema_of, with_profiles,
};
#[cfg(any(test, feature = "fuzzing"))]
pub use scrub::masked_both_ways;
pub use scrub::{OwnSecrets, call, scrub_value, without_credentials};
pub use signature::ToolSignature;

//! The deep links Argo CD shows for an application: dashboards, runbooks, log views, as the
//! operator configured them (`application.links` in `argocd-cm`), with this app's values filled in.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tool, app_path, check_name};
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct LinksArgs {
        pub app_name: String,
        app_namespace,
    }
}

/// Links returned at most; an app with more is a configuration to read in `argocd-cm`.
const MAX_LINKS: usize = 50;

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppLinks {
    pub app: String,
    /// Empty when the operator configured none (or none applies to this app); at most 50.
    pub links: Vec<Link>,
    /// How many links Argo CD returned, when more than `links` holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Link {
    pub title: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `applicationLinksResponse`: proto3 JSON leaves `items` out when there are none.
#[derive(Deserialize)]
struct LinksResponse {
    #[serde(default)]
    items: Vec<Link>,
}

pub struct ListAppLinks;

impl Tool for ListAppLinks {
    const NAME: &'static str = "list_argocd_app_links";
    const TITLE: &'static str = "Application links";
    const DESCRIPTION: &'static str = "The deep links Argo CD shows for one app (dashboards, runbooks, logs; argocd-cm `application.links`), filled in for it.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = LinksArgs;
    type Output = AppLinks;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: LinksArgs,
        _progress: &dyn Progress,
    ) -> Result<AppLinks, ArgoError> {
        // This endpoint names the app's namespace `namespace`, not `appNamespace`.
        let (path, _) = app_path(&args.app_name, None, "/links")?;
        if let Some(namespace) = args.app_namespace.as_deref() {
            check_name("app_namespace", namespace)?;
        }
        let query = Query::new().add_opt("namespace", args.app_namespace.as_deref());
        let answer: LinksResponse = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("the links of application '{}'", args.app_name),
            )
            .await?;
        let total = answer.items.len();
        let mut links = answer.items;
        links.truncate(MAX_LINKS);
        Ok(AppLinks {
            app: args.app_name,
            total: (total > MAX_LINKS).then_some(total),
            links,
        })
    }
}

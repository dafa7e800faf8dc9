//! How applications are named as MCP resources: `argocd://applications/{namespace}/{name}` for
//! one app (its namespace is where the Application object lives, `argocd` unless apps-in-any-
//! namespace is on), `argocd://applications` for the fleet.

use crate::mcp::library::ResourceTemplate;

pub const FLEET: &str = "argocd://applications";
const APP_PREFIX: &str = "argocd://applications/";

/// One application, as a URI names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppRef {
    pub namespace: String,
    pub name: String,
}

impl AppRef {
    /// The app `uri` names, when it is an app's URI with names Kubernetes allows.
    pub fn parse(uri: &str) -> Option<AppRef> {
        let (namespace, name) = uri.strip_prefix(APP_PREFIX)?.split_once('/')?;
        (is_dns_name(namespace) && is_dns_name(name)).then(|| AppRef {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
    }

    pub fn uri(&self) -> String {
        format!("{APP_PREFIX}{}/{}", self.namespace, self.name)
    }
}

impl std::fmt::Display for AppRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// A Kubernetes object name (RFC 1123 subdomain): lower-case letters, digits, `-` and `.`,
/// starting and ending with a letter or digit, at most 253 characters.
fn is_dns_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    name.len() <= 253
        && edge(name.chars().next())
        && edge(name.chars().last())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

pub const TEMPLATES: &[ResourceTemplate] = &[
    ResourceTemplate {
        uri_template: "argocd://applications/{namespace}/{name}",
        name: "application",
        title: "Application status",
        description: "One application's status as get_argocd_app_status gives it (sync, health, operation, conditions, resources out of sync). Subscribe to it with subscriptions/listen to hear each sync, health, operation and revision change.",
        mime_type: "application/json",
        completions: &[("name", "app_name")],
    },
    ResourceTemplate {
        uri_template: FLEET,
        name: "applications",
        title: "Fleet summary",
        description: "Every application as list_argocd_apps gives it (first page, with sync and health counts). Subscribed, it tells of a change to any app; resourcesListChanged tells of apps added or deleted.",
        mime_type: "application/json",
        completions: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_uris_name_one_app_with_kubernetes_names() {
        let app = AppRef::parse("argocd://applications/argocd/checkout").unwrap();
        assert_eq!(
            (app.namespace.as_str(), app.name.as_str()),
            ("argocd", "checkout")
        );
        assert_eq!(app.uri(), "argocd://applications/argocd/checkout");
        for bad in [
            "argocd://applications",
            "argocd://applications/argocd",
            "argocd://applications/argocd/",
            "argocd://applications/argocd/a/b",
            "argocd://applications/Argo/app",
            "argocd://applications/argocd/-x",
            "argocd://applications/../x",
            "https://applications/argocd/x",
        ] {
            assert_eq!(AppRef::parse(bad), None, "{bad}");
        }
    }
}

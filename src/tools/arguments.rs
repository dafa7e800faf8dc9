//! Argument checks and the Argo CD paths they lead to: Kubernetes names (nothing else reaches
//! a URL), the app an argument names, and one resource of an app.

use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;

/// Rejects anything that is not a Kubernetes object name before it reaches a URL: no `/`, no `..`.
pub fn check_name(argument: &str, value: &str) -> Result<(), ArgoError> {
    let valid = !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && value.as_bytes()[0].is_ascii_alphanumeric()
        && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric()
        && !value.contains("..");
    if valid {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{argument} {value:?} is not a valid Kubernetes name: use 1-253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (names as list_argocd_apps shows them)"
        )))
    }
}

/// `/api/v1/applications/{name}` plus the `appNamespace` query for apps outside Argo CD's namespace.
pub fn app_path(
    name: &str,
    app_namespace: Option<&str>,
    suffix: &str,
) -> Result<(String, Query), ArgoError> {
    check_name("app_name", name)?;
    if let Some(ns) = app_namespace {
        check_name("app_namespace", ns)?;
    }
    Ok((
        format!(
            "/api/v1/applications/{}{suffix}",
            crate::argocd::client::encode(name)
        ),
        Query::new().add_opt("appNamespace", app_namespace),
    ))
}

/// `GET /api/v1/applications/{name}` (plus `appNamespace` and any `extra` query parameters).
pub async fn get_app<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<crate::argocd::model::Application, ArgoError> {
    let (path, mut query) = app_path(app_name, app_namespace, "")?;
    for (key, value) in extra {
        query = query.add(key, value);
    }
    client
        .get(
            &format!("{path}{}", query.as_str()),
            &format!("application '{app_name}'"),
        )
        .await
}

/// One resource of an app, named the way Argo CD's `…/resource*` endpoints take it.
pub struct ResourceSelector<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub group: Option<&'a str>,
    /// Default v1.
    pub version: Option<&'a str>,
}

impl ResourceSelector<'_> {
    /// Refuses a name or namespace that is not a Kubernetes name.
    pub fn check(&self) -> Result<(), ArgoError> {
        check_name("resource_name", self.name)?;
        if let Some(ns) = self.namespace {
            check_name("namespace", ns)?;
        }
        Ok(())
    }

    /// `/api/v1/applications/{app}{suffix}` with the resource in the query, names checked.
    pub fn path(
        &self,
        app_name: &str,
        app_namespace: Option<&str>,
        suffix: &str,
    ) -> Result<String, ArgoError> {
        self.check()?;
        let (path, query) = app_path(app_name, app_namespace, suffix)?;
        let query = query
            .add("resourceName", self.name)
            .add("kind", self.kind)
            .add("version", self.version.unwrap_or("v1"))
            .add_opt("namespace", self.namespace)
            .add_opt("group", self.group);
        Ok(format!("{path}{}", query.as_str()))
    }

    /// How errors name it: `Kind name of application 'app'`.
    pub fn subject(&self, app_name: &str) -> String {
        format!("{} {} of application '{app_name}'", self.kind, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_slashes_or_dots_are_refused() {
        for bad in [
            "", "a/b", "..", "../etc", "a..b", "UPPER", "-a", "a-", "a b", "a%2fb",
        ] {
            assert!(check_name("app_name", bad).is_err(), "{bad:?} accepted");
        }
        for good in ["a", "guestbook", "web-1.prod", "0app"] {
            check_name("app_name", good).unwrap();
        }
    }
}

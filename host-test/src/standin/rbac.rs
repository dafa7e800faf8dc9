//! Argo CD's RBAC as it applies to single sign-on users (`argocd-rbac-cm`): policies grant a
//! group an action on a resource's objects (`project/app`, globs allowed), nothing is granted by
//! default, and a denial is a 403 naming resource, action, object and subject. Local accounts
//! (admin) keep every right, as `role:admin` does. Every change an app undergoes, allowed or
//! denied, is recorded with who asked: the audit trail Argo CD keeps as events.

use serde_json::Value;

/// `p, <group>, <resource>, <action>, <object>, allow`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub group: String,
    pub resource: String,
    pub action: String,
    pub object: String,
}

impl Policy {
    pub fn new(group: &str, resource: &str, action: &str, object: &str) -> Policy {
        Policy {
            group: group.into(),
            resource: resource.into(),
            action: action.into(),
            object: object.into(),
        }
    }
}

/// `viewers` may read everything; `payments-deployers` may read everything and sync the apps of
/// project `payments`.
pub fn default_policies() -> Vec<Policy> {
    let mut policies = Vec::new();
    for group in ["viewers", "payments-deployers"] {
        for resource in [
            "applications",
            "projects",
            "clusters",
            "repositories",
            "logs",
        ] {
            policies.push(Policy::new(group, resource, "get", "*"));
        }
    }
    policies.push(Policy::new(
        "payments-deployers",
        "applications",
        "sync",
        "payments/*",
    ));
    policies
}

/// Who made a request, as Argo CD's session layer found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub username: String,
    pub issuer: String,
    pub groups: Vec<String>,
    /// Signed in through the identity provider (RBAC applies) rather than a local account.
    pub sso: bool,
}

/// One change asked of Argo CD, and whether RBAC let it through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub user: String,
    pub action: String,
    pub object: String,
    pub allowed: bool,
}

pub fn allows(
    policies: &[Policy],
    caller: &Caller,
    resource: &str,
    action: &str,
    object: &str,
) -> bool {
    !caller.sso
        || policies.iter().any(|p| {
            caller.groups.contains(&p.group)
                && p.resource == resource
                && (p.action == action || p.action == "*")
                && glob(&p.object, object)
        })
}

/// Casbin's `globMatch` as Argo CD uses it: `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// The resource and action Argo CD checks for a request to `/api/v1/applications/{name}/…`.
pub fn app_action(method: &str, rest: &[&str]) -> (&'static str, &'static str) {
    match (method, rest) {
        ("GET", ["logs"]) | ("GET", ["pods", _, "logs"]) => ("logs", "get"),
        ("GET", _) => ("applications", "get"),
        ("POST", ["sync"]) | ("PUT", ["rollback"]) | ("POST", ["rollback"]) => {
            ("applications", "sync")
        }
        ("DELETE", ["operation"]) => ("applications", "sync"),
        ("DELETE", _) => ("applications", "delete"),
        ("POST", ["resource", "actions"]) => ("applications", "action"),
        _ => ("applications", "update"),
    }
}

/// Argo CD's denial text (api-notes: `permission denied: <resource>, <action>, <object>, sub:
/// <user>, iat: <RFC3339>`).
pub fn denial(caller: &Caller, resource: &str, action: &str, object: &str) -> Value {
    let message = format!(
        "permission denied: {resource}, {action}, {object}, sub: {}, iat: 2026-12-01T00:00:00Z",
        caller.username
    );
    serde_json::json!({"error": message, "code": 7, "message": message})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sso(groups: &[&str]) -> Caller {
        Caller {
            username: "u".into(),
            issuer: "i".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            sso: true,
        }
    }

    #[test]
    fn groups_get_what_their_policies_grant_and_nothing_else() {
        let policies = default_policies();
        let deployer = sso(&["payments-deployers"]);
        let viewer = sso(&["viewers"]);
        let nobody = sso(&[]);
        assert!(allows(
            &policies,
            &deployer,
            "applications",
            "sync",
            "payments/payments"
        ));
        assert!(!allows(
            &policies,
            &deployer,
            "applications",
            "sync",
            "default/guestbook"
        ));
        assert!(allows(
            &policies,
            &viewer,
            "applications",
            "get",
            "default/guestbook"
        ));
        assert!(!allows(
            &policies,
            &viewer,
            "applications",
            "sync",
            "payments/payments"
        ));
        assert!(!allows(
            &policies,
            &nobody,
            "applications",
            "get",
            "default/guestbook"
        ));
        let admin = Caller {
            sso: false,
            ..nobody
        };
        assert!(allows(&policies, &admin, "applications", "delete", "x/y"));
        assert!(glob("pay*/*", "payments/api") && !glob("pay*/x", "payments/api"));
    }
}

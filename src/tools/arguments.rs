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
            "{argument} {} is not a valid Kubernetes name: use 1-253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (names as list_argocd_apps shows them)",
            quoted(value)
        )))
    }
}

/// Refuses a kind that is not a Kubernetes kind (a letter, then letters and digits:
/// `Deployment`). Argo CD and this server name a resource by kind and name: a kind holding
/// spaces or punctuation would let two arguments spell a secret neither holds, which the answers
/// would hide only when guessed right (review43 O2).
pub fn check_kind(kind: &str) -> Result<(), ArgoError> {
    let bytes = kind.as_bytes();
    let valid = bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.len() <= 63
        && bytes.iter().all(u8::is_ascii_alphanumeric);
    if valid {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(
            "kind is not a Kubernetes kind: use its name as the manifests write it, a letter then letters and digits (Deployment, ConfigMap)",
        ))
    }
}

/// The longest argument a refusal quotes whole.
const QUOTED_MOST: usize = 128;

/// An argument as a refusal quotes it: whole when short, else its start and its length (a
/// refusal that quoted a megabyte back would cost its reader, and the scrubbing, that much).
pub(super) fn quoted(value: &str) -> String {
    if value.len() <= QUOTED_MOST {
        return format!("{value:?}");
    }
    let start = crate::cut::at_word(value, QUOTED_MOST);
    format!("{start:?}… ({} bytes)", value.len())
}

/// A label selector (`team=payments,env in (prod,staging),!legacy`) that names no label whose
/// value answers hide ([`crate::tools::masking::names_a_credential`]): Argo CD matches a
/// selector against the values as they are, so whether an app came back would confirm a
/// guess at a hidden one.
pub fn check_selector(argument: &str, value: &str) -> Result<(), ArgoError> {
    let mut depth = 0usize;
    let mut requirements = Vec::new();
    let mut start = 0;
    for (at, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                requirements.push(&value[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    requirements.push(&value[start..]);
    for requirement in requirements {
        let requirement = requirement
            .trim_start()
            .trim_start_matches('!')
            .trim_start();
        // The key ends where Kubernetes' selector parser ends it: at an operator or any blank.
        let key_end = requirement
            .find(|c: char| "=!()<>,".contains(c) || c.is_ascii_whitespace())
            .unwrap_or(requirement.len());
        let key = &requirement[..key_end];
        // A prefixed key (`example.com/db-password`) is judged whole and by its last part.
        let name = key.rsplit('/').next().unwrap_or(key);
        let names_a_credential = crate::tools::masking::names_a_credential;
        // A pair's value field (`value`, `param-value`, `env.0.value`) is hidden beside a name
        // field naming a credential (`name: db-password`): judged by its last word alone, as
        // the selector cannot tell which name stands beside it.
        let pair_value = crate::tools::masking::words(name)
            .last()
            .is_some_and(crate::tools::masking::is_pair_value);
        if names_a_credential(name) || names_a_credential(key) || pair_value {
            return Err(ArgoError::invalid_input(format!(
                "{argument} names the label {}, whose value answers may hide: which apps match would tell it. Select by other labels.",
                quoted(key)
            )));
        }
    }
    Ok(())
}

/// A git revision that becomes a path segment (`…/revisions/{revision}/metadata`): a commit SHA,
/// a tag or a branch without `/`, as git allows them: 1-255 of letters, digits, `-`, `_`, `.`
/// and `+`, never `..`, not starting or ending with `.` (so never `.` or `..`, which Argo CD's
/// HTTP server would resolve as "this" and "parent" however they were escaped).
pub fn check_revision(argument: &str, value: &str) -> Result<(), ArgoError> {
    let valid = !value.is_empty()
        && value.len() <= 255
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+".contains(&b))
        && !value.contains("..")
        && !value.starts_with('.')
        && !value.ends_with('.');
    if valid {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{argument} must be a commit SHA, a tag or a branch name (1-255 letters, digits, - _ . +, no '..', not starting or ending with '.'); {} is not",
            quoted(value)
        )))
    }
}

/// An RBAC object for `can-i` (`default/guestbook`, `default/team-ns/guestbook`, `*`,
/// `system:serviceaccount:argocd:deployer`, a cluster's or repository's URL), sent as path
/// segments split at `/`: 1-512 of letters, digits and `- _ . ~ : @ + *`; no segment is `.` or
/// `..` (Argo CD's HTTP server would resolve them and answer about another object); a segment
/// is empty only right after a scheme (`https://`).
pub fn check_rbac_object(argument: &str, value: &str) -> Result<(), ArgoError> {
    let segments: Vec<&str> = value.split('/').collect();
    let valid = !value.is_empty()
        && value.len() <= 512
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~:@+*/".contains(&b))
        && segments
            .iter()
            .enumerate()
            .all(|(i, segment)| match *segment {
                "." | ".." => false,
                "" => {
                    // `scheme:` then `//`: the empty segment between the two slashes.
                    i == 1 && segments[0].ends_with(':') && segments.len() > 2
                }
                _ => true,
            });
    if valid {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{argument} {} is not an RBAC object: like project/app, project/namespace/app, *, system:serviceaccount:ns:name or a cluster URL; letters, digits and - _ . ~ : @ + * separated by '/', no '.' or '..' part",
            quoted(value)
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
    /// Refuses a name or namespace that is not a Kubernetes name, and a kind that is not a
    /// Kubernetes kind ([`check_kind`]).
    pub fn check(&self) -> Result<(), ArgoError> {
        check_name("resource_name", self.name)?;
        if let Some(ns) = self.namespace {
            check_name("namespace", ns)?;
        }
        check_kind(self.kind)
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

    /// How errors name it: `Kind 'name' of application 'app'` (the name quoted apart from the
    /// kind, so the two never read as one text).
    pub fn subject(&self, app_name: &str) -> String {
        format!("{} '{}' of application '{app_name}'", self.kind, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selector_on_a_label_answers_hide_is_refused() {
        for refused in [
            "db-password=hunter2",
            "team=a,api_token in (x,y)",
            "!secret",
            "example.com/db-password!=x",
            " env=prod , apiKey",
            "otp>5",
            "otp<7",
            "session\nin\n(guess)",
            "jwt\r\nnotin (a)",
            "name=db-password,value=4821",
            "param-value in (x)",
            "env.0.value in (x)",
            "example.com/defaultValue=x",
        ] {
            assert!(check_selector("selector", refused).is_err(), "{refused}");
        }
        for kept in [
            "team=payments,env in (prod,staging)",
            "app.kubernetes.io/name=token-service",
            "!legacy",
            "tier notin (password,secret)",
            "valuestream=x",
            "",
        ] {
            assert!(check_selector("selector", kept).is_ok(), "{kept}");
        }
    }

    /// The twenty-first review (X3): a refusal quotes a long argument by its start and length,
    /// not whole (a megabyte quoted back cost the reader and the scrubbing that much).
    #[test]
    fn a_refusal_quotes_a_long_argument_by_its_start() {
        let long = format!("not valid {}", "A:".repeat(500_000));
        for refused in [
            check_name("app_name", &long),
            check_revision("revision", &long),
            check_rbac_object("object", &long),
        ] {
            let said = refused.expect_err("refused").to_string();
            assert!(said.len() < 600, "{}", said.len());
            assert!(said.contains("\"not valid\"… (1000010 bytes)"), "{said}");
        }
        let short = check_name("app_name", "Web")
            .expect_err("refused")
            .to_string();
        assert!(short.contains("\"Web\" is not"), "{short}");
    }

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

    #[test]
    fn revisions_are_single_git_names() {
        for bad in [
            "", ".", "..", ".x", "x.", "a..b", "../x", "a/b", "a b", "a%2e", "\u{2024}",
        ] {
            assert!(check_revision("revision", bad).is_err(), "{bad:?} accepted");
        }
        let longest = "a".repeat(255);
        for good in [
            "0123456789abcdef0123456789abcdef01234567",
            "v1.2.3",
            "HEAD",
            "main",
            "release-1.0",
            "v1.0.0+build.7",
            "feature_x",
            longest.as_str(),
        ] {
            check_revision("revision", good).unwrap();
        }
        assert!(check_revision("revision", &"a".repeat(256)).is_err());
    }

    #[test]
    fn rbac_objects_take_colons_and_urls_but_never_dot_segments() {
        for good in [
            "*",
            "default/guestbook",
            "default/*",
            "default/team-ns/guestbook",
            "system:serviceaccount:argocd:deployer",
            "proj:default:ci",
            "https://kubernetes.default.svc",
            "https://edge-eu.example.com:6443",
            "git@github.com:org/repo.git",
            "web.v1.2",
            "a..b",
        ] {
            check_rbac_object("object", good).unwrap();
        }
        for bad in [
            "",
            ".",
            "..",
            "default/.",
            "default/..",
            "./guestbook",
            "../../x",
            "default/./guestbook",
            "default//guestbook",
            "default/",
            "/default",
            "https:/",
            "https://",
            "a b",
            "a%2fb",
            "a?b",
            "a#b",
            "a\\b",
        ] {
            assert!(
                check_rbac_object("object", bad).is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(check_rbac_object("object", &"a".repeat(513)).is_err());
    }
}

/// Declares a tool's argument type with the pieces many tools share written once, where they
/// stand among its fields:
///
/// - `app_namespace,`: the Application object's namespace (optional);
/// - `resource,`: one resource of an app: `kind`, `resource_name`, `namespace`, `group`, `version`
///   (and a `resource()` method giving its [`ResourceSelector`]);
/// - `multi_source,`: `revisions` and `source_positions` of a multi-source app;
/// - `wait,`: `wait` for the outcome and its `timeout_seconds`;
/// - `confirm,`: the caller's `confirm: true`, published as a constant.
///
/// The pieces become plain fields of the struct (not `#[serde(flatten)]`), so unknown arguments
/// stay errors under `deny_unknown_fields`, and serde, the schema and the plugin's generated
/// export all see the fields in the order they are written.
macro_rules! arguments {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        arguments!(@munch [$(#[$meta])*] $name [] [] $($body)*);
    };
    (@munch [$($meta:tt)*] $name:ident [$($done:tt)*] [$($impls:tt)*]) => {
        $($meta)*
        pub struct $name { $($done)* }
        $($impls)*
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] $impls:tt app_namespace, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)*
            // Unexplained here: the server's instructions say once what it is, rather than
            // 21 tools each in `tools/list`.
            #[serde(default)]
            pub app_namespace: Option<String>,
        ] $impls $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] $impls:tt multi_source, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)*
            /// Multi-source: revisions for `source_positions`.
            #[serde(default)]
            pub revisions: Option<Vec<String>>,
            /// Multi-source: 1-based source positions.
            #[serde(default)]
            pub source_positions: Option<Vec<i64>>,
        ] $impls $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] $impls:tt wait, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)*
            /// Wait for the outcome and health verdict.
            #[serde(default)]
            pub wait: bool,
            /// Seconds (default 120, at most 600).
            #[serde(default)]
            pub timeout_seconds: Option<u32>,
        ] $impls $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] $impls:tt confirm, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)*
            // Unexplained here: `const: true`, the tool's "Ask the user first" and the server's
            // instructions say it.
            #[schemars(extend("const" = true))]
            pub confirm: bool,
        ] $impls $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] [$($impls:tt)*] resource, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)*
            /// e.g. Deployment.
            pub kind: String,
            pub resource_name: String,
            /// Omit for cluster-scoped kinds.
            #[serde(default)]
            pub namespace: Option<String>,
            /// e.g. apps; omit for core kinds.
            #[serde(default)]
            pub group: Option<String>,
            /// Default v1.
            #[serde(default)]
            pub version: Option<String>,
        ] [$($impls)*
            impl $name {
                /// The resource these arguments name, as Argo CD's endpoints take it.
                pub fn resource(&self) -> $crate::tools::ResourceSelector<'_> {
                    $crate::tools::ResourceSelector {
                        kind: &self.kind,
                        name: &self.resource_name,
                        namespace: self.namespace.as_deref(),
                        group: self.group.as_deref(),
                        version: self.version.as_deref(),
                    }
                }
            }
        ] $($rest)*);
    };
    (@munch $meta:tt $name:ident [$($done:tt)*] $impls:tt
        $(#[$field_meta:meta])* $vis:vis $field:ident : $ty:ty, $($rest:tt)*) => {
        arguments!(@munch $meta $name [$($done)* $(#[$field_meta])* $vis $field: $ty,] $impls $($rest)*);
    };
}

#[cfg(test)]
mod piece_tests {
    use schemars::JsonSchema;
    use serde::Deserialize;

    arguments! {
        #[derive(Debug, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)] // only parsed
        pub struct Example {
            pub app_name: String,
            resource,
            /// Something of its own between the pieces.
            #[serde(default)]
            pub hard: bool,
            app_namespace,
            confirm,
        }
    }

    #[test]
    fn pieces_become_plain_fields_in_place_and_stay_strict() {
        let parsed: Example = serde_json::from_value(serde_json::json!({
            "app_name": "web", "kind": "Deployment", "resource_name": "api",
            "group": "apps", "confirm": true,
        }))
        .unwrap();
        let resource = parsed.resource();
        assert_eq!((resource.kind, resource.name), ("Deployment", "api"));
        assert_eq!(resource.group, Some("apps"));
        assert!(parsed.confirm && !parsed.hard && parsed.app_namespace.is_none());
        let typo = serde_json::from_value::<Example>(serde_json::json!({
            "app_name": "web", "kind": "Deployment", "resource_name": "api",
            "confirm": true, "dryrun": true,
        }));
        assert!(
            typo.unwrap_err()
                .to_string()
                .contains("unknown field `dryrun`")
        );
        let schema = crate::tools::schema_of::<Example>();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["confirm"]["const"], true);
        assert_eq!(
            crate::tools::signature::declared_fields::<Example>(),
            [
                "app_name",
                "kind",
                "resource_name",
                "namespace",
                "group",
                "version",
                "hard",
                "app_namespace",
                "confirm"
            ]
        );
    }
}

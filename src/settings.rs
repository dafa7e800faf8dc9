//! Settings, read once per request from whatever the host offers (Spin variables, environment).

use std::fmt;
use std::time::Duration;

/// A value that must never be printed: `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One setting under both of its names: the Spin variable and the environment variable.
#[derive(Debug, Clone, Copy)]
pub struct SettingName {
    pub variable: &'static str,
    pub env: &'static str,
    pub help: &'static str,
}

pub const ARGOCD_URL: SettingName = SettingName {
    variable: "argocd_url",
    env: "ARGOCD_URL",
    help: "Base URL of Argo CD, with scheme: https://argocd.example.com",
};
pub const ARGOCD_USERNAME: SettingName = SettingName {
    variable: "argocd_username",
    env: "ARGOCD_USERNAME",
    help: "Local account to log in as (with ARGOCD_PASSWORD); the session token is cached and shared",
};
pub const ARGOCD_PASSWORD: SettingName = SettingName {
    variable: "argocd_password",
    env: "ARGOCD_PASSWORD",
    help: "Password of that account (secret)",
};
pub const ARGOCD_TOKEN: SettingName = SettingName {
    variable: "argocd_token",
    env: "ARGOCD_TOKEN",
    help: "API token used as is instead of logging in (secret); wins over username/password",
};
pub const MCP_AUTH_TOKEN: SettingName = SettingName {
    variable: "mcp_auth_token",
    env: "MCP_AUTH_TOKEN",
    help: "When set, /mcp requires `Authorization: Bearer <this>` (secret)",
};
pub const READ_ONLY: SettingName = SettingName {
    variable: "read_only",
    env: "ARGOCD_READ_ONLY",
    help: "`true` hides and refuses every tool that changes Argo CD",
};
pub const REQUEST_TIMEOUT: SettingName = SettingName {
    variable: "request_timeout_ms",
    env: "ARGOCD_REQUEST_TIMEOUT_MS",
    help: "Time limit of one Argo CD request in milliseconds (default 15000)",
};

pub const ALLOWED_PROJECTS: SettingName = SettingName {
    variable: "allowed_projects",
    env: "ARGOCD_ALLOWED_PROJECTS",
    help: "Comma list of Argo CD projects whose apps may be changed; writes elsewhere are refused (default: all)",
};
pub const EXTRA_HEADERS: SettingName = SettingName {
    variable: "extra_headers",
    env: "ARGOCD_EXTRA_HEADERS",
    help: "JSON object of headers added to every Argo CD request, for proxies in front of it (Cloudflare Access, IAP) (secret)",
};

/// Every setting, in the order the README lists them.
pub const ALL: &[SettingName] = &[
    ARGOCD_URL,
    ARGOCD_USERNAME,
    ARGOCD_PASSWORD,
    ARGOCD_TOKEN,
    MCP_AUTH_TOKEN,
    READ_ONLY,
    REQUEST_TIMEOUT,
    ALLOWED_PROJECTS,
    EXTRA_HEADERS,
];

/// Headers the client sets itself: an extra header may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "host",
    "content-length",
];

/// How the component proves who it is to Argo CD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A token given in the settings, sent as is.
    Token(Secret),
    /// Log in with these and cache the session token.
    Login {
        username: String,
        password: Secret,
    },
    None,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Without trailing slash; empty when not configured.
    pub argocd_url: String,
    pub credentials: Credentials,
    pub mcp_auth_token: Option<Secret>,
    pub read_only: bool,
    pub request_timeout: Duration,
    /// Projects whose apps may be changed; `None` means all.
    pub allowed_projects: Option<Vec<String>>,
    /// Sent with every Argo CD request; values are secrets (proxy credentials).
    pub extra_headers: Vec<(String, Secret)>,
    /// Why `extra_headers` could not be read, if it could not.
    pub extra_headers_problem: Option<String>,
}

impl Settings {
    /// Reads every setting through `lookup`, which the host adapter answers from its own source.
    /// Empty values count as unset (Spin gives "" for an optional variable nobody set).
    pub fn load(lookup: impl Fn(&SettingName) -> Option<String>) -> Settings {
        let get = |name: &SettingName| lookup(name).filter(|v| !v.trim().is_empty());
        let credentials = match (
            get(&ARGOCD_TOKEN),
            get(&ARGOCD_USERNAME),
            get(&ARGOCD_PASSWORD),
        ) {
            (Some(token), _, _) => Credentials::Token(Secret::new(token.trim())),
            (None, Some(username), Some(password)) => Credentials::Login {
                username: username.trim().to_owned(),
                password: Secret::new(password),
            },
            _ => Credentials::None,
        };
        let request_timeout = get(&REQUEST_TIMEOUT)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map_or(Duration::from_secs(15), Duration::from_millis);
        let allowed_projects = get(&ALLOWED_PROJECTS).map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        });
        let (extra_headers, extra_headers_problem) = match get(&EXTRA_HEADERS) {
            None => (Vec::new(), None),
            Some(raw) => match parse_extra_headers(&raw) {
                Ok(headers) => (headers, None),
                Err(problem) => (Vec::new(), Some(problem)),
            },
        };
        Settings {
            argocd_url: get(&ARGOCD_URL)
                .map(|u| u.trim().trim_end_matches('/').to_owned())
                .unwrap_or_default(),
            credentials,
            mcp_auth_token: get(&MCP_AUTH_TOKEN).map(Secret::new),
            read_only: get(&READ_ONLY).is_some_and(|v| is_truthy(&v)),
            request_timeout,
            allowed_projects,
            extra_headers,
            extra_headers_problem,
        }
    }

    /// Why the component cannot reach Argo CD with these settings, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.argocd_url.is_empty() {
            return Some(format!(
                "Argo CD is not configured: set {} (Spin variable {}), e.g. https://argocd.example.com",
                ARGOCD_URL.env, ARGOCD_URL.variable
            ));
        }
        if !(self.argocd_url.starts_with("http://") || self.argocd_url.starts_with("https://")) {
            return Some(format!(
                "{} must start with http:// or https:// (got a value without a scheme)",
                ARGOCD_URL.env
            ));
        }
        if let Some(problem) = &self.extra_headers_problem {
            return Some(problem.clone());
        }
        if self.credentials == Credentials::None {
            return Some(format!(
                "No Argo CD credentials: set {} or both {} and {} (Spin variables {}, {}, {})",
                ARGOCD_TOKEN.env,
                ARGOCD_USERNAME.env,
                ARGOCD_PASSWORD.env,
                ARGOCD_TOKEN.variable,
                ARGOCD_USERNAME.variable,
                ARGOCD_PASSWORD.variable
            ));
        }
        None
    }
}

/// `{"CF-Access-Client-Id": "…", "CF-Access-Client-Secret": "…"}`. Messages never quote values.
fn parse_extra_headers(raw: &str) -> Result<Vec<(String, Secret)>, String> {
    let problem = |why: &str| {
        format!(
            "{} must be a JSON object of header names to string values ({why})",
            EXTRA_HEADERS.env
        )
    };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(raw).map_err(|_| problem("it is not a JSON object"))?;
    let mut headers = Vec::new();
    for (name, value) in map {
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name {
            return Err(problem(&format!("{name:?} is not a header name")));
        }
        if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(problem(&format!("{name} is set by the server itself")));
        }
        let Some(value) = value.as_str().filter(|v| !v.contains(['\r', '\n'])) else {
            return Err(problem(&format!(
                "the value of {name} must be a one-line string"
            )));
        };
        headers.push((name, Secret::new(value)));
    }
    Ok(headers)
}

fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Settings {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        Settings::load(|n| map.get(n.env).map(|v| v.to_string()))
    }

    #[test]
    fn token_wins_over_login_and_empty_values_are_unset() {
        let s = load(&[
            ("ARGOCD_URL", "https://cd.example.com/"),
            ("ARGOCD_TOKEN", "tok"),
            ("ARGOCD_USERNAME", "admin"),
            ("ARGOCD_PASSWORD", "pw"),
            ("MCP_AUTH_TOKEN", ""),
        ]);
        assert_eq!(s.argocd_url, "https://cd.example.com");
        assert_eq!(s.credentials, Credentials::Token(Secret::new("tok")));
        assert!(s.mcp_auth_token.is_none());
        assert!(s.problem().is_none());
    }

    #[test]
    fn problems_name_the_setting_to_fix() {
        assert!(load(&[]).problem().unwrap().contains("ARGOCD_URL"));
        let no_creds = load(&[("ARGOCD_URL", "https://x"), ("ARGOCD_USERNAME", "a")]);
        assert!(no_creds.problem().unwrap().contains("ARGOCD_PASSWORD"));
        assert!(
            load(&[("ARGOCD_URL", "x.example.com"), ("ARGOCD_TOKEN", "t")])
                .problem()
                .unwrap()
                .contains("http://")
        );
    }

    #[test]
    fn read_only_and_timeout_parse() {
        let s = load(&[
            ("ARGOCD_READ_ONLY", "TRUE"),
            ("ARGOCD_REQUEST_TIMEOUT_MS", "250"),
        ]);
        assert!(s.read_only);
        assert_eq!(s.request_timeout, Duration::from_millis(250));
        assert!(!load(&[("ARGOCD_READ_ONLY", "no")]).read_only);
    }

    #[test]
    fn allow_list_and_extra_headers() {
        let s = load(&[
            ("ARGOCD_ALLOWED_PROJECTS", " payments, ,search "),
            (
                "ARGOCD_EXTRA_HEADERS",
                r#"{"CF-Access-Client-Id":"id","CF-Access-Client-Secret":"very-secret"}"#,
            ),
        ]);
        assert_eq!(
            s.allowed_projects,
            Some(vec!["payments".to_string(), "search".to_string()])
        );
        assert_eq!(s.extra_headers.len(), 2);
        assert!(!format!("{s:?}").contains("very-secret"));
        for bad in [
            r#"{"Authorization":"x"}"#,
            r#"["x"]"#,
            r#"{"A B":"x"}"#,
            r#"{"X":"a\nb"}"#,
            r#"{"X":1}"#,
        ] {
            let s = load(&[
                ("ARGOCD_URL", "https://x"),
                ("ARGOCD_TOKEN", "t"),
                ("ARGOCD_EXTRA_HEADERS", bad),
            ]);
            let problem = s.problem().expect(bad);
            assert!(
                problem.contains("ARGOCD_EXTRA_HEADERS") && !problem.contains("a\nb"),
                "{problem}"
            );
        }
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let s = load(&[("ARGOCD_USERNAME", "a"), ("ARGOCD_PASSWORD", "hunter2")]);
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}

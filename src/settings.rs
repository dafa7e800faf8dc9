//! Settings, read once per request from whatever the host offers (Spin variables, environment).

use std::fmt;
use std::time::Duration;

use crate::store_seal::StoreSeal;

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
pub const STORE_KEY: SettingName = SettingName {
    variable: "store_key",
    env: "MCP_STORE_KEY",
    help: "At least 32 random characters (secret) that seal what instances share in the key-value store (Argo CD sessions, exchanged tokens, provider keys, verdicts) and derive the approval key, so a store reader gets nothing usable; Spin requires it, the runner makes one per process",
};
pub const READ_ONLY: SettingName = SettingName {
    variable: "read_only",
    env: "ARGOCD_READ_ONLY",
    help: "`true` hides and refuses every tool that changes Argo CD",
};
pub const REQUIRE_APPROVAL: SettingName = SettingName {
    variable: "require_approval",
    env: "ARGOCD_REQUIRE_APPROVAL",
    help: "`true`: every change waits for a person's yes, asked through the MCP client (elicitation)",
};
pub const REQUEST_TIMEOUT: SettingName = SettingName {
    variable: "request_timeout_ms",
    env: "ARGOCD_REQUEST_TIMEOUT_MS",
    help: "Time limit of one Argo CD request in milliseconds (default 15000)",
};
pub const WATCH_STALL: SettingName = SettingName {
    variable: "watch_stall_ms",
    env: "ARGOCD_WATCH_STALL_MS",
    help: "Live feed: a watch of Argo CD silent this long (no change, no keepalive) is deemed stalled and opened again, catching up on what it missed, in milliseconds (default 45000: three of the keepalives Argo CD writes every 15 s)",
};
pub const FEED_MAX_SUBSCRIPTIONS: SettingName = SettingName {
    variable: "feed_max_subscriptions",
    env: "ARGOCD_FEED_MAX_SUBSCRIPTIONS",
    help: "Live feed: the most subscriptions the server holds open at once, counted across its instances in the key-value store; each holds one watch on Argo CD (default 100; 0 refuses every subscription)",
};
pub const FEED_MAX_PER_CALLER: SettingName = SettingName {
    variable: "feed_max_per_caller",
    env: "ARGOCD_FEED_MAX_PER_CALLER",
    help: "Live feed, user mode: the most subscriptions one caller holds open at once, counted across instances (default 10)",
};

pub const MAX_RESPONSE_BYTES: SettingName = SettingName {
    variable: "max_response_bytes",
    env: "ARGOCD_MAX_RESPONSE_BYTES",
    help: "Most bytes read of one Argo CD answer, enforced while it streams in (default 12582912, 12 MiB)",
};
pub const ALLOWED_HOSTS: SettingName = SettingName {
    variable: "allowed_hosts",
    env: "MCP_ALLOWED_HOSTS",
    help: "Comma list of host names (optionally host:port) this server answers to, besides loopback; `*` for any (DNS-rebinding protection)",
};
pub const ALLOWED_ORIGINS: SettingName = SettingName {
    variable: "allowed_origins",
    env: "MCP_ALLOWED_ORIGINS",
    help: "Comma list of browser origins (scheme://host[:port]) allowed to call, besides loopback",
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

pub const PROFILES: SettingName = SettingName {
    variable: "profiles",
    env: "ARGOCD_PROFILES",
    help: "Several Argo CD instances: a JSON list of `{\"name\", \"url\", \"token\"}` or `{\"name\", \"url\", \"username\", \"password\"}` (optional `extra_headers`); tools take `profile`, default the first (ARGOCD_URL, when set, is the first, named `default`) (secret)",
};

pub const AUTH_MODE: SettingName = SettingName {
    variable: "auth_mode",
    env: "ARGOCD_AUTH_MODE",
    help: "`service` (default): one Argo CD account acts for every caller. `user`: every caller signs in at the identity provider Argo CD trusts and acts as themself (OAuth; the settings below)",
};
pub const MCP_RESOURCE_URL: SettingName = SettingName {
    variable: "mcp_resource_url",
    env: "MCP_RESOURCE_URL",
    help: "User mode: the public URL of this server's MCP endpoint, e.g. https://mcp.example.com/mcp (the resource its tokens are for, RFC 8707)",
};
pub const OIDC_ISSUER: SettingName = SettingName {
    variable: "oidc_issuer",
    env: "OIDC_ISSUER",
    help: "User mode: issuer URL of the identity provider Argo CD trusts (its Dex: https://argocd.example.com/api/dex, or the OIDC provider in argocd-cm)",
};
pub const OIDC_AUDIENCE: SettingName = SettingName {
    variable: "oidc_audience",
    env: "OIDC_AUDIENCE",
    help: "User mode: the audience callers' tokens must name (default: MCP_RESOURCE_URL; providers that put client ids in `aud`, like Dex, need this server's client id)",
};
pub const OIDC_CLIENT_ID: SettingName = SettingName {
    variable: "oidc_client_id",
    env: "OIDC_CLIENT_ID",
    help: "User mode: this server's client id at the identity provider (a confidential client, for token exchange)",
};
pub const OIDC_CLIENT_SECRET: SettingName = SettingName {
    variable: "oidc_client_secret",
    env: "OIDC_CLIENT_SECRET",
    help: "User mode: that client's secret (secret)",
};
pub const ARGOCD_CLIENT_ID: SettingName = SettingName {
    variable: "argocd_client_id",
    env: "ARGOCD_OIDC_CLIENT_ID",
    help: "User mode: Argo CD's client id at the identity provider, the audience of the tokens sent to Argo CD (default `argo-cd`)",
};
pub const OIDC_SCOPES: SettingName = SettingName {
    variable: "oidc_scopes",
    env: "OIDC_SCOPES",
    help: "User mode: space-separated scopes clients are asked for and tokens that list scopes must hold (default `openid profile email groups`)",
};
pub const OIDC_DELEGATION: SettingName = SettingName {
    variable: "oidc_delegation",
    env: "OIDC_DELEGATION",
    help: "User mode: `exchange` (default): trade each caller's token for one for Argo CD (RFC 8693). `on-behalf-of`: the same through Entra ID's on-behalf-of flow. `shared-audience`: the weaker opt-in that sends the caller's token on when its audience also names Argo CD's client id (Dex cross-client trust)",
};

/// The settings of both modes, in the order the README lists them.
pub const SERVICE_SETTINGS: &[SettingName] = &[
    ARGOCD_URL,
    ARGOCD_USERNAME,
    ARGOCD_PASSWORD,
    ARGOCD_TOKEN,
    MCP_AUTH_TOKEN,
    STORE_KEY,
    READ_ONLY,
    REQUIRE_APPROVAL,
    REQUEST_TIMEOUT,
    MAX_RESPONSE_BYTES,
    ALLOWED_HOSTS,
    ALLOWED_ORIGINS,
    ALLOWED_PROJECTS,
    EXTRA_HEADERS,
    PROFILES,
];

/// Every setting: those of both modes, the live feed's, then user mode's.
pub fn all() -> impl Iterator<Item = &'static SettingName> {
    SERVICE_SETTINGS
        .iter()
        .chain(FEED_SETTINGS)
        .chain(USER_MODE_SETTINGS)
}

/// The live feed's settings: the server component's alone (a plugin subscribes to nothing).
pub const FEED_SETTINGS: &[SettingName] =
    &[WATCH_STALL, FEED_MAX_SUBSCRIPTIONS, FEED_MAX_PER_CALLER];

/// How many subscriptions may be open at once (see `feed::slots`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedLimits {
    /// For the whole server, across its instances.
    pub total: u32,
    /// For one caller, in user mode.
    pub per_caller: u32,
}

impl Default for FeedLimits {
    fn default() -> Self {
        FeedLimits {
            total: 100,
            per_caller: 10,
        }
    }
}

/// A watch silent this long is deemed stalled: three of Argo CD's 15 s SSE keepalives missed.
pub const DEFAULT_WATCH_STALL: Duration = Duration::from_secs(45);
/// Shorter than this is ignored: a stream is never judged on less than a second of silence.
pub const MIN_WATCH_STALL: Duration = Duration::from_secs(1);

/// User mode's settings: the server component's alone (a plugin has no callers to sign in; it
/// acts with the account it is given and never reads these).
pub const USER_MODE_SETTINGS: &[SettingName] = &[
    AUTH_MODE,
    MCP_RESOURCE_URL,
    OIDC_ISSUER,
    OIDC_AUDIENCE,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    ARGOCD_CLIENT_ID,
    OIDC_SCOPES,
    OIDC_DELEGATION,
];

/// Headers the client sets itself: an extra header may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "content-type",
    "accept",
    "host",
    "content-length",
];

/// The Argo CD account the configuration names (service mode, and each profile). A caller's
/// own identity is never one of these: a request acts as one or the other
/// ([`crate::context::ActingAs`]), and a caller's request can choose no profile.
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

/// A caller's token after it was verified, and who it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserToken {
    pub token: Secret,
    /// What the store knows this token by: a hash of its one spelling, never the token.
    pub fingerprint: String,
    /// The `sub` claim.
    pub subject: String,
    /// Email or user name, for messages.
    pub display_name: String,
    /// `exp`, in seconds.
    pub expires_at_s: i64,
}

/// How tokens for Argo CD are had from a caller's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delegation {
    /// RFC 8693 token exchange at the provider's token endpoint.
    Exchange,
    /// Microsoft Entra ID's on-behalf-of flow (a JWT-bearer grant asking for Argo CD's scope).
    OnBehalfOf,
    /// The caller's token itself, when its audience also names Argo CD's client id.
    SharedAudience,
}

/// User mode: every caller signs in at the identity provider and acts as themself.
#[derive(Debug, Clone)]
pub struct UserMode {
    /// The provider's issuer, exactly as its tokens name it.
    pub issuer: String,
    /// The public URL of `/mcp`: the PRM `resource`.
    pub resource: String,
    /// What a caller's token's `aud` must hold.
    pub audience: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub argocd_client_id: String,
    pub scopes: Vec<String>,
    pub delegation: Delegation,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The default Argo CD (the first profile, when profiles are configured), without trailing
    /// slash; empty when not configured. Which one a request talks to is its
    /// [`crate::context::Target`].
    pub argocd_url: String,
    /// The default Argo CD's configured account: a request acts as it, or as its caller in user
    /// mode ([`crate::context::ActingAs`]), never both.
    pub credentials: Credentials,
    pub mcp_auth_token: Option<Secret>,
    /// Why MCP_AUTH_TOKEN cannot be used (set, but blank): every call is then refused.
    pub mcp_auth_problem: Option<String>,
    /// Seals what the store shares (`MCP_STORE_KEY`); `None`: kept as it is (see `store_seal`).
    pub store_seal: Option<StoreSeal>,
    /// Why MCP_STORE_KEY cannot be used: every call is refused rather than sealing with nothing.
    pub store_seal_problem: Option<String>,
    /// Host names (`host` or `host:port`) the server answers to besides loopback; `*`: any.
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed besides loopback ones.
    pub allowed_origins: Vec<String>,
    /// Most bytes read of one Argo CD answer.
    pub max_response_bytes: usize,
    pub read_only: bool,
    /// Changes run only after a person approved them through the client.
    pub require_approval: bool,
    pub request_timeout: Duration,
    /// A watch of Argo CD silent this long (no event, no keepalive) is opened again.
    pub watch_stall: Duration,
    /// How many subscriptions may be open at once.
    pub feed_limits: FeedLimits,
    /// Projects whose apps may be changed; `None` means all.
    pub allowed_projects: Option<Vec<String>>,
    /// Sent with every request to the default Argo CD; values are secrets (proxy credentials).
    pub extra_headers: Vec<(String, Secret)>,
    /// Why `extra_headers` could not be read, if it could not.
    pub extra_headers_problem: Option<String>,
    /// Named Argo CD instances, when several are configured; the first is the one above.
    pub profiles: Vec<Profile>,
    /// Why `profiles` could not be read, if it could not.
    pub profiles_problem: Option<String>,
    /// Set in user mode (`ARGOCD_AUTH_MODE=user`).
    pub user_mode: Option<UserMode>,
    /// Why user mode cannot work with these settings; every call is refused with it.
    pub user_mode_problem: Option<String>,
}

/// One Argo CD instance of several: where it is and how to sign in.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub argocd_url: String,
    pub credentials: Credentials,
    pub extra_headers: Vec<(String, Secret)>,
}

impl Credentials {
    /// The secret these credentials hold, if any.
    fn secret(&self) -> Option<&Secret> {
        match self {
            Credentials::Token(token) => Some(token),
            Credentials::Login { password, .. } => Some(password),
            Credentials::None => None,
        }
    }
}

/// The name of the profile made of the single-instance settings when profiles are configured too.
pub const DEFAULT_PROFILE: &str = "default";

impl Settings {
    /// Every secret value these settings hold: Argo CD tokens and passwords (every profile's),
    /// extra header values, the MCP token and the identity provider's client secret. What an
    /// upstream quotes back (a provider echoing the client credentials it was sent) is taken out
    /// of answers by these ([`crate::tools::OwnSecrets`]).
    pub fn secret_values(&self) -> Vec<&str> {
        let mut secrets: Vec<&Secret> = Vec::new();
        secrets.extend(self.credentials.secret());
        secrets.extend(self.mcp_auth_token.as_ref());
        secrets.extend(self.extra_headers.iter().map(|(_, value)| value));
        for profile in &self.profiles {
            secrets.extend(profile.credentials.secret());
            secrets.extend(profile.extra_headers.iter().map(|(_, value)| value));
        }
        if let Some(mode) = &self.user_mode {
            secrets.extend(mode.client_secret.as_ref());
        }
        secrets.into_iter().map(Secret::expose).collect()
    }

    /// Reads every setting through `lookup`, which the host adapter answers from its own source.
    /// Empty values count as unset (Spin gives "" for an optional variable nobody set).
    pub fn load(lookup: impl Fn(&SettingName) -> Option<String>) -> Settings {
        Self::load_modes(lookup, true)
    }

    /// [`Settings::load`] for a host that never serves user mode (the plugin): its settings
    /// ([`USER_MODE_SETTINGS`]) are not read, as if unset, and the code that reads them is
    /// left out of such a host.
    pub fn load_without_user_mode(lookup: impl Fn(&SettingName) -> Option<String>) -> Settings {
        Self::load_modes(lookup, false)
    }

    fn load_modes(
        lookup: impl Fn(&SettingName) -> Option<String>,
        serves_user_mode: bool,
    ) -> Settings {
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
        let watch_stall = get(&WATCH_STALL)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_millis)
            .filter(|stall| *stall >= MIN_WATCH_STALL)
            .unwrap_or(DEFAULT_WATCH_STALL);
        let limit = |name: &SettingName, default: u32| {
            get(name)
                .and_then(|v| v.trim().parse::<u32>().ok())
                .unwrap_or(default)
        };
        let feed_limits = FeedLimits {
            total: limit(&FEED_MAX_SUBSCRIPTIONS, FeedLimits::default().total),
            per_caller: limit(&FEED_MAX_PER_CALLER, FeedLimits::default().per_caller),
        };
        let allowed_projects = get(&ALLOWED_PROJECTS).map(|list| comma_list(&list));
        // A mounted secret often ends in a newline: trim it, as the presented token is trimmed.
        // Set but blank is a mistake that must not quietly turn authentication off.
        let (mcp_auth_token, mcp_auth_problem) = match lookup(&MCP_AUTH_TOKEN) {
            Some(raw) if !raw.is_empty() && raw.trim().is_empty() => (
                None,
                Some(format!(
                    "{} (Spin variable {}) is set but blank: set a real token, or leave it unset to serve without one. Every call is refused until then.",
                    MCP_AUTH_TOKEN.env, MCP_AUTH_TOKEN.variable
                )),
            ),
            Some(raw) if !raw.is_empty() => (Some(Secret::new(raw.trim())), None),
            _ => (None, None),
        };
        let (store_seal, store_seal_problem) = match lookup(&STORE_KEY) {
            Some(raw) if !raw.is_empty() => match StoreSeal::from_secret(&raw) {
                Ok(seal) => (Some(seal), None),
                Err(problem) => (
                    None,
                    Some(format!(
                        "{problem} (Spin variable {}). Every call is refused until then.",
                        STORE_KEY.variable
                    )),
                ),
            },
            _ => (None, None),
        };
        let max_response_bytes = get(&MAX_RESPONSE_BYTES)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|bytes| *bytes >= MIN_RESPONSE_BYTES)
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        let (extra_headers, extra_headers_problem) = match get(&EXTRA_HEADERS) {
            None => (Vec::new(), None),
            Some(raw) => match parse_extra_headers(&raw) {
                Ok(headers) => (headers, None),
                Err(problem) => (Vec::new(), Some(problem)),
            },
        };
        let mut settings = Settings {
            argocd_url: get(&ARGOCD_URL)
                .map(|u| normalise_url(&u))
                .unwrap_or_default(),
            credentials,
            mcp_auth_token,
            mcp_auth_problem,
            store_seal,
            store_seal_problem,
            allowed_hosts: get(&ALLOWED_HOSTS)
                .map(|list| comma_list(&list.to_ascii_lowercase()))
                .unwrap_or_default(),
            allowed_origins: get(&ALLOWED_ORIGINS)
                .map(|list| comma_list(&list.to_ascii_lowercase()))
                .unwrap_or_default(),
            max_response_bytes,
            read_only: get(&READ_ONLY).is_some_and(|v| is_truthy(&v)),
            require_approval: get(&REQUIRE_APPROVAL).is_some_and(|v| is_truthy(&v)),
            request_timeout,
            watch_stall,
            feed_limits,
            allowed_projects,
            extra_headers,
            extra_headers_problem,
            profiles: Vec::new(),
            profiles_problem: None,
            user_mode: None,
            user_mode_problem: None,
        };
        if let Some(raw) = get(&PROFILES) {
            match parse_profiles(&raw) {
                Ok(listed) => settings.set_profiles(listed),
                Err(problem) => settings.profiles_problem = Some(problem),
            }
        }
        if !serves_user_mode {
            return settings;
        }
        match get(&AUTH_MODE)
            .map(|m| m.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("service") => {}
            Some("user") => match parse_user_mode(&get, &settings) {
                Ok(mode) => settings.user_mode = Some(mode),
                Err(problem) => settings.user_mode_problem = Some(problem),
            },
            Some(_) => {
                settings.user_mode_problem =
                    Some(format!("{} must be `service` or `user`", AUTH_MODE.env))
            }
        }
        settings
    }

    /// Puts the single-instance settings (when given) first as `default`, then `listed`, and
    /// makes the first profile the default: the one every call uses unless it names another.
    fn set_profiles(&mut self, listed: Vec<Profile>) {
        let mut profiles = Vec::new();
        if !self.argocd_url.is_empty() {
            profiles.push(Profile {
                name: DEFAULT_PROFILE.into(),
                argocd_url: self.argocd_url.clone(),
                credentials: self.credentials.clone(),
                extra_headers: self.extra_headers.clone(),
            });
        }
        for profile in listed {
            if profiles.iter().any(|p: &Profile| p.name == profile.name) {
                self.profiles_problem = Some(format!(
                    "{}: the profile name {:?} is used twice",
                    PROFILES.env, profile.name
                ));
                return;
            }
            profiles.push(profile);
        }
        if let Some(first) = profiles.first() {
            self.argocd_url = first.argocd_url.clone();
            self.credentials = first.credentials.clone();
            self.extra_headers = first.extra_headers.clone();
        }
        self.profiles = profiles;
    }

    /// Names of the configured profiles, the default first; empty with a single instance.
    pub fn profile_names(&self) -> Vec<&str> {
        self.profiles.iter().map(|p| p.name.as_str()).collect()
    }

    /// Why the component cannot reach its default Argo CD with these settings, if it cannot.
    pub fn problem(&self) -> Option<String> {
        self.problem_at(&self.argocd_url, Some(&self.credentials))
    }

    /// Why a request cannot reach the Argo CD at `argocd_url` acting as `account` (`None`: as its
    /// caller, in user mode), if it cannot: these settings' problems, then the target's.
    pub(crate) fn problem_at(
        &self,
        argocd_url: &str,
        account: Option<&Credentials>,
    ) -> Option<String> {
        if let Some(problem) = &self.store_seal_problem {
            return Some(problem.clone());
        }
        if let Some(problem) = &self.profiles_problem {
            return Some(problem.clone());
        }
        if argocd_url.is_empty() {
            return Some(format!(
                "Argo CD is not configured: set {} (Spin variable {}), e.g. https://argocd.example.com",
                ARGOCD_URL.env, ARGOCD_URL.variable
            ));
        }
        if !(argocd_url.starts_with("http://") || argocd_url.starts_with("https://")) {
            return Some(format!(
                "{} must start with http:// or https:// (got a value without a scheme)",
                ARGOCD_URL.env
            ));
        }
        if let Some(problem) = &self.extra_headers_problem {
            return Some(problem.clone());
        }
        if let Some(problem) = &self.user_mode_problem {
            return Some(problem.clone());
        }
        if account == Some(&Credentials::None) && self.user_mode.is_none() {
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

/// User mode's settings, each missing one named with both of its names.
fn parse_user_mode(
    get: &dyn Fn(&SettingName) -> Option<String>,
    settings: &Settings,
) -> Result<UserMode, String> {
    let required = |name: &SettingName| {
        get(name).map(|v| v.trim().to_owned()).ok_or_else(|| {
            format!(
                "{}=user needs {} (Spin variable {}): {}",
                AUTH_MODE.env, name.env, name.variable, name.help
            )
        })
    };
    let url = |name: &SettingName| -> Result<String, String> {
        let value = required(name)?;
        if value.starts_with("https://") || value.starts_with("http://") {
            Ok(value)
        } else {
            Err(format!("{} must be an http(s) URL", name.env))
        }
    };
    // The issuer is compared with tokens' `iss` exactly, so it is kept as written.
    let issuer = url(&OIDC_ISSUER)?;
    let resource = url(&MCP_RESOURCE_URL)?;
    let delegation = match get(&OIDC_DELEGATION)
        .map(|d| d.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("exchange") => Delegation::Exchange,
        Some("on-behalf-of") => Delegation::OnBehalfOf,
        Some("shared-audience") => Delegation::SharedAudience,
        Some(_) => {
            return Err(format!(
                "{} must be `exchange`, `on-behalf-of` or `shared-audience`",
                OIDC_DELEGATION.env
            ));
        }
    };
    let (client_id, client_secret) = match delegation {
        Delegation::Exchange | Delegation::OnBehalfOf => (
            required(&OIDC_CLIENT_ID)?,
            Some(Secret::new(required(&OIDC_CLIENT_SECRET)?)),
        ),
        Delegation::SharedAudience => (
            get(&OIDC_CLIENT_ID).unwrap_or_default().trim().to_owned(),
            get(&OIDC_CLIENT_SECRET).map(|s| Secret::new(s.trim())),
        ),
    };
    if !settings.profiles.is_empty() || settings.profiles_problem.is_some() {
        return Err(format!(
            "{}=user serves one Argo CD, the one whose identity provider signs callers in; {} cannot be used with it",
            AUTH_MODE.env, PROFILES.env
        ));
    }
    if settings.mcp_auth_token.is_some() {
        return Err(format!(
            "{}=user authenticates each caller with the identity provider: unset {} (a shared bearer would stand beside it)",
            AUTH_MODE.env, MCP_AUTH_TOKEN.env
        ));
    }
    Ok(UserMode {
        audience: get(&OIDC_AUDIENCE)
            .map(|a| a.trim().to_owned())
            .unwrap_or_else(|| resource.clone()),
        issuer,
        resource,
        client_id,
        client_secret,
        argocd_client_id: get(&ARGOCD_CLIENT_ID)
            .map(|a| a.trim().to_owned())
            .unwrap_or_else(|| "argo-cd".into()),
        scopes: get(&OIDC_SCOPES)
            .unwrap_or_else(|| "openid profile email groups".into())
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        delegation,
    })
}

/// Default of ARGOCD_MAX_RESPONSE_BYTES: far above any answer our tools need (the 1,000-app list
/// is 5.5 MB untrimmed, 0.3 MB as the list tools ask for it), and what the smallest host a
/// component ships for holds with room to spare: the plugin's 64 MiB (its policy) takes the
/// answer (read into a buffer sized once when Argo CD states the length), its parse (bounded by
/// `argocd::json_budget` to about the answer's size) and the reply built from it.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 12 << 20;
/// Smaller caps are taken for typos and ignored: no Argo CD answer fits in less.
const MIN_RESPONSE_BYTES: usize = 64 << 10;

/// `a, b,,c` → `[a, b, c]`.
fn comma_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn normalise_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_owned()
}

/// `[{"name": "prod", "url": "…", "token": "…"}, {"name": "staging", "url": "…", "username": "…",
/// "password": "…", "extra_headers": {…}}]`. A list, so that the default (the first) is clear.
/// Messages name fields and profiles, never values.
fn parse_profiles(raw: &str) -> Result<Vec<Profile>, String> {
    let problem = |why: String| format!("{} must be a JSON list of profiles ({why})", PROFILES.env);
    let listed: Vec<serde_json::Value> = serde_json::from_str(raw)
        .map_err(|_| problem("it is not a JSON list of objects".into()))?;
    let mut profiles = Vec::new();
    for (index, entry) in listed.iter().enumerate() {
        let field = |key: &str| {
            entry
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let name = field("name")
            .filter(|n| {
                n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            })
            .ok_or_else(|| {
                problem(format!(
                    "entry {index} needs a \"name\" of letters, digits, '-', '_' or '.'"
                ))
            })?;
        let url = field("url").ok_or_else(|| problem(format!("profile {name} needs a \"url\"")))?;
        let credentials = match (field("token"), field("username"), field("password")) {
            (Some(token), _, _) => Credentials::Token(Secret::new(token)),
            (None, Some(username), Some(password)) => Credentials::Login {
                username: username.to_owned(),
                password: Secret::new(password),
            },
            _ => {
                return Err(problem(format!(
                    "profile {name} needs \"token\", or \"username\" and \"password\""
                )));
            }
        };
        let extra_headers = match entry.get("extra_headers") {
            None => Vec::new(),
            Some(headers) => parse_extra_headers(&headers.to_string())
                .map_err(|why| problem(format!("profile {name}: {why}")))?,
        };
        profiles.push(Profile {
            name: name.to_owned(),
            argocd_url: normalise_url(url),
            credentials,
            extra_headers,
        });
    }
    if profiles.is_empty() {
        return Err(problem("the list is empty".into()));
    }
    Ok(profiles)
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
    use crate::testing::{PROFILES_STAGING_AND_EDGE, settings_from as load, three_profiles};

    #[test]
    fn a_host_without_user_mode_reads_none_of_its_settings() {
        let pairs = [
            ("ARGOCD_URL", "https://cd.example.com"),
            ("ARGOCD_TOKEN", "tok"),
            ("ARGOCD_AUTH_MODE", "user"),
        ];
        let read = |name: &SettingName| {
            pairs
                .iter()
                .find(|(env, _)| *env == name.env)
                .map(|(_, value)| value.to_string())
        };
        let served = Settings::load(read);
        assert!(served.user_mode.is_some() || served.user_mode_problem.is_some());
        let plugin = Settings::load_without_user_mode(read);
        assert!(plugin.user_mode.is_none() && plugin.user_mode_problem.is_none());
        assert!(plugin.problem().is_none());
        assert_eq!(plugin.credentials, Credentials::Token(Secret::new("tok")));
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
    fn the_mcp_token_is_trimmed_and_a_blank_one_refuses_rather_than_opens() {
        let s = load(&[("MCP_AUTH_TOKEN", "s3cret\n")]);
        assert_eq!(s.mcp_auth_token, Some(Secret::new("s3cret")));
        assert!(s.mcp_auth_problem.is_none());
        let blank = load(&[("MCP_AUTH_TOKEN", " \n\t")]);
        assert!(blank.mcp_auth_token.is_none());
        let problem = blank.mcp_auth_problem.unwrap();
        assert!(problem.contains("MCP_AUTH_TOKEN") && problem.contains("blank"));
    }

    #[test]
    fn a_store_key_seals_and_one_too_short_or_blank_refuses_every_call() {
        let base = [("ARGOCD_URL", "https://cd"), ("ARGOCD_TOKEN", "t")];
        let unset = load(&base);
        assert!(unset.store_seal.is_none() && unset.problem().is_none());
        let key = "a store key of thirty-two characters or more\n";
        let sealed = load(&[base[0], base[1], ("MCP_STORE_KEY", key)]);
        assert!(sealed.store_seal.is_some() && sealed.problem().is_none());
        assert!(
            !format!("{sealed:?}").contains("thirty-two"),
            "never printed"
        );
        for bad in ["  \n", "short-key"] {
            let refused = load(&[base[0], base[1], ("MCP_STORE_KEY", bad)]);
            assert!(refused.store_seal.is_none());
            let problem = refused.problem().unwrap();
            assert!(problem.contains("MCP_STORE_KEY") && problem.contains("store_key"));
            assert!(!problem.contains("short-key"), "{problem}");
        }
    }

    #[test]
    fn host_lists_and_the_response_cap_parse() {
        let s = load(&[
            ("MCP_ALLOWED_HOSTS", "MCP.example.com, ,mcp.internal:8443"),
            ("MCP_ALLOWED_ORIGINS", "https://Console.example.com"),
            ("ARGOCD_MAX_RESPONSE_BYTES", "1048576"),
        ]);
        assert_eq!(s.allowed_hosts, ["mcp.example.com", "mcp.internal:8443"]);
        assert_eq!(s.allowed_origins, ["https://console.example.com"]);
        assert_eq!(s.max_response_bytes, 1 << 20);
        for silly in ["12", "lots", "-5"] {
            let s = load(&[("ARGOCD_MAX_RESPONSE_BYTES", silly)]);
            assert_eq!(s.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES, "{silly}");
        }
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
    fn a_watch_is_judged_stalled_after_three_keepalives_unless_set() {
        assert_eq!(load(&[]).watch_stall, Duration::from_secs(45));
        let set = load(&[("ARGOCD_WATCH_STALL_MS", "2500")]);
        assert_eq!(set.watch_stall, Duration::from_millis(2500));
        for ignored in ["10", "soon", ""] {
            assert_eq!(
                load(&[("ARGOCD_WATCH_STALL_MS", ignored)]).watch_stall,
                DEFAULT_WATCH_STALL,
                "{ignored:?}"
            );
        }
    }

    #[test]
    fn feed_limits_are_read_and_nonsense_keeps_the_default() {
        assert_eq!(load(&[]).feed_limits, FeedLimits::default());
        let set = load(&[
            ("ARGOCD_FEED_MAX_SUBSCRIPTIONS", "0"),
            ("ARGOCD_FEED_MAX_PER_CALLER", " 3 "),
        ]);
        assert_eq!(
            set.feed_limits,
            FeedLimits {
                total: 0,
                per_caller: 3
            }
        );
        for ignored in ["-1", "many", "", "4294967296"] {
            let limits = load(&[("ARGOCD_FEED_MAX_PER_CALLER", ignored)]).feed_limits;
            assert_eq!(limits.per_caller, 10, "{ignored:?}");
        }
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

    #[test]
    fn profiles_put_the_single_instance_first_as_the_default() {
        let s = three_profiles();
        assert!(s.problem().is_none(), "{:?}", s.problem());
        assert_eq!(s.profile_names(), ["default", "staging", "edge"]);
        assert_eq!(s.argocd_url, "https://prod.example.com");
        assert_eq!(s.profiles[1].argocd_url, "https://staging.example.com");
        assert_eq!(
            s.profiles[1].credentials,
            Credentials::Login {
                username: "bot".into(),
                password: Secret::new("pw-2")
            }
        );
        assert_eq!(s.profiles[2].extra_headers[0].0, "X-Edge");
        // Choosing one is a request's business: `context::RequestContext::with_profile`.

        // Without ARGOCD_URL the first listed profile is the default.
        let only = load(&[("ARGOCD_PROFILES", PROFILES_STAGING_AND_EDGE)]);
        assert_eq!(only.profile_names(), ["staging", "edge"]);
        assert_eq!(only.argocd_url, "https://staging.example.com");
        assert!(only.problem().is_none());
    }

    #[test]
    fn bad_profiles_are_a_problem_that_names_no_secret() {
        for (raw, says) in [
            ("{}", "JSON list"),
            ("[]", "empty"),
            (r#"[{"url": "https://x", "token": "t"}]"#, "name"),
            (
                r#"[{"name": "a/b", "url": "https://x", "token": "t"}]"#,
                "name",
            ),
            (r#"[{"name": "a", "token": "sekrit-token"}]"#, "url"),
            (
                r#"[{"name": "a", "url": "https://x", "username": "u"}]"#,
                "password",
            ),
            (
                r#"[{"name": "a", "url": "https://x", "token": "sekrit-token"}, {"name": "a", "url": "https://y", "token": "t"}]"#,
                "twice",
            ),
            (
                r#"[{"name": "a", "url": "https://x", "token": "sekrit-token", "extra_headers": {"Host": "h"}}]"#,
                "set by the server",
            ),
        ] {
            let s = load(&[("ARGOCD_PROFILES", raw)]);
            let problem = s.problem().unwrap_or_default();
            assert!(problem.contains(says), "{raw}: {problem}");
            assert!(problem.contains("ARGOCD_PROFILES"), "{problem}");
            assert!(!problem.contains("sekrit"), "{problem}");
        }
    }
}

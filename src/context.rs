//! What one request acts with, apart from the deployment's [`Settings`]: which Argo CD it talks
//! to (the [`Target`]) and who it acts as there ([`ActingAs`]). Built once per request by
//! `service` and passed down to the tools, the client, its auth and its transport; the settings
//! are only borrowed, never copied or patched per request.

use crate::settings::{Credentials, PROFILES, Profile, Secret, Settings, UserToken};
use crate::tools::OwnSecrets;

/// Which Argo CD a request talks to: the default instance, or the profile a call named.
#[derive(Debug, Clone, Copy)]
pub struct Target<'s> {
    /// The profile's name, when profiles are configured (the default's is the first).
    pub profile: Option<&'s str>,
    /// Without trailing slash.
    pub argocd_url: &'s str,
    /// Sent with every request to it; values are secrets (proxy credentials).
    pub extra_headers: &'s [(String, Secret)],
}

/// Who a request acts as on its [`Target`]: the account the configuration names, or the signed-in
/// caller. One or the other, never both: a caller's request holds no configured credentials to
/// fall back on, so nothing it does can be done as a configured account.
#[derive(Debug, Clone, Copy)]
pub enum ActingAs<'s> {
    /// The target's configured account (service mode, the plugin).
    Account(&'s Credentials),
    /// User mode: the verified caller. Argo CD is sent a token derived from theirs (see
    /// `identity::delegation`), on the one Argo CD this server serves.
    Caller(&'s UserToken),
}

/// The secrets a request's answers are cleaned of ([`RequestContext::own_secrets`]): given to
/// the request, or built from the settings.
pub enum CleanedOf<'s> {
    Given(&'s OwnSecrets),
    Built(OwnSecrets),
}

impl std::ops::Deref for CleanedOf<'_> {
    type Target = OwnSecrets;

    fn deref(&self) -> &OwnSecrets {
        match self {
            CleanedOf::Given(secrets) => secrets,
            CleanedOf::Built(secrets) => secrets,
        }
    }
}

/// One request's context: the settings it is served under, where it goes, and who it acts as.
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'s> {
    settings: &'s Settings,
    target: Target<'s>,
    acting_as: ActingAs<'s>,
    /// The settings' secrets this request's answers are cleaned of, when narrowed to those its
    /// caller did not send ([`OwnSecrets::unknown_to`]); else all of them.
    own_secrets: Option<&'s OwnSecrets>,
}

impl<'s> RequestContext<'s> {
    /// On the default Argo CD, as `caller` when there is one (user mode), else as the account the
    /// settings configure.
    pub fn new(settings: &'s Settings, caller: Option<&'s UserToken>) -> Self {
        RequestContext {
            settings,
            target: Target::default_of(settings),
            acting_as: match caller {
                Some(user) => ActingAs::Caller(user),
                None => ActingAs::Account(&settings.credentials),
            },
            own_secrets: None,
        }
    }

    /// The same request, its answers cleaned of `secrets` (those its caller did not send).
    pub fn with_own_secrets(self, secrets: &'s OwnSecrets) -> Self {
        RequestContext {
            own_secrets: Some(secrets),
            ..self
        }
    }

    /// The settings' secrets this request's answers are cleaned of: those set by
    /// [`Self::with_own_secrets`], else every one the settings hold.
    pub fn own_secrets(&self) -> CleanedOf<'s> {
        match self.own_secrets {
            Some(secrets) => CleanedOf::Given(secrets),
            None => CleanedOf::Built(OwnSecrets::of(self.settings)),
        }
    }

    /// On the default Argo CD as the account the settings configure: no caller is known (the
    /// plugin, the health check's choice of profile).
    pub fn for_account(settings: &'s Settings) -> Self {
        Self::new(settings, None)
    }

    /// The same request aimed at the profile called `name` (`None`: where it is aimed now).
    /// A caller cannot choose: their token is for the one Argo CD their provider signs them in
    /// to, and a profile would send it elsewhere (or act as the profile's account).
    pub fn with_profile(self, name: Option<&str>) -> Result<Self, String> {
        let Some(name) = name else {
            return Ok(self);
        };
        if let ActingAs::Caller(_) = self.acting_as {
            return Err(format!(
                "profile {name:?} cannot be chosen: in user mode every call acts as its caller on the one Argo CD this server serves; leave `profile` out"
            ));
        }
        let settings = self.settings;
        if settings.profiles.is_empty() {
            return Err(format!(
                "profile {name:?} is unknown: this server talks to one Argo CD (no {} set); leave `profile` out",
                PROFILES.env
            ));
        }
        let Some(profile) = settings.profiles.iter().find(|p| p.name == name) else {
            return Err(format!(
                "profile {name:?} is unknown; configured profiles: {}",
                settings.profile_names().join(", ")
            ));
        };
        Ok(RequestContext {
            settings,
            target: Target::of_profile(profile),
            acting_as: ActingAs::Account(&profile.credentials),
            ..self
        })
    }

    /// The deployment's settings, the same for every request.
    pub fn settings(&self) -> &'s Settings {
        self.settings
    }

    pub fn target(&self) -> Target<'s> {
        self.target
    }

    pub fn acting_as(&self) -> ActingAs<'s> {
        self.acting_as
    }

    /// The verified caller, in user mode.
    pub fn caller(&self) -> Option<&'s UserToken> {
        match self.acting_as {
            ActingAs::Caller(user) => Some(user),
            ActingAs::Account(_) => None,
        }
    }

    /// Why this request cannot reach its Argo CD, if it cannot, with the setting to fix.
    pub fn problem(&self) -> Option<String> {
        let account = match self.acting_as {
            ActingAs::Account(credentials) => Some(credentials),
            ActingAs::Caller(_) => None,
        };
        self.settings.problem_at(self.target.argocd_url, account)
    }
}

impl<'s> Target<'s> {
    /// The instance calls go to unless they name a profile: the single one configured, or the
    /// first profile.
    pub fn default_of(settings: &'s Settings) -> Self {
        Target {
            profile: settings.profiles.first().map(|p| p.name.as_str()),
            argocd_url: &settings.argocd_url,
            extra_headers: &settings.extra_headers,
        }
    }

    fn of_profile(profile: &'s Profile) -> Self {
        Target {
            profile: Some(&profile.name),
            argocd_url: &profile.argocd_url,
            extra_headers: &profile.extra_headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{settings_from as load, three_profiles};

    fn account<'s>(context: RequestContext<'s>) -> &'s Credentials {
        match context.acting_as() {
            ActingAs::Account(credentials) => credentials,
            ActingAs::Caller(_) => panic!("acts as a caller"),
        }
    }

    #[test]
    fn a_profile_switches_where_and_as_whom() {
        let s = three_profiles();
        let context = RequestContext::for_account(&s);
        assert_eq!(context.target().profile, Some("default"));
        assert_eq!(context.target().argocd_url, "https://prod.example.com");
        assert_eq!(account(context), &Credentials::Token(Secret::new("tok-1")));
        let staging = context.with_profile(Some("staging")).unwrap();
        assert_eq!(staging.target().argocd_url, "https://staging.example.com");
        assert_eq!(
            account(staging),
            &Credentials::Login {
                username: "bot".into(),
                password: Secret::new("pw-2")
            }
        );
        assert_eq!(staging.target().profile, Some("staging"));
        let edge = context.with_profile(Some("edge")).unwrap();
        assert_eq!(edge.target().extra_headers[0].0, "X-Edge");
        assert_eq!(
            context.with_profile(None).unwrap().target().argocd_url,
            "https://prod.example.com"
        );
        let unknown = context.with_profile(Some("nope")).unwrap_err();
        assert!(unknown.contains("default, staging, edge"), "{unknown}");

        // A single instance refuses a profile by name, and has no profile name itself.
        let single = load(&[("ARGOCD_URL", "https://x"), ("ARGOCD_TOKEN", "t")]);
        let context = RequestContext::for_account(&single);
        assert_eq!(context.target().profile, None);
        assert!(
            context
                .with_profile(Some("prod"))
                .unwrap_err()
                .contains("ARGOCD_PROFILES")
        );
    }

    #[test]
    fn a_caller_chooses_no_profile_and_holds_no_configured_account() {
        let s = load(&[("ARGOCD_URL", "https://x"), ("ARGOCD_TOKEN", "t")]);
        let user = UserToken {
            token: Secret::new("caller.token"),
            fingerprint: "f".into(),
            subject: "bob".into(),
            display_name: "bob@example.com".into(),
            expires_at_s: 0,
        };
        let context = RequestContext::new(&s, Some(&user));
        assert!(matches!(context.acting_as(), ActingAs::Caller(u) if u.subject == "bob"));
        assert_eq!(context.caller().map(|u| u.subject.as_str()), Some("bob"));
        let refused = context.with_profile(Some("prod")).unwrap_err();
        assert!(
            refused.contains("cannot be chosen") && refused.contains("leave `profile` out"),
            "{refused}"
        );
        assert!(context.with_profile(None).unwrap().caller().is_some());
    }

    #[test]
    fn a_profile_with_a_url_without_scheme_is_a_problem() {
        let profiles = r#"[{"name": "bare", "url": "bare.example.com", "token": "t"}]"#;
        let s = load(&[
            ("ARGOCD_URL", "https://prod.example.com"),
            ("ARGOCD_TOKEN", "tok-1"),
            ("ARGOCD_PROFILES", profiles),
        ]);
        let context = RequestContext::for_account(&s);
        assert!(context.problem().is_none());
        let bare = context.with_profile(Some("bare")).unwrap();
        assert!(bare.problem().unwrap().contains("http://"));
    }
}

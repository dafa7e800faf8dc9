//! The identity provider beside the stand-in Argo CD, where Argo CD's bundled Dex lives
//! (`/api/dex`): OpenID discovery, a JWKS whose RS256 keys rotate, the authorization-code flow
//! with PKCE for public clients (pre-registered, or registered on the fly, RFC 7591), refresh
//! tokens, and RFC 8693 token exchange for a confidential client. Users have passwords and
//! groups; tokens carry `groups` as Dex's do.
//!
//! Like Keycloak's standard token exchange, a client may exchange only tokens issued for it
//! (their audience names one of its audiences) and only for the audiences it is allowed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use rand::RngCore;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::auth::unix_now;

/// Where the provider is served on the stand-in, as Argo CD serves its Dex.
pub const PATH: &str = "/api/dex";
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Argo CD's client at the provider: the audience of the tokens Argo CD accepts.
pub const ARGOCD_CLIENT: &str = "argo-cd";

#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub password: String,
    pub email: String,
    pub groups: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    /// `None`: a public client (PKCE, no secret).
    pub secret: Option<String>,
    pub redirect_uris: Vec<String>,
    /// Token audiences that count as issued for this client (its id, its resource URL).
    pub audiences: Vec<String>,
    /// Audiences this client may exchange tokens for.
    pub may_exchange_for: Vec<String>,
}

struct RsaKey {
    kid: String,
    key: rsa::RsaPrivateKey,
}

/// An authorization code or refresh token and what it grants.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    user: String,
    scope: String,
    resource: Option<String>,
    expires: Instant,
}

/// One exchange the provider performed: who, for which client, to which audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub subject: String,
    pub client: String,
    pub audience: String,
}

pub struct Idp {
    /// `{stand-in url}/api/dex`, set when the stand-in knows its address.
    pub issuer: String,
    keys: Vec<RsaKey>,
    ec_key: Option<(String, p256::ecdsa::SigningKey)>,
    pub users: Vec<User>,
    pub clients: Vec<Client>,
    codes: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
    pub access_lifetime: Duration,
    /// Off: a provider that cannot exchange (like Dex for tokens it issued itself).
    pub exchange_supported: bool,
    pub exchanges: Vec<Exchange>,
    pub jwks_fetches: u64,
    pub token_requests: u64,
    /// Off: a provider that compares HTTP Basic client credentials as sent, without
    /// form-decoding them (several do), so only exact RFC 6749 §2.3.1 encoding gets in.
    pub decodes_client_credentials: bool,
    /// When set, every token exchange is refused with this `error_description`, `{id}`,
    /// `{secret}`, `{authorization}`, `{basic}` (its base64 part) and `{subject_token}` replaced
    /// by what the request carried:
    /// a provider (or a proxy before it) that quotes the request in its errors.
    pub exchange_error_echo: Option<String>,
    /// Overrides of the published RSA keys' members (`use`, `alg`, `key_ops`, …): what a
    /// provider publishes its signing keys as.
    pub rsa_key_members: serde_json::Map<String, Value>,
}

fn random_id(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// The users and clients every stand-in knows; tests add more.
pub fn default_users() -> Vec<User> {
    let user = |name: &str, groups: &[&str]| User {
        name: name.into(),
        password: format!("{name}-password"),
        email: format!("{name}@example.com"),
        groups: groups.iter().map(|g| g.to_string()).collect(),
    };
    vec![
        user("alice", &["payments-deployers"]),
        user("bob", &["viewers"]),
    ]
}

impl Idp {
    pub fn new(users: Vec<User>) -> Idp {
        Idp {
            issuer: String::new(),
            keys: Vec::new(),
            ec_key: None,
            users,
            clients: vec![Client {
                id: ARGOCD_CLIENT.into(),
                secret: Some(random_id(24)),
                redirect_uris: Vec::new(),
                audiences: vec![ARGOCD_CLIENT.into()],
                may_exchange_for: Vec::new(),
            }],
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_lifetime: Duration::from_secs(3600),
            exchange_supported: true,
            exchanges: Vec::new(),
            jwks_fetches: 0,
            token_requests: 0,
            decodes_client_credentials: true,
            exchange_error_echo: None,
            rsa_key_members: serde_json::Map::new(),
        }
    }

    /// Codes issued and not yet redeemed, oldest first (what a redirect carried).
    pub fn issued_codes(&self) -> Vec<String> {
        let mut codes: Vec<(&Instant, &String)> = self
            .codes
            .iter()
            .map(|(code, grant)| (&grant.expires, code))
            .collect();
        codes.sort();
        codes.into_iter().map(|(_, code)| code.clone()).collect()
    }

    /// Registers a client (replacing one of the same id).
    pub fn add_client(&mut self, client: Client) {
        self.clients.retain(|c| c.id != client.id);
        self.clients.push(client);
    }

    fn signing_key(&mut self) -> &RsaKey {
        if self.keys.is_empty() {
            self.rotate();
        }
        self.keys.last().expect("a key was just made")
    }

    /// A new signing key; the previous one stays published (tokens it signed stay valid), the
    /// one before that is dropped, as providers do.
    pub fn rotate(&mut self) {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .expect("an RSA key can be generated");
        self.keys.push(RsaKey {
            kid: random_id(8),
            key,
        });
        if self.keys.len() > 2 {
            self.keys.remove(0);
        }
    }

    /// A new signing key published under the current key's id, the old key withdrawn: what a
    /// provider that reuses key ids does when it replaces a key.
    pub fn replace_key_keeping_its_id(&mut self) {
        let kid = self.current_kid();
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
            .expect("an RSA key can be generated");
        self.keys.retain(|k| k.kid != kid);
        self.keys.push(RsaKey { kid, key });
    }

    /// The id of the key new tokens are signed with.
    pub fn current_kid(&mut self) -> String {
        self.signing_key().kid.clone()
    }

    pub fn jwks(&mut self) -> Value {
        self.signing_key();
        let mut keys: Vec<Value> = self
            .keys
            .iter()
            .map(|k| {
                let public = k.key.to_public_key();
                let mut key = json!({
                    "kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid,
                    "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                    "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
                });
                for (member, value) in &self.rsa_key_members {
                    if value.is_null() {
                        key.as_object_mut().expect("an object").remove(member);
                    } else {
                        key[member] = value.clone();
                    }
                }
                key
            })
            .collect();
        if let Some((kid, key)) = &self.ec_key {
            let point = key.verifying_key().to_encoded_point(false);
            keys.push(json!({
                "kty": "EC", "use": "sig", "alg": "ES256", "crv": "P-256", "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(point.x().expect("uncompressed")),
                "y": URL_SAFE_NO_PAD.encode(point.y().expect("uncompressed")),
            }));
        }
        json!({ "keys": keys })
    }

    /// Signs `claims` with the current RS256 key.
    pub fn sign(&mut self, claims: &Value) -> String {
        let key = self.signing_key();
        let header = json!({"alg": "RS256", "kid": key.kid, "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.key.clone());
        let signature = signer.sign(input.as_bytes()).to_vec();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Signs `header` and `claims` exactly as written (JSON text, so duplicate members and odd
    /// spellings survive) with the current RS256 key: a token the provider really signed,
    /// whatever its JOSE header and payload say. `{kid}` in `header` stands for the current
    /// key's id.
    pub fn sign_raw(&mut self, header: &str, claims: &str) -> String {
        let key = self.signing_key();
        let header = header.replace("{kid}", &key.kid);
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.key.clone());
        let signature = signer.sign(input.as_bytes()).to_vec();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Signs `claims` with an ES256 key (published from its first use).
    pub fn sign_es256(&mut self, claims: &Value) -> String {
        let (kid, key) = self.ec_key.get_or_insert_with(|| {
            (
                random_id(8),
                p256::ecdsa::SigningKey::random(&mut rsa::rand_core::OsRng),
            )
        });
        let header = json!({"alg": "ES256", "kid": kid, "typ": "JWT"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// The claims of a token for `user` with these audiences, lifetime (negative: already
    /// expired) and scope, as this provider issues them.
    pub fn claims_for(&self, user: &str, audience: &[&str], lifetime_s: i64, scope: &str) -> Value {
        let now = unix_now() as i64;
        let found = self.users.iter().find(|u| u.name == user);
        json!({
            "iss": self.issuer,
            "sub": user,
            "aud": audience,
            "exp": now + lifetime_s,
            "iat": now.min(now + lifetime_s - 1),
            "email": found.map(|u| u.email.clone()),
            "groups": found.map(|u| u.groups.clone()).unwrap_or_default(),
            "scope": scope,
            "jti": random_id(12),
        })
    }

    /// Verifies a token this provider issued and that names `audience` (any when `None`).
    pub fn verify(&self, token: &str, audience: Option<&str>) -> Result<Value, String> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("malformed token".into());
        };
        let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| "malformed token");
        let header: Value = serde_json::from_slice(&decode(header)?).map_err(|_| "bad header")?;
        let claims: Value = serde_json::from_slice(&decode(payload)?).map_err(|_| "bad payload")?;
        let signature = decode(signature)?;
        let input = &token[..header_and_payload_len(token)];
        let kid = header["kid"].as_str().unwrap_or("");
        let verified = match header["alg"].as_str() {
            Some("RS256") => self.keys.iter().find(|k| k.kid == kid).is_some_and(|k| {
                let verifier = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(k.key.to_public_key());
                rsa::pkcs1v15::Signature::try_from(signature.as_slice())
                    .is_ok_and(|s| verifier.verify(input.as_bytes(), &s).is_ok())
            }),
            Some("ES256") => self.ec_key.as_ref().is_some_and(|(id, key)| {
                id == kid
                    && p256::ecdsa::Signature::from_slice(&signature)
                        .is_ok_and(|s| key.verifying_key().verify(input.as_bytes(), &s).is_ok())
            }),
            _ => false,
        };
        if !verified {
            return Err("failed to verify signature".into());
        }
        if claims["iss"] != self.issuer.as_str() {
            return Err("token issued by another provider".into());
        }
        if claims["exp"]
            .as_i64()
            .is_none_or(|exp| exp <= unix_now() as i64)
        {
            return Err("token is expired".into());
        }
        if let Some(audience) = audience {
            let names = |a: &Value| a.as_str() == Some(audience);
            let ok = match &claims["aud"] {
                Value::Array(list) => list.iter().any(names),
                one => names(one),
            };
            if !ok {
                return Err(format!("expected audience {audience:?}"));
            }
        }
        Ok(claims)
    }

    fn discovery(&self) -> Value {
        let mut grants = vec!["authorization_code", "refresh_token"];
        if self.exchange_supported {
            grants.push(TOKEN_EXCHANGE);
        }
        json!({
            "issuer": self.issuer,
            "authorization_endpoint": format!("{}/auth", self.issuer),
            "token_endpoint": format!("{}/token", self.issuer),
            "jwks_uri": format!("{}/keys", self.issuer),
            "registration_endpoint": format!("{}/register", self.issuer),
            "response_types_supported": ["code"],
            "grant_types_supported": grants,
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "groups", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
        })
    }

    /// Serves `method` on `rest` (the path after [`PATH`]).
    pub fn serve(
        &mut self,
        method: &str,
        rest: &str,
        query: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Response<Full<Bytes>> {
        match (method, rest) {
            ("GET", "/.well-known/openid-configuration") => reply(200, &self.discovery()),
            ("GET", "/keys") => {
                self.jwks_fetches += 1;
                let keys = self.jwks();
                reply(200, &keys)
            }
            ("GET", "/auth") => self.login_page(&form(query.as_bytes()), None),
            ("POST", "/auth") => self.log_in(&form(body)),
            ("POST", "/token") => {
                self.token_requests += 1;
                self.token(&form(body), authorization)
            }
            ("POST", "/register") => self.register(body),
            _ => reply(404, &json!({"error": "not_found"})),
        }
    }

    fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    fn login_page(
        &self,
        params: &HashMap<String, String>,
        problem: Option<&str>,
    ) -> Response<Full<Bytes>> {
        let client_id = params.get("client_id").map_or("", String::as_str);
        let redirect_uri = params.get("redirect_uri").map_or("", String::as_str);
        let Some(client) = self.client(client_id) else {
            return html(400, "Unregistered client");
        };
        if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
            return html(400, "Unregistered redirect_uri");
        }
        if params.get("response_type").map(String::as_str) != Some("code")
            || params.get("code_challenge_method").map(String::as_str) != Some("S256")
            || params.get("code_challenge").is_none_or(|c| c.is_empty())
        {
            return html(
                400,
                "Public clients must use the code flow with PKCE (S256)",
            );
        }
        let hidden: String = params
            .iter()
            .filter(|(k, _)| k.as_str() != "username" && k.as_str() != "password")
            .map(|(k, v)| {
                format!(
                    r#"<input type="hidden" name="{}" value="{}">"#,
                    escape(k),
                    escape(v)
                )
            })
            .collect();
        html(
            200,
            &format!(
                r#"<form method="post" action="{}/auth">{}{hidden}<input name="username"><input name="password" type="password"><button>Log in</button></form>"#,
                self.issuer,
                problem.map_or(String::new(), |p| format!("<p>{p}</p>")),
            ),
        )
    }

    fn log_in(&mut self, params: &HashMap<String, String>) -> Response<Full<Bytes>> {
        let username = params.get("username").map_or("", String::as_str);
        let password = params.get("password").map_or("", String::as_str);
        let valid = self
            .users
            .iter()
            .any(|u| u.name == username && u.password == password);
        if !valid {
            return self.login_page(params, Some("Invalid username or password"));
        }
        let page = self.login_page(params, None);
        if page.status() != 200 {
            return page;
        }
        let code = random_id(24);
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        self.codes.insert(
            code.clone(),
            Grant {
                client_id: get("client_id"),
                redirect_uri: get("redirect_uri"),
                code_challenge: get("code_challenge"),
                user: username.to_owned(),
                scope: get("scope"),
                resource: params.get("resource").cloned(),
                expires: Instant::now() + Duration::from_secs(60),
            },
        );
        let redirect = get("redirect_uri");
        let separator = if redirect.contains('?') { '&' } else { '?' };
        let location = format!(
            "{redirect}{separator}code={code}&state={}",
            encode(&get("state"))
        );
        Response::builder()
            .status(302)
            .header("location", location)
            .body(Full::new(Bytes::new()))
            .expect("valid response")
    }

    fn register(&mut self, body: &[u8]) -> Response<Full<Bytes>> {
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return oauth_error(400, "invalid_client_metadata", "the body is not JSON");
        };
        let redirect_uris: Vec<String> = request["redirect_uris"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|u| u.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if redirect_uris.is_empty() {
            return oauth_error(400, "invalid_redirect_uri", "redirect_uris is required");
        }
        let id = format!("dyn-{}", random_id(9));
        self.add_client(Client {
            id: id.clone(),
            secret: None,
            redirect_uris: redirect_uris.clone(),
            audiences: vec![id.clone()],
            may_exchange_for: Vec::new(),
        });
        reply(
            201,
            &json!({
                "client_id": id,
                "client_id_issued_at": unix_now(),
                "redirect_uris": redirect_uris,
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "client_name": request["client_name"],
                "scope": request["scope"],
            }),
        )
    }

    /// The tokens a sign-in grants: an access token for the resource asked for (RFC 8707; the
    /// client itself when none), and a refresh token.
    fn issue(&mut self, grant: &Grant) -> Response<Full<Bytes>> {
        let audience = grant
            .resource
            .clone()
            .unwrap_or_else(|| grant.client_id.clone());
        let mut claims = self.claims_for(
            &grant.user,
            &[audience.as_str()],
            self.access_lifetime.as_secs() as i64,
            &grant.scope,
        );
        claims["azp"] = json!(grant.client_id);
        let access_token = self.sign(&claims);
        let refresh_token = random_id(24);
        self.refresh_tokens.insert(
            refresh_token.clone(),
            Grant {
                expires: Instant::now() + Duration::from_secs(24 * 3600),
                ..grant.clone()
            },
        );
        reply(
            200,
            &json!({
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.access_lifetime.as_secs(),
                "refresh_token": refresh_token,
                "scope": grant.scope,
            }),
        )
    }

    fn token(
        &mut self,
        params: &HashMap<String, String>,
        authorization: Option<&str>,
    ) -> Response<Full<Bytes>> {
        let get = |k: &str| params.get(k).map_or("", String::as_str);
        match get("grant_type") {
            "authorization_code" => {
                let Some(grant) = self.codes.remove(get("code")) else {
                    return oauth_error(400, "invalid_grant", "unknown or used code");
                };
                let challenge =
                    URL_SAFE_NO_PAD.encode(Sha256::digest(get("code_verifier").as_bytes()));
                if grant.client_id != get("client_id")
                    || grant.redirect_uri != get("redirect_uri")
                    || grant.expires < Instant::now()
                    || challenge != grant.code_challenge
                {
                    return oauth_error(400, "invalid_grant", "the code does not match");
                }
                self.issue(&grant)
            }
            "refresh_token" => {
                let Some(grant) = self.refresh_tokens.remove(get("refresh_token")) else {
                    return oauth_error(400, "invalid_grant", "unknown refresh token");
                };
                if grant.client_id != get("client_id") || grant.expires < Instant::now() {
                    return oauth_error(400, "invalid_grant", "the refresh token does not match");
                }
                self.issue(&grant)
            }
            TOKEN_EXCHANGE if self.exchange_supported => {
                if get("subject_token_type") != ACCESS_TOKEN_TYPE {
                    return oauth_error(400, "invalid_request", "unsupported subject_token_type");
                }
                self.exchange(get("subject_token"), get("audience"), authorization)
            }
            // Entra ID's on-behalf-of: the assertion is the caller's token, the audience the
            // application whose `/.default` scope is asked for.
            JWT_BEARER if get("requested_token_use") == "on_behalf_of" => {
                let audience = get("scope").trim_end_matches("/.default");
                self.exchange(get("assertion"), audience, authorization)
            }
            _ => oauth_error(400, "unsupported_grant_type", "grant type not supported"),
        }
    }

    fn exchange(
        &mut self,
        subject_token: &str,
        audience: &str,
        authorization: Option<&str>,
    ) -> Response<Full<Bytes>> {
        let Some((client_id, secret)) =
            basic_credentials(authorization, self.decodes_client_credentials)
        else {
            return oauth_error(401, "invalid_client", "client authentication required");
        };
        if let Some(template) = &self.exchange_error_echo {
            let said = template
                .replace("{id}", &client_id)
                .replace("{secret}", &secret)
                .replace("{authorization}", authorization.unwrap_or(""))
                .replace(
                    "{basic}",
                    authorization
                        .and_then(|a| a.strip_prefix("Basic "))
                        .unwrap_or(""),
                )
                .replace("{subject_token}", subject_token);
            return oauth_error(400, "invalid_grant", &said);
        }
        let Some(client) = self
            .client(&client_id)
            .filter(|c| c.secret.as_deref() == Some(secret.as_str()))
            .cloned()
        else {
            return oauth_error(401, "invalid_client", "client authentication failed");
        };
        let subject = match self.verify(subject_token, None) {
            Ok(claims) => claims,
            Err(why) => return oauth_error(400, "invalid_grant", &why),
        };
        let for_this_client = |aud: &Value| {
            aud.as_str()
                .is_some_and(|a| client.audiences.iter().any(|c| c == a))
        };
        let issued_for_client = match &subject["aud"] {
            Value::Array(list) => list.iter().any(for_this_client),
            one => for_this_client(one),
        };
        if !issued_for_client {
            return oauth_error(
                403,
                "access_denied",
                "the subject token was not issued for the requesting client",
            );
        }
        if !client.may_exchange_for.iter().any(|a| a == audience) {
            return oauth_error(
                403,
                "access_denied",
                "the client may not exchange tokens for this audience",
            );
        }
        let user = subject["sub"].as_str().unwrap_or("").to_owned();
        let mut claims = self.claims_for(
            &user,
            &[audience],
            self.access_lifetime.as_secs() as i64,
            subject["scope"].as_str().unwrap_or(""),
        );
        claims["azp"] = json!(client.id);
        let token = self.sign(&claims);
        self.exchanges.push(Exchange {
            subject: user,
            client: client.id,
            audience: audience.to_owned(),
        });
        reply(
            200,
            &json!({
                "access_token": token,
                "issued_token_type": ACCESS_TOKEN_TYPE,
                "token_type": "Bearer",
                "expires_in": self.access_lifetime.as_secs(),
            }),
        )
    }
}

fn header_and_payload_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(0)
}

/// `Basic base64(urlencoded id : urlencoded secret)` (RFC 6749 §2.3.1); `form_decode` off takes
/// both parts as sent.
fn basic_credentials(authorization: Option<&str>, form_decode: bool) -> Option<(String, String)> {
    let encoded = authorization?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    if !form_decode {
        return Some((id.to_owned(), secret.to_owned()));
    }
    Some((super::routes::decode(id), super::routes::decode(secret)))
}

fn form(bytes: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (super::routes::decode(k), super::routes::decode(v))
        })
        .collect()
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn reply(status: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}

fn html(status: u16, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(body.to_owned())))
        .expect("valid response")
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_until_their_key_is_dropped() {
        let mut idp = Idp::new(default_users());
        idp.issuer = "http://idp/api/dex".into();
        let claims = idp.claims_for("alice", &["argo-cd"], 60, "openid");
        let token = idp.sign(&claims);
        assert_eq!(idp.verify(&token, Some("argo-cd")).unwrap()["sub"], "alice");
        assert!(idp.verify(&token, Some("other")).is_err());
        idp.rotate();
        assert!(idp.verify(&token, None).is_ok(), "the previous key stays");
        idp.rotate();
        assert!(idp.verify(&token, None).is_err(), "two rotations drop it");
        let es = idp.sign_es256(&claims);
        assert!(idp.verify(&es, Some("argo-cd")).is_ok());
        let expired = idp.sign(&idp.claims_for("alice", &["argo-cd"], -5, ""));
        assert!(idp.verify(&expired, None).unwrap_err().contains("expired"));
    }
}

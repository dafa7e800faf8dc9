//! MCP authorization as a resource server speaks it: the Protected Resource Metadata document
//! (RFC 9728) that tells a client where to sign in, and the `WWW-Authenticate` challenges
//! (RFC 6750) that send it there. Who is let in is decided elsewhere.

use serde_json::{Value, json};

use super::http::HttpReply;

pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// What a client needs to find the sign-in for this resource.
#[derive(Debug, Clone, Copy)]
pub struct ResourceServer<'a> {
    /// The resource's canonical URL, e.g. `https://mcp.example.com/mcp`.
    pub resource: &'a str,
    /// Issuers of the authorization servers clients sign in at.
    pub authorization_servers: &'a [&'a str],
    pub scopes: &'a [String],
}

impl ResourceServer<'_> {
    /// The metadata document's URL (RFC 9728 §3.1): the well-known path inserted between the
    /// resource's origin and its path.
    pub fn metadata_url(&self) -> String {
        let (origin, path) = split_origin(self.resource);
        format!("{origin}{METADATA_PATH}{}", path.trim_end_matches('/'))
    }

    /// Whether `path` (without query) is where this resource's metadata is served: the
    /// path-suffixed form of RFC 9728, or the bare well-known path.
    pub fn serves_metadata_at(&self, path: &str) -> bool {
        let (_, resource_path) = split_origin(self.resource);
        path == METADATA_PATH
            || path == format!("{METADATA_PATH}{}", resource_path.trim_end_matches('/'))
    }

    pub fn metadata(&self) -> Value {
        json!({
            "resource": self.resource,
            "authorization_servers": self.authorization_servers,
            "scopes_supported": self.scopes,
            "bearer_methods_supported": ["header"],
            "resource_name": "Argo CD MCP server",
        })
    }

    /// 401: no token, or one that is not acceptable (`description` says why; `None` for a
    /// request that carried no token, which gets no error code, RFC 6750 §3.1).
    pub fn unauthorized(&self, description: Option<&str>) -> HttpReply {
        let mut challenge = format!(
            r#"Bearer resource_metadata="{}", scope="{}""#,
            self.metadata_url(),
            self.scopes.join(" ")
        );
        if let Some(description) = description {
            challenge.push_str(&format!(
                r#", error="invalid_token", error_description="{}""#,
                quoted(description)
            ));
        }
        let message = description.unwrap_or("sign in: this server needs an OAuth bearer token");
        refusal(401, message).with_header("www-authenticate", &challenge)
    }

    /// 403: a valid token without the scopes this server needs.
    pub fn insufficient_scope(&self, description: &str) -> HttpReply {
        let challenge = format!(
            r#"Bearer error="insufficient_scope", scope="{}", resource_metadata="{}", error_description="{}""#,
            self.scopes.join(" "),
            self.metadata_url(),
            quoted(description)
        );
        refusal(403, description).with_header("www-authenticate", &challenge)
    }
}

fn refusal(status: u16, message: &str) -> HttpReply {
    HttpReply::json(
        status,
        &super::jsonrpc::error(
            &Value::Null,
            &super::jsonrpc::RpcError::new(super::jsonrpc::INVALID_REQUEST, message),
        ),
    )
}

/// A quoted-string's content: no quotes or backslashes, printable ASCII only.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '?',
        })
        .collect()
}

/// `https://h:1/a/b` → (`https://h:1`, `/a/b`).
fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => url.split_at(after_scheme + slash),
        None => (url, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(resource: &str) -> (String, Vec<String>) {
        (resource.to_owned(), vec!["openid".into(), "groups".into()])
    }

    #[test]
    fn metadata_lives_beside_the_resource_path() {
        let (resource, scopes) = server("https://mcp.example.com/mcp");
        let rs = ResourceServer {
            resource: &resource,
            authorization_servers: &["https://idp.example.com"],
            scopes: &scopes,
        };
        assert_eq!(
            rs.metadata_url(),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert!(rs.serves_metadata_at("/.well-known/oauth-protected-resource/mcp"));
        assert!(rs.serves_metadata_at("/.well-known/oauth-protected-resource"));
        assert!(!rs.serves_metadata_at("/.well-known/oauth-protected-resource/other"));
        assert_eq!(rs.metadata()["resource"], "https://mcp.example.com/mcp");
        assert_eq!(
            rs.metadata()["authorization_servers"][0],
            "https://idp.example.com"
        );
    }

    #[test]
    fn challenges_name_the_metadata_and_the_scopes() {
        let (resource, scopes) = server("http://127.0.0.1:3000/mcp");
        let rs = ResourceServer {
            resource: &resource,
            authorization_servers: &["https://idp"],
            scopes: &scopes,
        };
        let missing = rs.unauthorized(None);
        assert_eq!(missing.status, 401);
        let header = missing.header("www-authenticate").unwrap();
        assert_eq!(
            header,
            r#"Bearer resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp", scope="openid groups""#
        );
        let bad = rs.unauthorized(Some("the token has \"expired\"\n"));
        let header = bad.header("www-authenticate").unwrap();
        assert!(header.contains(r#"error="invalid_token""#), "{header}");
        assert!(header.ends_with(r#"error_description="the token has 'expired'?""#));
        let scope = rs.insufficient_scope("the token lacks the scopes groups");
        assert_eq!(scope.status, 403);
        assert!(
            scope
                .header("www-authenticate")
                .unwrap()
                .starts_with(r#"Bearer error="insufficient_scope", scope="openid groups""#)
        );
    }
}

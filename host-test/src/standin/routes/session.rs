//! Who calls: local sessions (login, the 5-failure lockout) and the identity provider's users,
//! and the RBAC that decides what they may do.

use hyper::Response;
use serde_json::{Value, json};

use crate::standin::rbac;
use crate::standin::{State, full};

use super::*;

/// Who sent `token`: a user of the identity provider when the provider issued it (for Argo CD's
/// client id, as Argo CD's OIDC verifier demands), else a local account's session.
pub(super) fn caller(s: &State, token: Option<&str>) -> Result<rbac::Caller, String> {
    let issuer = token.and_then(|t| argocd_mcp::identity::jwt::claim(t, "iss"));
    if issuer.as_ref().and_then(Value::as_str) == Some(s.idp.issuer.as_str()) {
        let claims = s
            .idp
            .verify(
                token.unwrap_or(""),
                Some(crate::standin::idp::ARGOCD_CLIENT),
            )
            .map_err(|why| format!("invalid session: failed to verify the token: {why}"))?;
        return Ok(rbac::Caller {
            username: claims["sub"].as_str().unwrap_or("").to_owned(),
            issuer: s.idp.issuer.clone(),
            groups: claims["groups"]
                .as_array()
                .map(|g| {
                    g.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            sso: true,
        });
    }
    s.sessions.verify(token).map(|claims| rbac::Caller {
        username: claims.username,
        issuer: claims.issuer,
        groups: Vec::new(),
        sso: false,
    })
}

/// RBAC for the requests it guards here: app reads and changes (judged on the app's project and
/// name as stored, or as the create body names them) and every other change. Changes are
/// recorded in the audit trail, allowed or not.
pub(super) fn enforce_rbac(
    s: &mut State,
    caller: &rbac::Caller,
    method: &str,
    segments: &[&str],
    params: &Params,
    body: &[u8],
) -> Option<Reply> {
    let (resource, action, object) = match segments {
        ["api", "v1", "applications", name, rest @ ..] => {
            let name = decode(name);
            // Unknown apps are left to the route, which answers as Argo CD does for them.
            let project = s.apps.get(&name)?.blueprint.project.clone();
            let (resource, action) = rbac::app_action(method, rest);
            (resource, action, format!("{project}/{name}"))
        }
        ["api", "v1", "applications"] if method == "POST" => {
            let app: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let project = app["spec"]["project"].as_str().unwrap_or("default");
            let name = app["metadata"]["name"].as_str().unwrap_or("");
            ("applications", "create", format!("{project}/{name}"))
        }
        _ if method == "GET" => return None,
        ["api", "v1", "applicationsets", "generate"] => return None,
        _ => ("*", "*", params.get("name").unwrap_or("*").to_owned()),
    };
    let allowed = rbac::allows(&s.rbac, caller, resource, action, &object);
    if method != "GET" {
        s.audit.push(rbac::AuditEvent {
            user: caller.username.clone(),
            action: format!("{resource}/{action}"),
            object: object.clone(),
            allowed,
        });
    }
    (!allowed).then(|| json_reply(403, &rbac::denial(caller, resource, action, &object)))
}

pub(super) fn login(s: &mut State, body: &[u8]) -> Reply {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(400, 3, "invalid character in request body");
    };
    let field = |k: &str| {
        request
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if !field("token").is_empty() {
        return error(
            401,
            16,
            "token-based session creation no longer supported. please upgrade argocd cli to v0.7+",
        );
    }
    match s.sessions.login(&field("username"), &field("password")) {
        Ok(token) => {
            s.logins_ok += 1;
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header(
                    "set-cookie",
                    format!("argocd.token={token}; path=/; SameSite=lax; httpOnly"),
                )
                .body(full(json!({"token": token}).to_string()))
                .expect("valid response")
        }
        Err((status, message)) => {
            s.logins_failed += 1;
            error(status, if status == 400 { 3 } else { 16 }, &message)
        }
    }
}

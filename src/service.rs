//! What a host adapter serves: the MCP endpoint, the Argo CD health check, and direct tool calls
//! for plugin hosts. Adapters translate their host's request into these calls and back, nothing more.

use serde_json::{Value, json};

use crate::approval_ledger::StoreLedger;
use crate::argocd::ArgoClient;
use crate::host::{Host, Method};
use crate::mcp::approval::ApprovalLedger;
use crate::mcp::http::{AccessPolicy, HttpExchange, HttpReply};
use crate::mcp::server::{MessageSink, ServerInfo};
use crate::mcp::tool::{
    CallOutcome, NoProgress, ParamHeader, Progress, ToolDefinition, ToolProvider,
};
use crate::settings::{Credentials, Settings};
use crate::tools;

pub const MCP_PATH: &str = "/mcp";
pub const HEALTH_PATH: &str = "/health/argocd";

pub const SERVER_INFO: ServerInfo = ServerInfo {
    name: "argocd-mcp",
    title: "Argo CD",
    version: env!("CARGO_PKG_VERSION"),
    instructions: "Tools to see and steer Argo CD applications. Start with list_argocd_apps or get_argocd_app_status. Sync and health are separate: an app can be Synced and Degraded. Tools that change the cluster need confirm: true; ask the user before setting it.",
};

/// The Argo CD tools as MCP sees them.
struct ArgoTools<'a, H: Host> {
    host: &'a H,
    settings: &'a Settings,
    ledger: StoreLedger<'a, H>,
}

impl<H: Host> ToolProvider for ArgoTools<'_, H> {
    fn definitions(&self) -> Vec<ToolDefinition> {
        tools::with_profiles(
            tools::definitions(self.settings.read_only),
            &self.settings.profile_names(),
        )
    }

    fn resources(&self) -> &'static [crate::mcp::library::Resource] {
        crate::guides::RESOURCES
    }

    fn prompts(&self) -> &'static [crate::mcp::library::Prompt] {
        crate::guides::PROMPTS
    }

    async fn call(&self, name: &str, arguments: Value, progress: &dyn Progress) -> CallOutcome {
        tools::call(self.host, self.settings, name, arguments, progress).await
    }

    fn param_headers(&self, _name: &str) -> Vec<ParamHeader> {
        tools::param_headers(&self.settings.profile_names())
    }

    fn approval_question(&self, name: &str, arguments: &Value) -> Option<String> {
        if !self.settings.require_approval || self.settings.read_only {
            return None;
        }
        tools::approval_question(name, arguments)
    }

    async fn complete(&self, argument: &str, prefix: &str) -> Vec<String> {
        tools::complete(self.host, self.settings, argument, prefix).await
    }

    fn approvals(&self) -> Option<&dyn ApprovalLedger> {
        Some(&self.ledger)
    }
}

fn access_policy(settings: &Settings) -> AccessPolicy<'_> {
    AccessPolicy {
        bearer_token: settings.mcp_auth_token.as_ref().map(|t| t.expose()),
        bearer_problem: settings.mcp_auth_problem.as_deref(),
        allowed_hosts: &settings.allowed_hosts,
        allowed_origins: &settings.allowed_origins,
    }
}

/// `?profile=NAME`: which Argo CD instance the health check is about (default: the first).
fn profile_query(path: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let value = pair.strip_prefix("profile=")?;
        Some(
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned(),
        )
    })
}

fn route(path: &str) -> &str {
    path.split('?').next().unwrap_or("").trim_end_matches('/')
}

/// Whether the adapter should answer this request as an SSE stream (a tool call that asked
/// for progress), passing a sink to [`handle_http`] and sending its reply as the last event.
pub fn streams(settings: &Settings, request: HttpExchange<'_>, path: &str) -> bool {
    let param_headers = |_: &str| tools::param_headers(&settings.profile_names());
    route(path) == MCP_PATH
        && crate::mcp::http::streams(access_policy(settings), request, &param_headers)
}

/// Serves one HTTP request addressed to the component.
pub async fn handle_http<H: Host>(
    host: &H,
    settings: &Settings,
    request: HttpExchange<'_>,
    path: &str,
    sink: Option<&dyn MessageSink>,
) -> HttpReply {
    let policy = access_policy(settings);
    if let Err(refusal) = crate::mcp::http::check_site(policy, request) {
        return refusal;
    }
    match route(path) {
        MCP_PATH => {
            let tools = ArgoTools {
                host,
                settings,
                ledger: StoreLedger { host },
            };
            crate::mcp::http::handle(&SERVER_INFO, &tools, policy, request, sink).await
        }
        HEALTH_PATH if request.method == "GET" => {
            let chosen = match profile_query(path) {
                None => settings.clone(),
                Some(name) => match settings.for_profile(Some(&name)) {
                    Ok(chosen) => chosen,
                    Err(problem) => {
                        // Profile names are details too: only for the bearer's holder.
                        return if policy.authorized(request) {
                            HttpReply::json(404, &json!({"error": problem}))
                        } else {
                            HttpReply::json(404, &json!({"error": "no such profile"}))
                        };
                    }
                },
            };
            let report = health(host, &chosen).await;
            if policy.authorized(request) {
                report
            } else {
                bare_status(report)
            }
        }
        HEALTH_PATH => HttpReply::json(405, &json!({"error": "use GET"})),
        _ => HttpReply::json(
            404,
            &json!({"error": format!("no such endpoint; MCP is served at {MCP_PATH}, the health check at {HEALTH_PATH}")}),
        ),
    }
}

/// Runs one tool for a plugin host: the JSON text of the answer, or a message saying what to fix.
pub async fn call_tool<H: Host>(
    host: &H,
    settings: &Settings,
    name: &str,
    arguments: Value,
) -> Result<String, String> {
    // Nobody can be asked here: with approvals required, changes are refused outright.
    if settings.require_approval
        && !settings.read_only
        && tools::approval_question(name, &arguments).is_some()
    {
        return Err(format!(
            "{name} needs a person's approval (ARGOCD_REQUIRE_APPROVAL is set), which only the MCP server component can ask for, through the client. Nothing was changed."
        ));
    }
    match tools::call(host, settings, name, arguments, &NoProgress).await {
        CallOutcome::Success(value) => Ok(value.to_string()),
        CallOutcome::ToolError(message) | CallOutcome::UnknownTool(message) => Err(message),
    }
}

/// The health answer for callers without the bearer: up or not and how fast, for load
/// balancers; nothing about where Argo CD is, who we are there, or what failed.
fn bare_status(report: HttpReply) -> HttpReply {
    let full: Value = serde_json::from_slice(&report.body).unwrap_or(Value::Null);
    HttpReply::json(
        report.status,
        &json!({
            "status": full.get("status").cloned().unwrap_or(Value::Null),
            "latency_ms": full.get("latency_ms").cloned().unwrap_or(Value::Null),
        }),
    )
}

/// 200 only when Argo CD says the token is logged in. Userinfo answers 200 `{}` for a bad token
/// (it never says 401), so its status alone proves nothing.
pub async fn health<H: Host>(host: &H, settings: &Settings) -> HttpReply {
    let started = host.now_unix_ms();
    let unavailable = |http_status: Option<u16>, error: String, note: String| {
        HttpReply::json(
            503,
            &json!({
                "status": "unavailable",
                "latency_ms": host.now_unix_ms().saturating_sub(started),
                "http_status": http_status,
                "error": error,
                "note": note,
                "argocd_url": settings.argocd_url,
            }),
        )
    };
    let client = match ArgoClient::new(host, settings) {
        Ok(client) => client,
        Err(e) => {
            return unavailable(
                None,
                e.message,
                "set the missing settings and restart".into(),
            );
        }
    };
    let mut relogged = false;
    loop {
        let response = match client
            .exchange(Method::Get, "/api/v1/session/userinfo", None)
            .await
        {
            Ok(response) => response,
            Err(e) => return unavailable(e.status, e.message, e.hint),
        };
        if response.status != 200 {
            let e = crate::argocd::ArgoError::from_answer(&response, "the user info");
            return unavailable(Some(response.status), e.message, e.hint);
        }
        let info: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if info.get("loggedIn") == Some(&Value::Bool(true)) {
            return HttpReply::json(
                200,
                &json!({
                    "status": "ok",
                    "authenticated_as": info.get("username").cloned().unwrap_or(Value::Null),
                    "groups": info.get("groups").cloned().unwrap_or(json!([])),
                    "latency_ms": host.now_unix_ms().saturating_sub(started),
                    "argocd_url": settings.argocd_url,
                    "profile": settings.active_profile.clone().or_else(|| settings.profiles.first().map(|p| p.name.clone())),
                }),
            );
        }
        // A cached session can be stale (expired, key rotated): re-authenticate once, then judge.
        if client.auth().can_relogin() && !relogged {
            relogged = true;
            client.auth().forget();
            if let Err(e) = client.auth().login().await {
                return unavailable(e.status, e.message, e.hint);
            }
            continue;
        }
        let note = match settings.credentials {
            Credentials::Token(_) => {
                "ARGOCD_TOKEN is expired, revoked, or signed with a key Argo CD no longer has: create a new one with `argocd account generate-token` and update the setting"
            }
            _ => {
                "Argo CD issued a session but does not accept it; check the account is enabled and that Argo CD's clock and server.secretkey are stable"
            }
        };
        return unavailable(
            Some(200),
            "Argo CD does not accept the token: /api/v1/session/userinfo reports loggedIn is not true".into(),
            note.into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, login_settings, reply, token_settings};

    fn body(reply: &HttpReply) -> Value {
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn health_is_ok_only_when_logged_in() {
        let host = FakeHost::new(vec![reply(
            200,
            r#"{"loggedIn":true,"username":"admin","iss":"argocd"}"#,
        )]);
        let ok = pollster::block_on(health(&host, &token_settings()));
        assert_eq!(ok.status, 200);
        assert_eq!(body(&ok)["authenticated_as"], "admin");

        let host = FakeHost::new(vec![reply(200, "{}")]);
        let bad = pollster::block_on(health(&host, &token_settings()));
        assert_eq!(bad.status, 503);
        assert_eq!(body(&bad)["http_status"], 200);
        assert!(
            body(&bad)["note"]
                .as_str()
                .unwrap()
                .contains("generate-token")
        );
    }

    #[test]
    fn health_relogs_once_with_a_stale_session() {
        let host = FakeHost::new(vec![
            reply(200, r#"{"token":"a.eyJ9.s"}"#),
            reply(200, "{}"),
            reply(200, r#"{"token":"b.eyJ9.s"}"#),
            reply(200, r#"{"loggedIn":true,"username":"admin"}"#),
        ]);
        let ok = pollster::block_on(health(&host, &login_settings()));
        assert_eq!(ok.status, 200, "{:?}", body(&ok));
        assert_eq!(host.requests().len(), 4);
    }

    #[test]
    fn unknown_paths_are_404() {
        let host = FakeHost::new(vec![]);
        let request = HttpExchange {
            method: "GET",
            authority: Some("localhost:3000"),
            headers: &[],
            body: b"",
        };
        let reply = pollster::block_on(handle_http(
            &host,
            &token_settings(),
            request,
            "/etc/passwd",
            None,
        ));
        assert_eq!(reply.status, 404);
    }
}

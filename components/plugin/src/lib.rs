//! The plugin component for WASM MCP hosts: one typed export per tool, settings from the
//! environment, no key-value import (such hosts give none: a login lasts one call, so prefer
//! ARGOCD_TOKEN here).
//!
//! With a username and password, each call starts knowing nothing of the calls before it (no
//! store, a fresh instance), so nothing can remember a refused login across calls: Argo CD locks
//! the account after 5 failures, and 5 agent retries are enough. Within a call the plugin host
//! sends at most one login request per Argo CD and user; a second is answered with what the
//! first got, never sent (see [`LoginOnce::send`]).

use std::cell::RefCell;
use std::collections::HashMap;

use argocd_mcp::host::{
    HostPorts, HttpClient, HttpError, HttpRequest, HttpResponse, HttpStream, MemoryTokenStore,
    Method,
};
use argocd_mcp::service;
use argocd_mcp::settings::Settings;
use argocd_mcp::tools::PROFILE_ARGUMENT;
use argocd_mcp_wasi_host::{WasiClock, WasiHttp};
use serde_json::Value;

#[allow(clippy::too_many_arguments)] // the generated exports take one argument per tool parameter
mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        additional_derives: [serde::Serialize],
    });
}

/// The host as the core sees it: HTTP that logs in once per call, a store that lasts the call,
/// WASI's clocks.
type PluginHost = HostPorts<LoginOnce, MemoryTokenStore, WasiClock>;

/// WASI's outbound HTTP, except that a second login in one call is never sent.
#[derive(Default)]
struct LoginOnce {
    http: WasiHttp,
    /// What each login request of this call got, by Argo CD and user.
    logins: RefCell<HashMap<String, Result<HttpResponse, HttpError>>>,
}

impl HttpClient for LoginOnce {
    type Body = <WasiHttp as HttpClient>::Body;
    /// User mode is the server component's (see `run`): leaving it out takes its code out too.
    const SERVES_USER_MODE: bool = false;

    /// Streams are reads (logs): never a login.
    async fn open(&self, request: HttpRequest) -> Result<HttpStream<Self::Body>, HttpError> {
        self.http.open(request).await
    }

    /// Sends, except a second login to the same Argo CD as the same user in this call: that is
    /// answered with what the first got. Whatever made the core want another login (a session
    /// refused mid-call, a login that timed out and may have counted as a failure), repeating it
    /// risks Argo CD's lockout for everyone using the account, and the next call may log in anew.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let Some(login) = login_of(&request) else {
            return self.http.send(request).await;
        };
        if let Some(first) = self.logins.borrow().get(&login) {
            return first.clone();
        }
        let answer = self.http.send(request).await;
        self.logins.borrow_mut().insert(login, answer.clone());
        answer
    }
}

/// `POST …/api/v1/session` (a password login): the Argo CD and user it is for.
fn login_of(request: &HttpRequest) -> Option<String> {
    if request.method != Method::Post || !request.url.ends_with("/api/v1/session") {
        return None;
    }
    let user = serde_json::from_slice::<Value>(&request.body)
        .ok()
        .and_then(|body| {
            body.get("username")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    Some(format!("{user}@{}", request.url))
}

/// Runs a tool by its MCP name with the typed arguments turned back into the JSON it parses.
fn run(
    profile: Option<String>,
    tool: &str,
    arguments: serde_json::Map<String, Value>,
) -> Result<String, String> {
    // User mode is the server component's: a plugin acts with the account it is given.
    let settings = Settings::load_without_user_mode(|name| {
        // The store key seals what a server's instances share; a plugin call shares nothing.
        let server_only = argocd_mcp::settings::USER_MODE_SETTINGS
            .iter()
            .chain(argocd_mcp::settings::FEED_SETTINGS)
            .chain([&argocd_mcp::settings::STORE_KEY])
            .any(|s| s.env == name.env);
        (!server_only)
            .then(|| std::env::var(name.env).ok())
            .flatten()
    });
    let host = PluginHost {
        http: LoginOnce::default(),
        store: MemoryTokenStore::default(),
        clock: WasiClock,
    };
    // Absent options arrive as null; the tools take absent and null alike.
    let mut arguments = arguments;
    arguments.retain(|_, v| !v.is_null());
    if let Some(profile) = profile {
        arguments.insert(PROFILE_ARGUMENT.into(), Value::String(profile));
    }
    let arguments = Value::Object(arguments);
    wstd::runtime::block_on(service::call_tool(&host, &settings, tool, arguments))
}

/// A typed parameter as JSON, without the nulls its absent optional fields become (a record's
/// too). JSON text is never passed through here: its nulls mean something (a merge patch's).
fn typed<T: serde::Serialize>(value: &T) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or_default();
    without_nulls(&mut value);
    value
}

/// Drops null members of objects, at every depth.
fn without_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(without_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(without_nulls),
        _ => {}
    }
}

/// A parameter that carries JSON as text (`patch-json`), parsed; absent stays absent.
fn json_text(parameter: &str, text: Option<&str>) -> Result<Value, String> {
    match text {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| format!("{parameter} is not JSON ({e}); pass it as JSON text")),
    }
}

struct Plugin;

// One export per tool, generated from the registry by build.rs.
include!(concat!(env!("OUT_DIR"), "/exports.rs"));

bindings::export!(Plugin with_types_in bindings);

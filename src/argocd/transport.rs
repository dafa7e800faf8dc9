//! One request to Argo CD as it insists on it (headers, content type, size and time bounds), and
//! the one retry a read that got no answer deserves. Authentication is the caller's business:
//! the client and the login both send through here.

use std::time::Duration;

use super::error::ArgoError;
use crate::context::Target;
use crate::host::{Host, HttpError, HttpRequest, HttpResponse, HttpStream, Method};
use crate::settings::Settings;

/// One request to `target` with the headers Argo CD insists on. `path` starts with `/` and holds
/// the query.
pub async fn send_raw<H: Host>(
    host: &H,
    target: Target<'_>,
    limits: Limits,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
) -> Result<HttpResponse, ArgoError> {
    let request = request(target, limits, method, path, token, body, JSON);
    // A read that got no answer at all (a reset or closed connection, e.g. a pooled one a proxy
    // had dropped) is sent once more; a write never is: it may have been acted on.
    let sent = if method == Method::Get {
        match host.send(request.clone()).await {
            Err(HttpError::NoAnswer(_)) => host.send(request).await,
            other => other,
        }
    } else {
        host.send(request).await
    };
    sent.map_err(|e| ArgoError::transport(e, target.argocd_url, limits.timeout.as_millis()))
}

/// What every request accepts but a stream asked for as server-sent events.
pub const JSON: &str = "application/json";
/// Argo CD answers a stream in this form only when `Accept` is exactly this (api-notes §d), and
/// then writes a keepalive every 15 s on a quiet stream.
pub const EVENT_STREAM: &str = "text/event-stream";

/// A GET whose answer is read as it arrives (a log or watch stream), accepting `accept`:
/// `limits.timeout` bounds the wait for its head, and once more only when no answer came at all.
pub async fn open_raw<H: Host>(
    host: &H,
    target: Target<'_>,
    limits: Limits,
    path: &str,
    token: &str,
    accept: &str,
) -> Result<HttpStream<H::Body>, ArgoError> {
    let request = request(target, limits, Method::Get, path, Some(token), None, accept);
    let opened = match host.open(request.clone()).await {
        Err(HttpError::NoAnswer(_)) => host.open(request).await,
        other => other,
    };
    opened.map_err(|e| ArgoError::transport(e, target.argocd_url, limits.timeout.as_millis()))
}

fn request(
    target: Target<'_>,
    limits: Limits,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Vec<u8>>,
    accept: &str,
) -> HttpRequest {
    let mut headers = vec![("accept".to_owned(), accept.to_owned())];
    headers.extend(
        target
            .extra_headers
            .iter()
            .map(|(name, value)| (name.clone(), value.expose().to_owned())),
    );
    if let Some(token) = token {
        headers.push(("authorization".to_owned(), format!("Bearer {token}")));
    }
    // Argo CD answers 415 to any non-GET without exactly this type, DELETE included.
    if method != Method::Get {
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
    }
    HttpRequest {
        method,
        url: format!("{}{}", target.argocd_url, path),
        headers,
        body: body.unwrap_or_default(),
        timeout: limits.timeout,
        max_response_bytes: limits.max_response_bytes,
    }
}

/// How long one request may take and how much of its answer is read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub max_response_bytes: usize,
}

impl Limits {
    pub fn of(settings: &Settings) -> Limits {
        Limits {
            timeout: settings.request_timeout,
            max_response_bytes: settings.max_response_bytes,
        }
    }
}

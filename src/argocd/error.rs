//! Argo CD failures mapped to messages an agent can act on.

use std::fmt;

use crate::host::HttpError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Settings are missing or wrong; nothing was sent.
    NotConfigured,
    /// The arguments were refused before any request (bad name, read-only, …).
    InvalidInput,
    Unreachable,
    Timeout,
    /// Argo CD rejected our credentials (after the one permitted re-login).
    Unauthenticated,
    /// A recent login failed; we refuse to try again yet, to keep clear of Argo CD's lockout.
    LoginBackoff,
    /// 403: for apps Argo CD gives the same answer for "missing" and "denied".
    NotFoundOrDenied,
    NotFound,
    OperationInProgress,
    /// Other 4xx: Argo CD refused the request as asked.
    Rejected,
    UnsupportedMediaType,
    /// 5xx
    ServerError,
    /// A 2xx body we could not read.
    InvalidResponse,
    /// The caller went away; we stopped.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoError {
    pub kind: ErrorKind,
    /// The HTTP status Argo CD answered with, when it answered.
    pub status: Option<u16>,
    /// Argo CD's own words, or what went wrong on the way.
    pub message: String,
    /// What the caller can do about it.
    pub hint: String,
}

impl ArgoError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        ArgoError {
            kind,
            status: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        ArgoError::new(ErrorKind::InvalidInput, message, "")
    }

    pub fn transport(error: HttpError, base_url: &str, timeout_ms: u128) -> Self {
        match error {
            HttpError::Timeout => ArgoError::new(
                ErrorKind::Timeout,
                format!("Argo CD at {base_url} did not answer within {timeout_ms} ms"),
                "Argo CD may be overloaded or unreachable; retry later, or raise ARGOCD_REQUEST_TIMEOUT_MS",
            ),
            HttpError::Unreachable(why) => ArgoError::new(
                ErrorKind::Unreachable,
                format!("could not reach Argo CD at {base_url}: {why}"),
                "check ARGOCD_URL and that the host allows outbound requests to it",
            ),
            HttpError::Other(why) => ArgoError::new(
                ErrorKind::Unreachable,
                format!("request to Argo CD at {base_url} failed: {why}"),
                "retry later; if it persists, check ARGOCD_URL",
            ),
        }
    }

    /// Maps a non-2xx answer. `subject` names what was asked for, e.g. "application 'web'".
    pub fn from_status(status: u16, body: &[u8], subject: &str) -> Self {
        let message = error_message(body);
        let lower = message.to_ascii_lowercase();
        let (kind, hint) = match status {
            400 if lower.contains("another operation is already in progress") => (
                ErrorKind::OperationInProgress,
                format!("an operation is already running on {subject}; wait for it to finish (watch get_argocd_app_status) or terminate it, then retry"),
            ),
            400 if lower.contains("auto-sync is enabled") => (
                ErrorKind::Rejected,
                format!("disable automated sync on {subject} first (spec.syncPolicy.automated), then roll back"),
            ),
            400 | 409 | 422 => (
                ErrorKind::Rejected,
                format!("Argo CD refused the request for {subject}; fix the arguments named in the message"),
            ),
            401 => (
                ErrorKind::Unauthenticated,
                "Argo CD rejected the credentials: check ARGOCD_TOKEN, or ARGOCD_USERNAME and ARGOCD_PASSWORD".into(),
            ),
            403 => (
                ErrorKind::NotFoundOrDenied,
                format!("{subject} was not found or this account is not permitted to use it (Argo CD answers 403 for both); check the name with list_argocd_apps and the account's RBAC"),
            ),
            404 => (
                ErrorKind::NotFound,
                format!("{subject} does not exist; check the name with list_argocd_apps"),
            ),
            415 => (
                ErrorKind::UnsupportedMediaType,
                "Argo CD refused the Content-Type; a proxy in front of Argo CD may be rewriting it".into(),
            ),
            500..=599 => (
                ErrorKind::ServerError,
                "Argo CD failed internally; retry later, and check the argocd-server logs if it persists".into(),
            ),
            _ => (ErrorKind::Rejected, format!("Argo CD refused the request for {subject}")),
        };
        ArgoError {
            kind,
            status: Some(status),
            message,
            hint,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

impl fmt::Display for ArgoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "Argo CD answered HTTP {status}: {}", self.message)?,
            None => f.write_str(&self.message)?,
        }
        if !self.hint.is_empty() {
            write!(f, ". What to do: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Argo CD errors are `{"error","code","message"}` (unary) or `{"error":{"message",…}}` (streams);
/// routing errors are plain text. Long bodies are cut: they are for a human, not for parsing.
fn error_message(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        let text = value
            .get("message")
            .and_then(|m| m.as_str())
            .or_else(|| value.get("error").and_then(|e| e.as_str()))
            .or_else(|| value.pointer("/error/message").and_then(|m| m.as_str()));
        if let Some(text) = text {
            return truncate(text, 500);
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(empty body)".into()
    } else {
        truncate(text, 500)
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds_with_hints() {
        let body = br#"{"error":"another operation is already in progress","code":9,"message":"another operation is already in progress"}"#;
        let e = ArgoError::from_status(400, body, "application 'web'");
        assert_eq!(e.kind, ErrorKind::OperationInProgress);
        assert!(e.to_string().contains("wait for it"));

        let denied = ArgoError::from_status(
            403,
            br#"{"error":"permission denied","code":7,"message":"permission denied"}"#,
            "application 'ghost'",
        );
        assert_eq!(denied.kind, ErrorKind::NotFoundOrDenied);
        assert!(denied.to_string().contains("not found or"));
        assert!(denied.to_string().contains("permission denied"));

        assert_eq!(
            ArgoError::from_status(415, b"Invalid content type", "x").kind,
            ErrorKind::UnsupportedMediaType
        );
        let e502 = ArgoError::from_status(502, b"<html>bad gateway</html>", "x");
        assert_eq!(e502.kind, ErrorKind::ServerError);
        assert!(e502.message.contains("bad gateway"));
    }

    #[test]
    fn stream_error_chunks_are_read() {
        let chunk = br#"{"error":{"grpc_code":7,"http_code":403,"message":"permission denied: logs, get","http_status":"Forbidden"}}"#;
        assert_eq!(error_message(chunk), "permission denied: logs, get");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let long = "é".repeat(400);
        assert!(error_message(long.as_bytes()).ends_with('…'));
    }
}

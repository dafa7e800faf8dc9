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
    /// An answer larger than the most we read of one.
    TooLarge,
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
            HttpError::NoAnswer(why) => ArgoError::new(
                ErrorKind::Unreachable,
                format!("Argo CD at {base_url} closed the connection without answering ({why})"),
                "a proxy in front of Argo CD may be dropping connections; retry, and check the proxy if it persists",
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
        let mut message = error_message(status, body);
        let lower = message.to_ascii_lowercase();
        // Argo CD names a resource it does not find by kind, group and name joined with spaces:
        // parts a caller sent apart that could spell a secret neither holds, hidden only when
        // guessed right (review43 O2). Named here as this server names it, the parts apart.
        if lower.contains(" not found as part of application ") {
            message = format!("{subject} is not one of the application's resources");
        }
        let (kind, hint) = match status {
            400 if lower.contains("another operation is already in progress") => (
                ErrorKind::OperationInProgress,
                format!("an operation is already running on {subject}; wait for it to finish or terminate it, then retry"),
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
                "Argo CD rejected the credentials this server sent".into(),
            ),
            403 => (
                ErrorKind::NotFoundOrDenied,
                format!("{subject} was not found or this account is not permitted to use it (Argo CD answers 403 for both); check the name and the account's RBAC"),
            ),
            404 => (
                ErrorKind::NotFound,
                format!("{subject} does not exist; check the name"),
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

    /// [`Self::from_status`] for a whole answer: a `Retry-After` (429, 503) joins the hint.
    pub fn from_answer(response: &crate::host::HttpResponse, subject: &str) -> Self {
        let error = ArgoError::from_status(response.status, &response.body, subject);
        let retry_after = response
            .header("retry-after")
            .and_then(|seconds| seconds.trim().parse::<u64>().ok());
        match retry_after {
            Some(seconds) => {
                let hint = format!(
                    "Argo CD (or a proxy in front of it) asks to retry after {seconds} s; {}",
                    error.hint
                );
                error.with_hint(hint)
            }
            None => error,
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
/// they keep Argo CD's words. Anything else came from something in front of Argo CD (an nginx
/// 502 page, a load balancer's 504): it is summarised, never passed on as markup.
fn error_message(status: u16, body: &[u8]) -> String {
    /// Argo CD's error bodies are a few hundred bytes; a larger one is no Argo CD error, and is
    /// not parsed into a tree (its size in memory could be many times its length).
    const MAX_ERROR_JSON: usize = 64 << 10;
    let parsed = (body.len() <= MAX_ERROR_JSON)
        .then(|| serde_json::from_slice::<serde_json::Value>(body).ok())
        .flatten();
    if let Some(value) = parsed {
        let text = value
            .get("message")
            .and_then(|m| m.as_str())
            .or_else(|| value.get("error").and_then(|e| e.as_str()))
            .or_else(|| value.pointer("/error/message").and_then(|m| m.as_str()));
        if let Some(text) = text {
            return truncate(text, 500);
        }
    }
    let excerpt = truncate(&plain_text(&String::from_utf8_lossy(body)), EXCERPT_MAX);
    let reason = reason_phrase(status);
    match (excerpt.is_empty(), body_is_markup(body)) {
        (true, _) => format!("{reason} (empty body)"),
        (false, true) => format!(
            "{reason}; the answer was an HTML page, not from Argo CD's API (a proxy or load balancer in front of it?): \"{excerpt}\""
        ),
        (false, false) => format!("{reason}: {excerpt}"),
    }
}

/// The longest piece of a non-Argo CD error body worth showing.
const EXCERPT_MAX: usize = 160;

fn body_is_markup(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let start = start.trim_start();
    start.starts_with('<')
        && (start.contains("<html")
            || start.contains("<!doctype")
            || start.contains("<body")
            || start.contains("<head")
            || start.contains("<center")
            || start.contains("<h1")
            || start.contains("<title"))
}

/// Text with tags, scripts and styles removed, common entities decoded, whitespace collapsed.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag = &rest[open..];
        let lower_start: String = tag.chars().take(8).collect::<String>().to_ascii_lowercase();
        // Skip the whole element for script and style: their content is not for people.
        let skip_to = ["script", "style"].iter().find_map(|name| {
            lower_start[1..].starts_with(name).then(|| {
                let closing = format!("</{name}");
                tag.to_ascii_lowercase()
                    .find(&closing)
                    .map(|at| at + closing.len())
            })
        });
        let after = match skip_to {
            Some(Some(at)) => &tag[at..],
            Some(None) => "",
            None => tag,
        };
        rest = match after.find('>') {
            Some(close) => &after[close + 1..],
            None => "",
        };
        if out.len() > 64 * 1024 {
            break;
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded
        .split_whitespace()
        .filter(|word| !word.chars().all(|c| c.is_control()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 9110's reason phrases for the statuses a proxy sends; the number for the rest.
fn reason_phrase(status: u16) -> String {
    let phrase = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return format!("HTTP {status}"),
    };
    format!("{status} {phrase}")
}

/// `text` cut to at most `max` bytes at a word's edge ([`crate::cut`]), marked when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    format!("{}…", crate::cut::at_word(text, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_message_never_ends_in_part_of_a_word() {
        let url = "https://deploybot:ghp_SECRET@git.example.com/a.git";
        let text = format!("{} fetching {url} failed", "x ".repeat(240));
        let cut = truncate(&text, 500);
        assert!(cut.len() <= 503 && cut.ends_with("fetching…"), "{cut}");
        assert!(!cut.contains("deploybot"), "{cut}");
        assert_eq!(truncate("short", 500), "short");
        assert_eq!(truncate(&"y".repeat(600), 500), "…");
    }

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
        assert_eq!(error_message(500, chunk), "permission denied: logs, get");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let long = "é".repeat(400);
        assert!(error_message(500, long.as_bytes()).ends_with('…'));
    }

    #[test]
    fn a_proxy_page_is_summarised_not_passed_on() {
        let nginx = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n<script>var secret='x';</script><style>body{color:red}</style></body>\r\n</html>\r\n";
        let e = ArgoError::from_status(502, nginx, "application 'web'");
        assert_eq!(e.kind, ErrorKind::ServerError);
        assert!(e.message.starts_with("502 Bad Gateway;"), "{}", e.message);
        assert!(e.message.contains("nginx/1.25.3"));
        for markup in ["<", ">", "var secret", "color:red", "\r", "\n"] {
            assert!(!e.message.contains(markup), "{markup:?} in {}", e.message);
        }
        let huge = format!("<html><body>{}</body></html>", "x ".repeat(100_000));
        let e = ArgoError::from_status(504, huge.as_bytes(), "x");
        assert!(e.message.len() < 400, "{}", e.message.len());
        assert!(e.message.starts_with("504 Gateway Timeout"));
        // Plain text stays plain, JSON keeps Argo CD's words.
        assert_eq!(
            ArgoError::from_status(503, b"", "x").message,
            "503 Service Unavailable (empty body)"
        );
        assert_eq!(
            ArgoError::from_status(404, b"404 page not found\n", "x").message,
            "404 Not Found: 404 page not found"
        );
        assert_eq!(
            ArgoError::from_status(400, br#"{"message":"bad <thing>"}"#, "x").message,
            "bad <thing>"
        );
    }
}

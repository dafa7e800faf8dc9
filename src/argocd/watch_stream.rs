//! Argo CD's application watch (`GET /api/v1/stream/applications`, api-notes §d) read as a
//! sequence of messages: asked for as server-sent events (whose keepalives show a quiet stream
//! alive), each `data:` line one JSON message `{"result":{"type":…,"application":…}}`, or a
//! final `{"error":…}`. Used by the live feed and by waiting for an operation.

use std::time::Duration;

use serde_json::Value;

use super::ArgoClient;
use super::error::ArgoError;
use super::transport::EVENT_STREAM;
use crate::events::{EventError, Events};
use crate::host::{Host, HttpError, HttpStream};

pub const PATH: &str = "/api/v1/stream/applications";

/// One watch event (an Application trimmed by `fields`) is a few hundred bytes.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// The JSON message a line of the watch carries: an SSE `data:` line's data (Argo CD writes each
/// message on one line), or an NDJSON line as it is; `None` for an SSE comment (`:`, the
/// keepalive) or another SSE field.
pub fn message(line: &[u8]) -> Option<&[u8]> {
    if let Some(data) = line.strip_prefix(b"data:") {
        return Some(data.trim_ascii());
    }
    let field = line.starts_with(b":")
        || [&b"event:"[..], b"id:", b"retry:"]
            .iter()
            .any(|f| line.starts_with(f));
    (!field).then_some(line)
}

/// Opens the watch at `PATH` + `query` (which narrows it and names its `fields`); `Err` when it
/// could not be opened, or Argo CD answered anything but 200 (the status is in the message).
pub async fn open<H: Host>(
    client: &ArgoClient<'_, H>,
    query: &str,
) -> Result<HttpStream<H::Body>, ArgoError> {
    let stream = client
        .open_accepting(&format!("{PATH}{query}"), EVENT_STREAM)
        .await?;
    if stream.status != 200 {
        return Err(ArgoError::new(
            super::error::ErrorKind::Rejected,
            format!("Argo CD answered {} to the watch", stream.status),
            "",
        ));
    }
    Ok(stream)
}

/// What reading a watch gave.
pub enum Heard {
    /// One event's `result`: `{"type": …, "application": …}`.
    Event(Value),
    /// Nothing within the wait (a keepalive, or silence).
    Quiet,
    /// The stream ended, failed, sent an error message or an event past its bound.
    Ended,
}

/// A watch's messages, each wait for the next bounded by `wake`.
pub struct Watch<B> {
    events: Events<B>,
}

impl<B: crate::host::BodyStream> Watch<B> {
    pub fn new(stream: HttpStream<B>, wake: Duration) -> Self {
        Watch {
            events: Events::new(stream.body, MAX_EVENT_BYTES, wake),
        }
    }

    pub async fn next(&mut self) -> Heard {
        loop {
            match self.events.next().await {
                Ok(Some(line)) => {
                    let Some(text) = message(&line) else {
                        return Heard::Quiet;
                    };
                    let Ok(mut parsed) = serde_json::from_slice::<Value>(text) else {
                        continue;
                    };
                    if parsed.get("error").is_some() {
                        return Heard::Ended;
                    }
                    return match parsed.get_mut("result").map(Value::take) {
                        Some(result) => Heard::Event(result),
                        None => continue,
                    };
                }
                Err(EventError::Http(HttpError::Timeout)) => return Heard::Quiet,
                Ok(None) | Err(_) => return Heard::Ended,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn sse_data_is_the_message_comments_and_fields_are_none_ndjson_is_as_is() {
        let json = br#"{"result":{"type":"MODIFIED"}}"#;
        // Argo CD's SSE framing: `data: {json} ` (a space before the blank line).
        let sse = [&b"data: "[..], json, b" "].concat();
        assert_eq!(message(&sse), Some(&json[..]));
        assert_eq!(message(&[&b"data:"[..], json].concat()), Some(&json[..]));
        for field in [
            &b":"[..],
            b": keepalive",
            b"event: message",
            b"id: 7",
            b"retry: 10",
        ] {
            assert_eq!(message(field), None, "{}", String::from_utf8_lossy(field));
        }
        assert_eq!(message(json), Some(&json[..]));
    }
}

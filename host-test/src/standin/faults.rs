//! Faults a test switches on per path: what a broken network or a proxy in front of Argo CD does
//! to a request. A matching request never reaches the Argo CD routes.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use serde_json::json;

/// The body type of every stand-in answer: whole, or streamed (the slow and huge faults, the
/// watch); a stream that fails with [`Dropped`] makes hyper cut the connection mid-body.
pub type AnswerBody = UnsyncBoxBody<Bytes, Dropped>;

/// What happens to a matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// A reverse proxy's HTML error page with this status (502, 504…).
    ProxyPage(u16),
    /// No answer ever; the connection stays open.
    Hang,
    /// The connection is closed without an answer.
    Reset,
    /// 200 with a JSON body cut off in the middle.
    TruncatedJson,
    /// 200 with a valid JSON list of about this many bytes, streamed in 64 KiB chunks.
    Huge(usize),
    /// 200 with a valid JSON body of about this many bytes in a shape that is worst for a
    /// parser's memory, sent whole (with its length).
    Shaped(Shape, usize),
    /// 200 with a small JSON body sent one byte every interval.
    Trickle(Duration),
    /// 200 with these bytes at once, then nothing more while the connection stays open (a
    /// stream whose sender went quiet).
    Stall(String),
    /// 401 as Argo CD sends it for a session it no longer accepts.
    Unauthorized,
    /// This status (429, 503) with `Retry-After` in seconds.
    RetryAfter(u16, u32),
    /// A watch stream (`/api/v1/stream/applications`) served as usual, then its connection cut
    /// after this many events (the chunked body never ends): a proxy or a restarting
    /// argocd-server dropping it. Any other request it hits is dropped as by `Reset`.
    DropAfter(usize),
    /// A watch stream served as usual until this many events, then nothing more (no event, no
    /// SSE keepalive) while the connection stays open: a stalled proxy. Any other request it hits
    /// gets no answer, as with `Hang`.
    StallAfter(usize),
    /// A watch stream served as usual until this many events, then ended by Argo CD's stream
    /// error chunk with this gRPC code and message (as when the gRPC stream behind the gateway
    /// fails: code 14 `transport is closing`). Any other request it hits is dropped as by `Reset`.
    ErrorAfter(usize, u16, String),
    /// This status with this JSON body, as Argo CD answers an error (its message quoting what
    /// it was given).
    Answer(u16, String),
}

impl Fault {
    /// Whether a request this fault hits still goes to the routes (which then apply it): the
    /// faults of a stream, on the watch.
    pub fn reaches_routes(&self, path: &str) -> bool {
        matches!(
            self,
            Fault::DropAfter(_) | Fault::StallAfter(_) | Fault::ErrorAfter(..)
        ) && path == crate::standin::routes::WATCH_PATH
    }
}

/// Worst shapes of a JSON answer for the memory of whoever parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"items":[0,0,0,…]}`: two bytes a value.
    TinyValues,
    /// `[[[[…]]]]`: as deep as the length allows.
    DeepNesting,
    /// An Application whose name is one long string.
    LongString,
}

impl Shape {
    pub fn body(self, bytes: usize) -> Vec<u8> {
        match self {
            Shape::TinyValues => {
                let mut body = b"{\"items\":[".to_vec();
                body.extend(std::iter::repeat_n(b"0,".as_slice(), bytes / 2).flatten());
                body.extend_from_slice(b"0]}");
                body
            }
            Shape::DeepNesting => {
                let depth = bytes / 2;
                let mut body = vec![b'['; depth];
                body.extend(std::iter::repeat_n(b']', depth));
                body
            }
            Shape::LongString => {
                let mut body = br#"{"metadata":{"name":""#.to_vec();
                body.extend(std::iter::repeat_n(b'x', bytes));
                body.extend_from_slice(br#""},"spec":{"project":"default"},"items":[]}"#);
                body
            }
        }
    }
}

/// Which requests a fault hits, and how often.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// `None`: any method.
    pub method: Option<String>,
    /// The path (without the query) starts with this.
    pub path_prefix: String,
    /// Matching requests let through before the fault starts (e.g. the first polls of a wait).
    pub after: usize,
    /// How many requests it hits; `None`: all from then on.
    pub times: Option<usize>,
    pub fault: Fault,
    /// Matching requests seen so far.
    pub seen: usize,
}

impl FaultRule {
    pub fn new(method: Option<&str>, path_prefix: &str, fault: Fault) -> FaultRule {
        FaultRule {
            method: method.map(str::to_owned),
            path_prefix: path_prefix.to_owned(),
            after: 0,
            times: None,
            fault,
            seen: 0,
        }
    }

    pub fn after(mut self, requests: usize) -> FaultRule {
        self.after = requests;
        self
    }

    pub fn times(mut self, requests: usize) -> FaultRule {
        self.times = Some(requests);
        self
    }
}

/// The fault for a request, if a rule takes it; counts the request against the rule.
pub fn take(rules: &mut [FaultRule], method: &str, path: &str) -> Option<Fault> {
    for rule in rules.iter_mut() {
        let method_matches = rule.method.as_deref().is_none_or(|m| m == method);
        if !method_matches || !path.starts_with(&rule.path_prefix) {
            continue;
        }
        rule.seen += 1;
        let index = rule.seen - 1;
        if index < rule.after {
            return None;
        }
        if rule.times.is_some_and(|times| index - rule.after >= times) {
            continue;
        }
        return Some(rule.fault.clone());
    }
    None
}

pub fn whole(body: impl Into<Bytes>) -> AnswerBody {
    boxed(Full::new(body.into()))
}

/// A whole body as an answer's.
pub fn boxed(body: Full<Bytes>) -> AnswerBody {
    body.map_err(|never| match never {}).boxed_unsync()
}

fn streamed(chunks: impl futures_util::Stream<Item = Bytes> + Send + 'static) -> AnswerBody {
    use futures_util::StreamExt;
    cut_short(chunks.map(Ok))
}

/// A body of these chunks; an `Err` cuts the connection there.
pub fn cut_short(
    chunks: impl futures_util::Stream<Item = Result<Bytes, Dropped>> + Send + 'static,
) -> AnswerBody {
    use futures_util::StreamExt;
    StreamBody::new(chunks.map(|chunk| chunk.map(Frame::data))).boxed_unsync()
}

/// Why a connection is dropped without an answer.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the stand-in dropped the connection (fault injection)")
    }
}

impl std::error::Error for Dropped {}

/// The answer a fault gives; `Err` makes hyper close the connection without one.
pub async fn answer(fault: Fault) -> Result<Response<AnswerBody>, Dropped> {
    let json_response = |status: u16, body: AnswerBody| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body)
            .expect("valid response")
    };
    Ok(match fault {
        Fault::ProxyPage(status) => Response::builder()
            .status(status)
            .header("content-type", "text/html")
            .header("server", "nginx/1.25.3")
            .body(whole(format!(
                "<html>\r\n<head><title>{status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>{status} Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n<script>window.location='/login'</script>\r\n</body>\r\n</html>\r\n"
            )))
            .expect("valid response"),
        Fault::Hang | Fault::StallAfter(_) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Err(Dropped);
        }
        Fault::Reset | Fault::DropAfter(_) | Fault::ErrorAfter(..) => return Err(Dropped),
        Fault::TruncatedJson => json_response(
            200,
            whole(r#"{"metadata":{"name":"guestbook","namespace":"argocd"},"spec":{"proj"#),
        ),
        Fault::Huge(bytes) => {
            const CHUNK: usize = 64 << 10;
            let item = r#"{"metadata":{"name":"filler"},"spec":{"project":"default"}},"#;
            let per_chunk = CHUNK / item.len();
            let chunk = Bytes::from(item.repeat(per_chunk));
            let chunks = bytes / chunk.len() + 1;
            let body = futures_util::stream::iter(
                std::iter::once(Bytes::from_static(b"{\"items\":["))
                    .chain(std::iter::repeat_n(chunk, chunks))
                    .chain(std::iter::once(Bytes::from_static(b"{}]}"))),
            );
            json_response(200, streamed(body))
        }
        Fault::Shaped(shape, bytes) => json_response(200, whole(shape.body(bytes))),
        Fault::Trickle(every) => {
            let text = json!({"items": [], "note": "slowly"}).to_string();
            let body = futures_util::stream::unfold(0usize, move |at| {
                let text = text.clone();
                async move {
                    if at >= text.len() {
                        return None;
                    }
                    tokio::time::sleep(every).await;
                    Some((Bytes::copy_from_slice(&text.as_bytes()[at..=at]), at + 1))
                }
            });
            json_response(200, streamed(body))
        }
        Fault::Stall(first) => {
            let body = futures_util::stream::unfold(Some(first), |first| async move {
                match first {
                    Some(text) => Some((Bytes::from(text), None)),
                    None => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        None
                    }
                }
            });
            json_response(200, streamed(body))
        }
        Fault::Unauthorized => json_response(
            401,
            whole(r#"{"error":"invalid session: token is expired","code":16,"message":"invalid session: token is expired"}"#),
        ),
        Fault::Answer(status, body) => json_response(status, whole(body)),
        Fault::RetryAfter(status, seconds) => Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("retry-after", seconds.to_string())
            .body(whole(
                json!({"error": "too many requests", "code": 8, "message": "too many requests, retry later"})
                    .to_string(),
            ))
            .expect("valid response"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_count_skip_and_expire() {
        let mut rules = vec![
            FaultRule::new(Some("GET"), "/api/v1/applications/a", Fault::Reset)
                .after(1)
                .times(2),
        ];
        let hits: Vec<bool> = (0..5)
            .map(|_| take(&mut rules, "GET", "/api/v1/applications/a/resource-tree").is_some())
            .collect();
        assert_eq!(hits, [false, true, true, false, false]);
        assert!(take(&mut rules, "POST", "/api/v1/applications/a").is_none());
        assert!(take(&mut rules, "GET", "/api/v1/projects").is_none());
    }
}

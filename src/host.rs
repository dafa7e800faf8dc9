//! The services a host gives the core. Each component implements these over what its host offers
//! (wasi:http, a key-value store, a clock); native tests implement them in memory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

/// HTTP method of an outbound request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// An outbound request, fully formed: absolute URL, headers, body, the time it may take and the
/// most of an answer's body worth reading.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Sent with a `Content-Length` (never chunked): some proxies refuse chunked requests.
    pub body: Vec<u8>,
    pub timeout: Duration,
    /// The host stops reading the answer's body here, while it streams in (see
    /// [`HttpResponse::truncated`]): an answer is never held whole past this size.
    pub max_response_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// At most the request's `max_response_bytes`.
    pub body: Vec<u8>,
    /// The answer went on past `max_response_bytes`; `body` is its beginning.
    pub truncated: bool,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }
}

/// Case-insensitive header lookup in a list of pairs.
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Why an outbound request got no HTTP answer. Messages never carry request headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    Timeout,
    Unreachable(String),
    /// The connection ended before any answer began (reset, closed): the request may or may not
    /// have been acted on, so only a read may be sent again.
    NoAnswer(String),
    Other(String),
}

/// An answer read while it arrives (log and watch streams): its status and headers at once, its
/// body piece by piece as the host receives it.
pub struct HttpStream<B> {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: B,
}

/// The body of an [`HttpStream`]. Dropping it cancels the stream (the host closes the connection).
#[allow(async_fn_in_trait)]
pub trait BodyStream {
    /// The next piece of the body as it came, `None` at its end; `Err(HttpError::Timeout)` when
    /// nothing arrived within `idle`.
    async fn next_piece(&mut self, idle: Duration) -> Result<Option<Vec<u8>>, HttpError>;
}

#[allow(async_fn_in_trait)] // the core is single-threaded: futures need not be Send
pub trait HttpClient {
    /// What [`HttpClient::open`] reads a body with.
    type Body: BodyStream;
    /// Whether requests over this client may act as signed-in callers (user mode: each caller's
    /// token exchanged at the identity provider for one Argo CD accepts). `false` for a host
    /// that never serves user mode (the plugin acts with the account it is given): its requests
    /// never act as a caller, and user mode's code is left out of it.
    const SERVES_USER_MODE: bool = true;
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError>;
    /// Sends `request` and returns as soon as the answer's head arrived (within the request's
    /// `timeout`); the body is read with [`BodyStream::next_piece`], each wait bounded apart.
    async fn open(&self, request: HttpRequest) -> Result<HttpStream<Self::Body>, HttpError>;
}

/// Why the key-value store did not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store cannot be opened: it does not exist, or this component may not use it.
    Unavailable(String),
    /// The store offers no such operation (an atomic increment, listing its keys).
    Unsupported(&'static str),
    /// The store failed this operation.
    Failed(String),
    /// A counter's key holds something other than a number.
    NotACounter,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unavailable(why) | StoreError::Failed(why) => f.write_str(why),
            StoreError::Unsupported(what) => write!(f, "this store cannot {what}"),
            StoreError::NotACounter => {
                f.write_str("a counter key holds something other than a number")
            }
        }
    }
}

/// Messages name the store's failure as it is.
impl From<StoreError> for String {
    fn from(error: StoreError) -> String {
        error.to_string()
    }
}

/// Host key-value storage shared by every instance of the component (Spin's `default` store).
pub trait TokenStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Adds `delta` to the number kept under `key` (0 when there is none) in one step that no
    /// other instance can interleave with, and returns the new number. `Err` when the store
    /// cannot (it failed, or offers no such step): callers then fall back to writing and
    /// reading back, which is right except when instances race within milliseconds.
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        let _ = (key, delta);
        Err(StoreError::Unsupported("increment atomically"))
    }
    /// Every key in the store, for sweeping what has expired; `Err` when it cannot list.
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Err(StoreError::Unsupported("list its keys"))
    }
}

#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Wall-clock time in milliseconds since the Unix epoch (JWT `exp` is wall-clock).
    fn now_unix_ms(&self) -> u64;
    async fn sleep(&self, duration: Duration);
}

/// Everything the core needs from its host.
pub trait Host: HttpClient + TokenStore + Clock {}
impl<T: HttpClient + TokenStore + Clock> Host for T {}

/// A host assembled from its three ports: an adapter implements each port it owns once (its
/// store, say) and puts them together here, instead of forwarding every trait by hand.
pub struct HostPorts<N, S, C> {
    pub http: N,
    pub store: S,
    pub clock: C,
}

impl<N: HttpClient, S, C> HttpClient for HostPorts<N, S, C> {
    type Body = N::Body;
    const SERVES_USER_MODE: bool = N::SERVES_USER_MODE;
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        self.http.send(request).await
    }
    async fn open(&self, request: HttpRequest) -> Result<HttpStream<N::Body>, HttpError> {
        self.http.open(request).await
    }
}

impl<N, S: TokenStore, C> TokenStore for HostPorts<N, S, C> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store.delete(key)
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.store.increment(key, delta)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.store.keys()
    }
}

impl<N, S, C: Clock> Clock for HostPorts<N, S, C> {
    fn now_unix_ms(&self) -> u64 {
        self.clock.now_unix_ms()
    }
    async fn sleep(&self, duration: Duration) {
        self.clock.sleep(duration).await
    }
}

/// A store that lives as long as one instance: for hosts with no key-value service (plugin hosts).
#[derive(Default)]
pub struct MemoryTokenStore(RefCell<HashMap<String, Vec<u8>>>);

impl TokenStore for MemoryTokenStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.0.borrow_mut().insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.borrow_mut().remove(key);
        Ok(())
    }
    fn increment(&self, key: &str, delta: i64) -> Result<i64, StoreError> {
        let mut entries = self.0.borrow_mut();
        let now = counter_value(entries.get(key).map(Vec::as_slice))?.saturating_add(delta);
        entries.insert(key.to_owned(), now.to_string().into_bytes());
        Ok(now)
    }
    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.0.borrow().keys().cloned().collect())
    }
}

/// The number a counter key holds: absent is 0; written as decimal text.
pub fn counter_value(bytes: Option<&[u8]>) -> Result<i64, StoreError> {
    match bytes {
        None => Ok(0),
        Some(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .ok_or(StoreError::NotACounter),
    }
}

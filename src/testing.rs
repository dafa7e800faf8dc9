//! In-memory host for unit tests: scripted HTTP answers, a map for the store, a settable clock.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::Duration;

use crate::host::{
    BodyStream, Clock, HttpClient, HttpError, HttpRequest, HttpResponse, HttpStream,
    MemoryTokenStore, StoreError, TokenStore,
};
use crate::settings::{Credentials, Secret, Settings};

pub fn reply(status: u16, body: &str) -> Result<HttpResponse, HttpError> {
    Ok(HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
        truncated: false,
    })
}

pub struct FakeHost {
    answers: RefCell<VecDeque<Result<HttpResponse, HttpError>>>,
    /// Given once the scripted answers run out (for fuzzing: one answer to every request).
    fallback: Option<HttpResponse>,
    /// Keep every request sent, for assertions (off for fuzzing, whose loops can be long).
    record: bool,
    sent: RefCell<Vec<HttpRequest>>,
    store: MemoryTokenStore,
    pub now_ms: Cell<u64>,
}

impl FakeHost {
    pub fn new(answers: Vec<Result<HttpResponse, HttpError>>) -> Self {
        FakeHost {
            answers: RefCell::new(answers.into()),
            fallback: None,
            record: true,
            sent: RefCell::default(),
            store: MemoryTokenStore::default(),
            now_ms: Cell::new(1_700_000_000_000),
        }
    }

    /// Answers every request with `status` and `body`, recording none of them.
    pub fn always(status: u16, body: &[u8]) -> Self {
        FakeHost {
            fallback: Some(HttpResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.to_vec(),
                truncated: false,
            }),
            record: false,
            ..FakeHost::new(Vec::new())
        }
    }

    /// Keeps the requests sent after all (for a host made by [`FakeHost::always`]).
    pub fn recording(mut self) -> Self {
        self.record = true;
        self
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.sent.borrow().clone()
    }
}

/// A streamed body that hands out scripted pieces, then ends.
pub struct ScriptedBody(pub VecDeque<Result<Vec<u8>, HttpError>>);

impl BodyStream for ScriptedBody {
    async fn next_piece(&mut self, _idle: Duration) -> Result<Option<Vec<u8>>, HttpError> {
        self.0.pop_front().transpose()
    }
}

/// How a scripted answer's body arrives when it is streamed: in small pieces, so events that
/// span pieces are the rule, as on a real connection.
const STREAMED_PIECE_BYTES: usize = 7;

impl FakeHost {
    /// Records `request` and takes the answer scripted for it.
    fn next_answer(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        if self.record {
            self.sent.borrow_mut().push(request);
        }
        self.answers
            .borrow_mut()
            .pop_front()
            .or_else(|| self.fallback.clone().map(Ok))
            .unwrap_or_else(|| Err(HttpError::Other("no scripted answer left".into())))
    }
}

impl HttpClient for FakeHost {
    type Body = ScriptedBody;

    async fn open(&self, request: HttpRequest) -> Result<HttpStream<ScriptedBody>, HttpError> {
        let response = self.next_answer(request)?;
        Ok(HttpStream {
            status: response.status,
            headers: response.headers,
            body: ScriptedBody(
                response
                    .body
                    .chunks(STREAMED_PIECE_BYTES)
                    .map(|piece| Ok(piece.to_vec()))
                    .collect(),
            ),
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let cap = request.max_response_bytes;
        // Reads stop at the cap, as a real host's do.
        self.next_answer(request).map(|mut response| {
            if response.body.len() > cap {
                response.body.truncate(cap);
                response.truncated = true;
            }
            response
        })
    }
}

impl TokenStore for FakeHost {
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

impl Clock for FakeHost {
    fn now_unix_ms(&self) -> u64 {
        self.now_ms.get()
    }
    async fn sleep(&self, duration: Duration) {
        self.now_ms
            .set(self.now_ms.get() + duration.as_millis() as u64);
    }
}

fn settings(credentials: Credentials) -> Settings {
    Settings {
        argocd_url: "https://cd.test".into(),
        credentials,
        mcp_auth_token: None,
        mcp_auth_problem: None,
        store_seal: None,
        store_seal_problem: None,
        allowed_hosts: Vec::new(),
        allowed_origins: Vec::new(),
        max_response_bytes: crate::settings::DEFAULT_MAX_RESPONSE_BYTES,
        read_only: false,
        require_approval: false,
        request_timeout: Duration::from_secs(5),
        watch_stall: crate::settings::DEFAULT_WATCH_STALL,
        feed_limits: crate::settings::FeedLimits::default(),
        allowed_projects: None,
        extra_headers: Vec::new(),
        extra_headers_problem: None,
        profiles: Vec::new(),
        profiles_problem: None,
        user_mode: None,
        user_mode_problem: None,
    }
}

pub fn login_settings() -> Settings {
    settings(Credentials::Login {
        username: "admin".into(),
        password: Secret::new("pw-never-shown"),
    })
}

pub fn token_settings() -> Settings {
    settings(Credentials::Token(Secret::new("static.token.value")))
}

/// Settings read from `pairs` of environment names and values, as a host would give them.
pub fn settings_from(pairs: &[(&str, &str)]) -> Settings {
    Settings::load(|name| {
        pairs
            .iter()
            .find(|(env, _)| *env == name.env)
            .map(|(_, value)| value.to_string())
    })
}

/// Three Argo CD instances: `default` (ARGOCD_URL, token `tok-1`), `staging` (a login as `bot`)
/// and `edge` (token `tok-3`, header `X-Edge`).
pub fn three_profiles() -> Settings {
    settings_from(&[
        ("ARGOCD_URL", "https://prod.example.com"),
        ("ARGOCD_TOKEN", "tok-1"),
        ("ARGOCD_PROFILES", PROFILES_STAGING_AND_EDGE),
    ])
}

/// `staging` and `edge` of [`three_profiles`], as ARGOCD_PROFILES lists them.
pub const PROFILES_STAGING_AND_EDGE: &str = r#"[{"name": "staging", "url": "https://staging.example.com/", "username": "bot", "password": "pw-2"},
    {"name": "edge", "url": "https://edge.example.com", "token": "tok-3", "extra_headers": {"X-Edge": "e"}}]"#;

/// `count` texts, each up to `longest` of `pieces` in a pseudo-random order (the same every run),
/// for tests that no mix of tricky pieces makes a text rule panic or misbehave.
pub fn mixes<'a>(
    pieces: &'a [&'a str],
    longest: u64,
    count: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    (0..count).map(move |_| {
        let len = next() % (longest + 1);
        (0..len)
            .map(|_| pieces[next() as usize % pieces.len()])
            .collect()
    })
}

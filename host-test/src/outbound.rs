//! Outbound HTTP for the runner's components with kept-alive connections. wasmtime's
//! `default_send_request` opens a new TCP connection (and, for https, builds a TLS client
//! configuration and shakes hands) for every request a component sends; the profile of a status
//! call showed connect, shutdown and close as a tenth of the runner's CPU (README, Figures).
//! Here a connection whose answer was read to its end goes back to an idle list for its scheme
//! and authority and serves the next request, as Spin's outbound client does. Every guard of the
//! default path stays: the connect, first-byte and between-bytes timeouts, TLS verified against
//! the web PKI roots.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body as _;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody};

/// An idle connection older than this is not reused: servers and proxies close idle keep-alive
/// connections after a while (nginx after 75 s, many load balancers after 60 s), and a request
/// sent on one they just closed would fail.
const IDLE_LIFETIME: Duration = Duration::from_secs(20);
/// At most this many idle connections are kept per scheme and authority.
const IDLE_PER_ORIGIN: usize = 64;
/// wasmtime's defaults when the component sets no timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

type Origin = (bool, String);

struct Idle {
    sender: SendRequest<WasiBody>,
    since: Instant,
}

/// Idle connections by scheme and authority; clones share them.
#[derive(Clone, Default)]
pub struct ConnectionPool {
    idle: Arc<Mutex<HashMap<Origin, Vec<Idle>>>>,
    tls: Arc<std::sync::OnceLock<tokio_rustls::TlsConnector>>,
}

/// What `send` gives back: the answer, and the connection's own future (already driven here).
pub type Sent = (
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), Error>> + Send>,
);

impl ConnectionPool {
    /// Sends `request` on an idle connection to its origin, or on a new one.
    pub async fn send(
        &self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<Sent, Error> {
        let uri = request.uri();
        let authority = uri.authority().ok_or(Error::HttpRequestUriInvalid)?;
        let tls = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let authority = match authority.port() {
            Some(_) => authority.to_string(),
            None => format!("{authority}:{}", if tls { 443 } else { 80 }),
        };
        let timeout = |pick: fn(&RequestOptions) -> Option<Duration>| {
            options.as_ref().and_then(pick).unwrap_or(DEFAULT_TIMEOUT)
        };
        let connect_timeout = timeout(|o| o.connect_timeout);
        let first_byte_timeout = timeout(|o| o.first_byte_timeout);
        let between_bytes_timeout = timeout(|o| o.between_bytes_timeout).max(Duration::new(0, 1));
        let origin = (tls, authority);

        let mut sender = match self.take_idle(&origin).await {
            Some(sender) => sender,
            None => self.connect(&origin, connect_timeout).await?,
        };
        // On the wire the request names its path alone (origin-form), as the default path sends it.
        let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
        *request.uri_mut() = http::Uri::builder()
            .path_and_query(path)
            .build()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        let response = tokio::time::timeout(first_byte_timeout, sender.send_request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)??;
        let mut between = tokio::time::interval(between_bytes_timeout);
        between.reset();
        let (parts, incoming) = response.into_parts();
        let mut body = PooledBody {
            incoming: Some(incoming),
            between,
            sender: Some(sender),
            pool: self.clone(),
            origin,
        };
        if body.incoming.as_ref().is_some_and(|b| b.is_end_stream()) {
            body.release();
        }
        Ok((
            http::Response::from_parts(parts, body.boxed_unsync()),
            Box::new(async { Ok(()) }),
        ))
    }

    /// The newest idle connection to `origin` that is still open and ready for a request.
    async fn take_idle(&self, origin: &Origin) -> Option<SendRequest<WasiBody>> {
        loop {
            let idle = {
                let mut all = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                let list = all.get_mut(origin)?;
                list.retain(|i| i.since.elapsed() < IDLE_LIFETIME && !i.sender.is_closed());
                list.pop()?
            };
            let mut sender = idle.sender;
            // Ready at once unless the previous answer's end is still being processed.
            if let Ok(Ok(())) =
                tokio::time::timeout(Duration::from_millis(50), sender.ready()).await
            {
                return Some(sender);
            }
        }
    }

    fn give_back(&self, origin: &Origin, sender: SendRequest<WasiBody>) {
        if sender.is_closed() {
            return;
        }
        let mut all = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = all.entry(origin.clone()).or_default();
        list.retain(|i| i.since.elapsed() < IDLE_LIFETIME && !i.sender.is_closed());
        if list.len() < IDLE_PER_ORIGIN {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }

    /// A new connection (TLS for https), its I/O driven by a task of its own.
    async fn connect(
        &self,
        (tls, authority): &Origin,
        connect_timeout: Duration,
    ) -> Result<SendRequest<WasiBody>, Error> {
        let stream = tokio::time::timeout(connect_timeout, TcpStream::connect(authority.as_str()))
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(Error::Connect)?;
        stream.set_nodelay(true).ok();
        if *tls {
            let name = server_name(authority)?;
            let stream = tokio::time::timeout(connect_timeout, self.tls().connect(name, stream))
                .await
                .map_err(|_| Error::ConnectionTimeout)?
                .map_err(Error::Tls)?;
            handshake(TokioIo::new(stream), connect_timeout).await
        } else {
            handshake(TokioIo::new(stream), connect_timeout).await
        }
    }

    /// One TLS client configuration for the process, not one per request.
    fn tls(&self) -> &tokio_rustls::TlsConnector {
        self.tls.get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
            tokio_rustls::TlsConnector::from(Arc::new(config))
        })
    }
}

async fn handshake<T>(io: T, connect_timeout: Duration) -> Result<SendRequest<WasiBody>, Error>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = tokio::time::timeout(
        connect_timeout,
        hyper::client::conn::http1::Builder::new().handshake(io),
    )
    .await
    .map_err(|_| Error::ConnectionTimeout)??;
    tokio::spawn(async move {
        // Its end (the peer closing, an error) shows in the sender: `is_closed`, a failed send.
        let _ = connection.await;
    });
    Ok(sender)
}

/// The name TLS verifies: the host of `host:port`, or its IP address.
fn server_name(authority: &str) -> Result<rustls::pki_types::ServerName<'static>, Error> {
    use rustls::pki_types::ServerName;
    if let Ok(address) = authority.parse::<std::net::SocketAddr>() {
        return Ok(ServerName::from(address.ip()));
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host);
    Ok(ServerName::try_from(host)?.to_owned())
}

/// An answer's body that hands its connection back to the pool once read to its end; dropped
/// before that, the connection goes with it (a half-read answer cannot carry another).
struct PooledBody {
    incoming: Option<hyper::body::Incoming>,
    between: tokio::time::Interval,
    sender: Option<SendRequest<WasiBody>>,
    pool: ConnectionPool,
    origin: Origin,
}

impl PooledBody {
    fn release(&mut self) {
        if let Some(sender) = self.sender.take() {
            self.pool.give_back(&self.origin, sender);
        }
    }
}

impl hyper::body::Body for PooledBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Error>>> {
        let Some(incoming) = self.incoming.as_mut() else {
            return Poll::Ready(None);
        };
        match Pin::new(incoming).poll_frame(cx) {
            Poll::Ready(None) => {
                self.release();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                self.sender = None;
                Poll::Ready(Some(Err(if error.is_timeout() {
                    Error::HttpResponseTimeout
                } else {
                    Error::from(error)
                })))
            }
            Poll::Ready(Some(Ok(frame))) => {
                self.between.reset();
                if self.incoming.as_ref().is_some_and(|b| b.is_end_stream()) {
                    self.release();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(self.between.poll_tick(cx));
                self.sender = None;
                Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.incoming
            .as_ref()
            .map_or_else(hyper::body::SizeHint::default, |b| b.size_hint())
    }
}

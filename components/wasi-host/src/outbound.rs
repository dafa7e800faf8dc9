//! Outbound HTTP for the core straight over wasi:http/outgoing-handler.

use std::time::Duration;

use argocd_mcp::host::{
    BodyStream, HttpClient, HttpError, HttpRequest, HttpResponse, HttpStream, Method,
};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, Method as WasiMethod, OutgoingBody, OutgoingRequest, Scheme,
};
use wstd::future::FutureExt;
use wstd::runtime::AsyncPollable;

use crate::body::{BodyError, BodyReader, BodyWriter, field_list, stated_length, text_headers};

/// Outbound HTTP for the core (wasi:http/outgoing-handler).
#[derive(Default)]
pub struct WasiHttp;

/// An answer's body read as it arrives, piece by piece.
pub struct WasiBody(BodyReader);

impl BodyStream for WasiBody {
    async fn next_piece(&mut self, idle: Duration) -> Result<Option<Vec<u8>>, HttpError> {
        match self
            .0
            .next_piece()
            .timeout(wstd::time::Duration::from(idle))
            .await
        {
            Err(_) => Err(HttpError::Timeout),
            Ok(piece) => piece.map_err(|e| classify(e, Phase::InAnswer)),
        }
    }
}

/// An answer whose head has arrived.
struct Head {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: BodyReader,
}

impl HttpClient for WasiHttp {
    type Body = WasiBody;

    async fn open(&self, request: HttpRequest) -> Result<HttpStream<WasiBody>, HttpError> {
        let timeout = wstd::time::Duration::from(request.timeout);
        let head = match exchange(request).timeout(timeout).await {
            Ok(head) => head?,
            Err(_) => return Err(HttpError::Timeout),
        };
        Ok(HttpStream {
            status: head.status,
            headers: text_headers(head.headers),
            body: WasiBody(head.body),
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let cap = request.max_response_bytes;
        let timeout = wstd::time::Duration::from(request.timeout);
        // One deadline for the whole exchange, head and body: a slow Argo CD cannot hold a call.
        let whole = async {
            let mut head = exchange(request).await?;
            // Dropping the rest of a body over the cap closes that connection.
            let (body, truncated) = head
                .body
                .read_capped(cap, stated_length(&head.headers))
                .await
                .map_err(|e| classify(e, Phase::InAnswer))?;
            Ok(HttpResponse {
                status: head.status,
                headers: text_headers(head.headers),
                body,
                truncated,
            })
        };
        match whole.timeout(timeout).await {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout),
        }
    }
}

/// Sends the request and waits for the answer's head.
async fn exchange(request: HttpRequest) -> Result<Head, HttpError> {
    let outgoing = outgoing(&request)?;
    let body = outgoing
        .body()
        .map_err(|()| invalid("its body was taken"))?;
    let answer = outgoing_handler::handle(outgoing, None)
        .map_err(|code| classify(Some(code), Phase::BeforeAnswer))?;
    // The host sends the head at once and the body as it is written. A body that could not all
    // be written is no failure of its own: the server stopped reading, and its answer (a
    // refusal) or the broken connection below says why.
    let _written = write_body(body, &request.body).await;
    AsyncPollable::new(answer.subscribe()).wait_for().await;
    let response = match answer.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(classify(Some(code), Phase::BeforeAnswer)),
        Some(Err(())) | None => return Err(HttpError::Other("the answer was taken".into())),
    };
    let headers = response.headers().entries();
    let body = response
        .consume()
        .and_then(|body| BodyReader::new(body).map_err(|_| ()))
        .map_err(|()| HttpError::Other("the answer's body was taken".into()))?;
    Ok(Head {
        status: response.status(),
        headers,
        body,
    })
}

async fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), BodyError> {
    let writer = BodyWriter::new(body)?;
    writer.write(bytes, false).await.map_err(|_| None)?;
    writer.finish()
}

fn invalid(why: &str) -> HttpError {
    HttpError::Other(format!("invalid request: {why}"))
}

/// The request as wasi:http takes it.
fn outgoing(request: &HttpRequest) -> Result<OutgoingRequest, HttpError> {
    let mut headers = field_list(&request.headers);
    // A known length, never chunked: proxies and gateways in front of Argo CD may refuse
    // chunked requests. A bodiless GET says nothing, as clients do.
    if !(request.body.is_empty() && request.method == Method::Get) {
        let length = request.body.len().to_string().into_bytes();
        headers.push(("content-length".into(), length));
    }
    let fields = Fields::from_list(&headers).map_err(|e| invalid(&format!("{e:?}")))?;
    let outgoing = OutgoingRequest::new(fields);
    let method = match request.method {
        Method::Get => WasiMethod::Get,
        Method::Post => WasiMethod::Post,
        Method::Put => WasiMethod::Put,
        Method::Patch => WasiMethod::Patch,
        Method::Delete => WasiMethod::Delete,
    };
    let (scheme, authority, path) = split_url(&request.url).ok_or_else(|| invalid("not a URL"))?;
    let refused = |part: &str| invalid(&format!("its {part} is not one HTTP takes"));
    outgoing
        .set_method(&method)
        .map_err(|()| refused("method"))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme"))?;
    outgoing
        .set_authority(Some(authority))
        .map_err(|()| refused("host"))?;
    outgoing
        .set_path_with_query(Some(&path))
        .map_err(|()| refused("path"))?;
    Ok(outgoing)
}

/// `scheme://authority/path?query` in its three parts; the path is `/` when the URL has none.
fn split_url(url: &str) -> Option<(Scheme, &str, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => Scheme::Other(other.to_owned()),
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, path) = match rest.find(['/', '?']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    if authority.is_empty() {
        return None;
    }
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    Some((scheme, authority, path))
}

/// Where in the exchange a failure happened.
#[derive(Clone, Copy, PartialEq)]
enum Phase {
    BeforeAnswer,
    InAnswer,
}

/// Sorts wasi:http failures into "took too long", "could not get there" and "got no answer".
fn classify(error: Option<ErrorCode>, phase: Phase) -> HttpError {
    let Some(code) = error else {
        return HttpError::Other(match phase {
            Phase::BeforeAnswer => "the request could not be sent".into(),
            Phase::InAnswer => "the answer broke off".into(),
        });
    };
    match code {
        // A connection that broke before the answer's head arrived (hosts report a reset or a
        // close as a protocol error): there was no answer at all.
        ErrorCode::HttpProtocolError | ErrorCode::ConnectionTerminated
            if phase == Phase::BeforeAnswer =>
        {
            HttpError::NoAnswer(code_name(&code))
        }
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => HttpError::Timeout,
        ErrorCode::DnsTimeout
        | ErrorCode::DnsError(_)
        | ErrorCode::ConnectionRefused
        | ErrorCode::DestinationNotFound
        | ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpUnroutable
        | ErrorCode::ConnectionTerminated
        | ErrorCode::HttpRequestDenied
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsProtocolError => HttpError::Unreachable(code_name(&code)),
        code => HttpError::Other(code_name(&code)),
    }
}

/// A wasi:http failure as its WIT case's name, and the words a host gave with it (a resolver's
/// answer code, an internal error's text). Written out instead of the bindings' `Debug`, which
/// prints every payload's fields and costs the component kilobytes for no clearer message.
fn code_name(code: &ErrorCode) -> String {
    let name = match code {
        ErrorCode::DnsTimeout => "DNS-timeout",
        ErrorCode::DnsError(_) => "DNS-error",
        ErrorCode::DestinationNotFound => "destination-not-found",
        ErrorCode::DestinationUnavailable => "destination-unavailable",
        ErrorCode::DestinationIpProhibited => "destination-IP-prohibited",
        ErrorCode::DestinationIpUnroutable => "destination-IP-unroutable",
        ErrorCode::ConnectionRefused => "connection-refused",
        ErrorCode::ConnectionTerminated => "connection-terminated",
        ErrorCode::ConnectionTimeout => "connection-timeout",
        ErrorCode::ConnectionReadTimeout => "connection-read-timeout",
        ErrorCode::ConnectionWriteTimeout => "connection-write-timeout",
        ErrorCode::ConnectionLimitReached => "connection-limit-reached",
        ErrorCode::TlsProtocolError => "TLS-protocol-error",
        ErrorCode::TlsCertificateError => "TLS-certificate-error",
        ErrorCode::TlsAlertReceived(_) => "TLS-alert-received",
        ErrorCode::HttpRequestDenied => "HTTP-request-denied",
        ErrorCode::HttpRequestLengthRequired => "HTTP-request-length-required",
        ErrorCode::HttpRequestBodySize(_) => "HTTP-request-body-size",
        ErrorCode::HttpRequestMethodInvalid => "HTTP-request-method-invalid",
        ErrorCode::HttpRequestUriInvalid => "HTTP-request-URI-invalid",
        ErrorCode::HttpRequestUriTooLong => "HTTP-request-URI-too-long",
        ErrorCode::HttpRequestHeaderSectionSize(_) => "HTTP-request-header-section-size",
        ErrorCode::HttpRequestHeaderSize(_) => "HTTP-request-header-size",
        ErrorCode::HttpRequestTrailerSectionSize(_) => "HTTP-request-trailer-section-size",
        ErrorCode::HttpRequestTrailerSize(_) => "HTTP-request-trailer-size",
        ErrorCode::HttpResponseIncomplete => "HTTP-response-incomplete",
        ErrorCode::HttpResponseHeaderSectionSize(_) => "HTTP-response-header-section-size",
        ErrorCode::HttpResponseHeaderSize(_) => "HTTP-response-header-size",
        ErrorCode::HttpResponseBodySize(_) => "HTTP-response-body-size",
        ErrorCode::HttpResponseTrailerSectionSize(_) => "HTTP-response-trailer-section-size",
        ErrorCode::HttpResponseTrailerSize(_) => "HTTP-response-trailer-size",
        ErrorCode::HttpResponseTransferCoding(_) => "HTTP-response-transfer-coding",
        ErrorCode::HttpResponseContentCoding(_) => "HTTP-response-content-coding",
        ErrorCode::HttpResponseTimeout => "HTTP-response-timeout",
        ErrorCode::HttpUpgradeFailed => "HTTP-upgrade-failed",
        ErrorCode::HttpProtocolError => "HTTP-protocol-error",
        ErrorCode::LoopDetected => "loop-detected",
        ErrorCode::ConfigurationError => "configuration-error",
        ErrorCode::InternalError(_) => "internal-error",
    };
    let detail = match code {
        ErrorCode::DnsError(payload) => payload.rcode.as_deref(),
        ErrorCode::TlsAlertReceived(payload) => payload.alert_message.as_deref(),
        ErrorCode::InternalError(text) => text.as_deref(),
        _ => None,
    };
    match detail {
        Some(detail) => format!("{name}: {detail}"),
        None => name.to_owned(),
    }
}

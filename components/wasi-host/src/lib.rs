//! The core's host traits over WASI P2: outbound HTTP through wstd (wasi:http/outgoing-handler),
//! wall clock and timers through wasi:clocks. Shared by the server and the plugin component.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argocd_mcp::host::{Clock, HttpClient, HttpError, HttpRequest, HttpResponse};
use wstd::future::FutureExt;
use wstd::http::{Body, Client, Request};

/// Outbound HTTP and time for the core.
#[derive(Default)]
pub struct WasiHttp;

impl HttpClient for WasiHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut builder = Request::builder()
            .method(request.method.as_str())
            .uri(&request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let outgoing = builder
            .body(Body::from(request.body))
            .map_err(|e| HttpError::Other(format!("invalid request: {e}")))?;
        // One deadline for the whole exchange, head and body: a slow Argo CD cannot hold a call.
        let exchange = async {
            let response = Client::new().send(outgoing).await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let mut body = response.into_body();
            let body = body.contents().await.map_err(classify)?.to_vec();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        };
        match exchange
            .timeout(wstd::time::Duration::from(request.timeout))
            .await
        {
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout),
        }
    }
}

/// Sorts wasi:http failures into "took too long" and "could not get there".
fn classify(error: wstd::http::Error) -> HttpError {
    use wstd::http::error::ErrorCode;
    match error.downcast_ref::<ErrorCode>() {
        Some(
            ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout
            | ErrorCode::HttpResponseTimeout,
        ) => HttpError::Timeout,
        Some(
            code @ (ErrorCode::DnsTimeout
            | ErrorCode::DnsError(_)
            | ErrorCode::ConnectionRefused
            | ErrorCode::DestinationNotFound
            | ErrorCode::DestinationUnavailable
            | ErrorCode::DestinationIpUnroutable
            | ErrorCode::ConnectionTerminated
            | ErrorCode::HttpRequestDenied
            | ErrorCode::TlsCertificateError
            | ErrorCode::TlsProtocolError),
        ) => HttpError::Unreachable(format!("{code:?}")),
        Some(code) => HttpError::Other(format!("{code:?}")),
        None => HttpError::Other(error.to_string()),
    }
}

impl Clock for WasiHttp {
    fn now_unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    async fn sleep(&self, duration: Duration) {
        wstd::task::sleep(wstd::time::Duration::from(duration)).await;
    }
}

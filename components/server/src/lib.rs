//! The server component: `wasi:http/incoming-handler` serving `/mcp` and `/health/argocd`.
//! Settings come from host variables (Spin variables through wasi:config, else the environment);
//! the Argo CD session is cached in the host key-value store `default`, shared by all instances.

use argocd_mcp::host::TokenStore;
use argocd_mcp::mcp::http::{HttpExchange, MAX_BODY_BYTES};
use argocd_mcp::service;
use argocd_mcp::settings::Settings;
use argocd_mcp_wasi_host::WasiHttp;
use wstd::http::{Body, Error, Request, Response};

mod bindings {
    wit_bindgen::generate!({ path: "../../wit", world: "server", generate_all });
}

use bindings::wasi::config::store as config;
use bindings::wasi::keyvalue::store as keyvalue;

/// The key-value store Spin opens for `key_value_stores = ["default"]`.
const STORE: &str = "default";

struct ServerHost {
    http: WasiHttp,
    bucket: Result<keyvalue::Bucket, String>,
}

fn kv_error(error: keyvalue::Error) -> String {
    match error {
        keyvalue::Error::NoSuchStore => format!("key-value store '{STORE}' does not exist"),
        keyvalue::Error::AccessDenied => format!("no access to key-value store '{STORE}'"),
        keyvalue::Error::Other(why) => why,
    }
}

impl TokenStore for ServerHost {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .get(key)
            .map_err(kv_error)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .set(key, value)
            .map_err(kv_error)
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        self.bucket
            .as_ref()
            .map_err(Clone::clone)?
            .delete(key)
            .map_err(kv_error)
    }
}

impl argocd_mcp::host::HttpClient for ServerHost {
    async fn send(
        &self,
        request: argocd_mcp::host::HttpRequest,
    ) -> Result<argocd_mcp::host::HttpResponse, argocd_mcp::host::HttpError> {
        self.http.send(request).await
    }
}

impl argocd_mcp::host::Clock for ServerHost {
    fn now_unix_ms(&self) -> u64 {
        self.http.now_unix_ms()
    }
    async fn sleep(&self, duration: std::time::Duration) {
        self.http.sleep(duration).await
    }
}

/// Host variables first (Spin), then the environment (`wasmtime serve --env`, the local runner).
fn load_settings() -> Settings {
    Settings::load(|name| {
        config::get(name.variable)
            .ok()
            .flatten()
            .filter(|v| !v.is_empty())
            .or_else(|| std::env::var(name.env).ok())
    })
}

#[wstd::http_server]
async fn main(request: Request<Body>) -> Result<Response<Body>, Error> {
    let (parts, mut body) = request.into_parts();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let declared = body.content_length().unwrap_or(0) as usize;
    let bytes = if declared > MAX_BODY_BYTES {
        Vec::new() // refused below by size, without reading it
    } else {
        body.contents().await?.to_vec()
    };
    let oversized = vec![
        0u8;
        if declared > MAX_BODY_BYTES {
            MAX_BODY_BYTES + 1
        } else {
            0
        }
    ];
    let host = ServerHost {
        http: WasiHttp,
        bucket: keyvalue::open(STORE).map_err(kv_error),
    };
    let settings = load_settings();
    let exchange = HttpExchange {
        method: parts.method.as_str(),
        headers: &headers,
        body: if oversized.is_empty() {
            &bytes
        } else {
            &oversized
        },
    };
    let reply = service::handle_http(&host, &settings, exchange, parts.uri.path()).await;
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    Ok(response.body(Body::from(reply.body))?)
}

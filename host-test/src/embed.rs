//! The wasmtime 48 embedding: loads both components as shipped, gives them WASI, outbound HTTP
//! (optionally redirected), the key-value store and host variables, and runs them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::error::Context;
use wasmtime::{Config, Engine, Store};
use wasmtime::{Result, format_err as anyhow};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::kv::KvStore;
use crate::outbound::ConnectionPool;

mod server_world {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "argocd:mcp/server",
        with: { "wasi:keyvalue/store.bucket": super::Bucket },
    });
}

#[allow(clippy::too_many_arguments)] // one argument per tool parameter, as the WIT declares
pub mod plugin_world {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "argocd:mcp/plugin",
        exports: { default: async },
    });
}

use server_world::wasi::config::store as config_store;
use server_world::wasi::keyvalue::atomics as kv_atomics;
use server_world::wasi::keyvalue::store as kv_store;

pub use plugin_world::{Plugin, ResourceRef};

/// The one bucket a component can open: the host store.
pub struct Bucket;

/// The `.wasm` files this harness was built with (see build.rs).
pub const SERVER_WASM: &str = env!("ARGOCD_MCP_SERVER_WASM");
pub const PLUGIN_WASM: &str = env!("ARGOCD_MCP_PLUGIN_WASM");

/// One outbound request as the component sent it, before any redirect.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub method: String,
    pub uri: String,
}

/// What the host gives one instance. Clones share the store and the outbound log.
/// The store key instances get unless a test sets its own (or removes it): the server component
/// serves nothing without one. Tests that read the raw store open its entries with it.
pub const TEST_STORE_KEY: &str = "test-store-key-0123456789abcdefghijklmnopqrstuvwxyz";

#[derive(Clone)]
pub struct HostEnv {
    pub kv: KvStore,
    /// `wasi:config/store` values: Spin variables, by their Spin names.
    pub variables: HashMap<String, String>,
    /// The WASI environment (the plugin reads its settings here).
    pub env: Vec<(String, String)>,
    /// Send every outbound request to this address instead, keeping path and query.
    pub redirect: Option<SocketAddr>,
    /// Send requests for these hosts (URL host names) to these addresses; wins over `redirect`.
    pub redirect_hosts: HashMap<String, SocketAddr>,
    pub outbound: Arc<Mutex<Vec<Outbound>>>,
    /// Like a Wassette network policy: when set, requests to any other host are denied
    /// (`HttpRequestDenied`) before they leave.
    pub allowed_hosts: Option<Vec<String>>,
    /// Like a Wassette memory limit: the most linear memory an instance may grow to, in bytes.
    pub memory_limit: Option<usize>,
    /// Guest stderr lands here, so tests can check that logs hold no secret.
    pub stderr: Option<wasmtime_wasi::p2::pipe::MemoryOutputPipe>,
}

impl Default for HostEnv {
    fn default() -> Self {
        HostEnv {
            kv: KvStore::default(),
            variables: HashMap::from([(
                argocd_mcp::settings::STORE_KEY.variable.to_owned(),
                TEST_STORE_KEY.to_owned(),
            )]),
            env: Vec::new(),
            redirect: None,
            redirect_hosts: HashMap::new(),
            outbound: Arc::default(),
            allowed_hosts: None,
            memory_limit: None,
            stderr: None,
        }
    }
}

impl HostEnv {
    pub fn outbound(&self) -> Vec<Outbound> {
        self.outbound
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

pub struct HostState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: OutboundHooks,
    kv: KvStore,
    variables: HashMap<String, String>,
    limits: wasmtime::StoreLimits,
}

struct OutboundHooks {
    allowed_hosts: Option<Vec<String>>,
    redirect: Option<SocketAddr>,
    redirect_hosts: HashMap<String, SocketAddr>,
    log: Arc<Mutex<Vec<Outbound>>>,
    connections: ConnectionPool,
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        mut request: http::Request<WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Outbound {
                method: request.method().to_string(),
                uri: request.uri().to_string(),
            });
        let host = request.uri().host().unwrap_or_default().to_string();
        if let Some(allowed) = &self.allowed_hosts
            && !allowed.contains(&host)
        {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let by_host = request
            .uri()
            .host()
            .and_then(|host| self.redirect_hosts.get(host))
            .copied();
        if let Some(addr) = by_host.or(self.redirect) {
            let path = request
                .uri()
                .path_and_query()
                .map_or("/".to_string(), |p| p.to_string());
            if let Ok(uri) = format!("http://{addr}{path}").parse() {
                *request.uri_mut() = uri;
            }
        }
        let connections = self.connections.clone();
        Box::new(async move { connections.send(request, options).await })
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

impl kv_store::Host for HostState {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, kv_store::Error> {
        if identifier != "default" {
            return Err(kv_store::Error::NoSuchStore);
        }
        self.table
            .push(Bucket)
            .map_err(|e| kv_store::Error::Other(e.to_string()))
    }
}

impl kv_store::HostBucket for HostState {
    fn get(
        &mut self,
        _: Resource<Bucket>,
        key: String,
    ) -> Result<Option<Vec<u8>>, kv_store::Error> {
        self.kv.get(&key).map_err(kv_store::Error::Other)
    }

    fn set(
        &mut self,
        _: Resource<Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), kv_store::Error> {
        self.kv.set(&key, value).map_err(kv_store::Error::Other)
    }

    fn delete(&mut self, _: Resource<Bucket>, key: String) -> Result<(), kv_store::Error> {
        self.kv.delete(&key).map_err(kv_store::Error::Other)
    }

    /// All keys on one page, as Spin answers.
    fn list_keys(
        &mut self,
        _: Resource<Bucket>,
        _cursor: Option<String>,
    ) -> Result<kv_store::KeyResponse, kv_store::Error> {
        let keys = self.kv.keys().map_err(kv_store::Error::Other)?;
        Ok(kv_store::KeyResponse { keys, cursor: None })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl kv_atomics::Host for HostState {
    fn increment(
        &mut self,
        _: Resource<Bucket>,
        key: String,
        delta: i64,
    ) -> Result<i64, kv_store::Error> {
        self.kv
            .increment(&key, delta)
            .map_err(kv_store::Error::Other)
    }
}

impl config_store::Host for HostState {
    fn get(&mut self, key: String) -> Result<Option<String>, config_store::Error> {
        Ok(self.variables.get(&key).cloned())
    }
}

/// Both components, compiled once and pre-linked; instances are made per request or call.
pub struct Harness {
    engine: Engine,
    server: ProxyPre<HostState>,
    plugin: plugin_world::PluginPre<HostState>,
    /// Kept-alive connections to Argo CD (and the identity provider), shared by all instances.
    connections: ConnectionPool,
}

impl Harness {
    /// Loads the shipped components, from the compile cache when it is fresh.
    pub fn load() -> Result<Harness> {
        Self::load_from(Path::new(SERVER_WASM), Path::new(PLUGIN_WASM))
    }

    /// As `load`, with wasmtime's pooling allocator, for the long-lived runner: an instance's
    /// memories and tables come from slots reserved once and reset for the next instance,
    /// instead of being mapped and unmapped per request (a tenth of the runner's CPU in the
    /// profile, README, Figures). Slots are reserved address space (4 GiB each, as on-demand
    /// instances reserve too), so tests, which start many harnesses in one process, keep the
    /// on-demand allocator. Where the slots cannot be reserved (a `ulimit -v`), falls back to it.
    pub fn load_pooled() -> Result<Harness> {
        let mut config = Config::new();
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(
            wasmtime::PoolingAllocationConfig::default(),
        ));
        match Engine::new(&config) {
            Ok(engine) => Self::load_with(engine, Path::new(SERVER_WASM), Path::new(PLUGIN_WASM)),
            Err(e) => {
                eprintln!(
                    "argocd-mcp: the pooling allocator is unavailable ({e:#}); instances are allocated one by one"
                );
                Self::load()
            }
        }
    }

    pub fn load_from(server: &Path, plugin: &Path) -> Result<Harness> {
        Self::load_with(Engine::new(&Config::new())?, server, plugin)
    }

    fn load_with(engine: Engine, server: &Path, plugin: &Path) -> Result<Harness> {
        let mut linker: Linker<HostState> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        kv_store::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        kv_atomics::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        config_store::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        let server = ProxyPre::new(linker.instantiate_pre(&compile_cached(&engine, server)?)?)?;
        let plugin = plugin_world::PluginPre::new(
            linker.instantiate_pre(&compile_cached(&engine, plugin)?)?,
        )?;
        Ok(Harness {
            engine,
            server,
            plugin,
            connections: ConnectionPool::default(),
        })
    }

    fn store(&self, env: &HostEnv) -> Store<HostState> {
        let mut wasi = WasiCtx::builder();
        wasi.envs(&env.env);
        match &env.stderr {
            Some(pipe) => {
                wasi.stderr(pipe.clone());
            }
            None => {
                wasi.inherit_stderr();
            }
        }
        let mut limits = wasmtime::StoreLimitsBuilder::new();
        if let Some(bytes) = env.memory_limit {
            limits = limits.memory_size(bytes);
        }
        let mut store = Store::new(
            &self.engine,
            HostState {
                table: ResourceTable::new(),
                wasi: wasi.build(),
                http: WasiHttpCtx::new(),
                hooks: OutboundHooks {
                    allowed_hosts: env.allowed_hosts.clone(),
                    redirect: env.redirect,
                    redirect_hosts: env.redirect_hosts.clone(),
                    log: env.outbound.clone(),
                    connections: self.connections.clone(),
                },
                kv: env.kv.clone(),
                variables: env.variables.clone(),
                limits: limits.build(),
            },
        );
        store.limiter(|state| &mut state.limits);
        store
    }

    /// Serves one HTTP request with a fresh instance of the server component, as Spin does.
    pub async fn serve<B>(
        &self,
        env: &HostEnv,
        request: hyper::Request<B>,
    ) -> Result<http::Response<wasmtime_wasi_http::p2::body::HyperOutgoingBody>>
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let mut store = self.store(env);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.server.clone();
        let task = tokio::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, request, out)
                .await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(anyhow!("the component failed the request: {code:?}")),
            Err(_) => match task.await {
                Ok(Ok(())) => Err(anyhow!("the component never answered")),
                Ok(Err(e)) => Err(e.context("the component trapped")),
                Err(e) => Err(anyhow!("the component task failed: {e}")),
            },
        }
    }

    /// Serves a request and reads the whole answer.
    pub async fn request(
        &self,
        env: &HostEnv,
        request: http::Request<Bytes>,
    ) -> Result<CollectedResponse> {
        let (parts, body) = request.into_parts();
        let body = Full::new(body);
        let response = self
            .serve(env, hyper::Request::from_parts(parts, body))
            .await?;
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| anyhow!("reading the component's body: {e:?}"))?
            .to_bytes();
        Ok(CollectedResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        })
    }

    /// Calls the plugin export `name` in a fresh instance with a plausible value for every
    /// parameter (`app` for strings, `true`, `1`, empty lists, absent options), as a host that
    /// knows only the export's types would: for sweeping every tool at once. `Ok(text)` is the
    /// export's own answer (`Ok` or `Err` alike); `Err` is the instance failing (a trap).
    pub async fn call_plugin_export(
        &self,
        env: &HostEnv,
        name: &str,
        app: &str,
    ) -> Result<std::result::Result<String, String>> {
        use wasmtime::component::{Type, Val};
        let mut store = self.store(env);
        let instance = self
            .plugin
            .instance_pre()
            .instantiate_async(&mut store)
            .await?;
        let func = instance
            .get_func(&mut store, name)
            .ok_or_else(|| anyhow!("no export {name}"))?;
        let params: Vec<Val> = func
            .ty(&store)
            .params()
            .map(|(_, ty)| match ty {
                Type::String => Val::String(app.to_owned()),
                Type::Bool => Val::Bool(true),
                Type::S64 => Val::S64(1),
                Type::U32 => Val::U32(1),
                Type::List(_) => Val::List(Vec::new()),
                _ => Val::Option(None),
            })
            .collect();
        let mut results = vec![Val::Bool(false)];
        func.call_async(&mut store, &params, &mut results).await?;
        match results.pop() {
            Some(Val::Result(Ok(Some(text)))) => match *text {
                Val::String(text) => Ok(Ok(text)),
                other => Err(anyhow!("{name} answered {other:?}")),
            },
            Some(Val::Result(Err(Some(text)))) => match *text {
                Val::String(text) => Ok(Err(text)),
                other => Err(anyhow!("{name} failed with {other:?}")),
            },
            other => Err(anyhow!("{name} returned {other:?}")),
        }
    }

    /// Every export of the plugin, by name.
    pub fn plugin_exports(&self) -> Vec<String> {
        self.plugin
            .instance_pre()
            .component()
            .component_type()
            .exports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// A fresh plugin instance, as Wassette makes one per call.
    pub async fn plugin(&self, env: &HostEnv) -> Result<(Plugin, Store<HostState>)> {
        let mut store = self.store(env);
        let plugin = self.plugin.instantiate_async(&mut store).await?;
        Ok((plugin, store))
    }
}

pub struct CollectedResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl CollectedResponse {
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body)
            .with_context(|| format!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Compiles a component once per content: the machine code is cached beside the `.wasm`,
/// keyed by a hash of its bytes, so later starts only map it in.
pub fn compile_cached(engine: &Engine, wasm: &Path) -> Result<Component> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    hasher.update(env!("CARGO_PKG_VERSION"));
    let digest: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let cache: PathBuf = wasm.with_extension(format!("{digest}.cwasm"));
    if cache.exists() {
        // SAFETY: the file was written by `Component::serialize` of this same wasmtime build
        // (the name holds the input hash, the header is checked by wasmtime).
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cache) } {
            return Ok(component);
        }
    }
    let component = Component::new(engine, &bytes)?;
    if let Ok(serialized) = component.serialize() {
        let tmp = cache.with_extension("tmp");
        if std::fs::write(&tmp, serialized).is_ok() {
            let _ = std::fs::rename(&tmp, &cache);
        }
    }
    Ok(component)
}

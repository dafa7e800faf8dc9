//! The core's host traits over WASI P2: outbound HTTP straight over
//! wasi:http/outgoing-handler, wall clock and timers through wasi:clocks, and the body streams
//! the server component reads requests and writes answers with. Shared by the server and the
//! plugin component.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argocd_mcp::host::Clock;

pub mod body;
mod outbound;

pub use outbound::{WasiBody, WasiHttp};

/// Wall-clock time and timers for the core (wasi:clocks).
#[derive(Default)]
pub struct WasiClock;

impl Clock for WasiClock {
    fn now_unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    async fn sleep(&self, duration: Duration) {
        wstd::task::sleep(wstd::time::Duration::from(duration)).await;
    }
}

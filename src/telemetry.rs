//! Logging (tracing) and metrics (Prometheus text on `/metrics`).
//!
//! Message bodies and phone numbers are never logged at info level: code logs ids and
//! redacted addresses only.

use std::{io::IsTerminal, sync::OnceLock};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

/// Log to stderr; level from `PEERLINE_LOG` (or `RUST_LOG`), default `info`.
pub fn init_logging() {
    let filter = std::env::var("PEERLINE_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .and_then(|s| EnvFilter::try_new(s).ok())
        .unwrap_or_else(|| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide metrics recorder, installed on first use.
pub fn metrics_handle() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(h) => Some(h),
            Err(e) => {
                tracing::warn!(error = %e, "metrics recorder unavailable");
                None
            }
        })
        .as_ref()
}

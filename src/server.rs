//! The HTTP server under every route, with the limits `axum::serve` does not set, so that a
//! slow or hostile client cannot hold connections open for minutes:
//!
//! - a connection must send a request's headers within `header_timeout` (hyper's HTTP/1
//!   header read timeout; an idle keep-alive connection is closed after it too);
//! - a request's whole body must arrive within `body_timeout` of its headers (408 otherwise),
//!   and be no larger than `max_body_bytes` (413);
//! - at most `max_connections` connections are served at once; more wait in the listen backlog
//!   until one closes.
//!
//! HTTP/1.1 only: every provider calls webhooks with it, and it is one less protocol to harden.
//! The request span names the method and path, never the query string (Kannel's get-url puts
//! the token, the sender's number and the text there).

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::trace::TraceLayer;

/// How long connections still open at shutdown get to finish.
const DRAIN: Duration = Duration::from_secs(10);

/// The server's limits, from `[http]`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_body_bytes: usize,
    pub max_connections: usize,
}

impl Limits {
    pub fn from_settings(http: &peerline_core::config::HttpSettings) -> Self {
        Self {
            header_timeout: Duration::from_secs(http.header_timeout_secs),
            body_timeout: Duration::from_secs(http.body_timeout_secs),
            max_body_bytes: http.max_body_bytes,
            max_connections: http.max_connections,
        }
    }
}

/// Serve `router` on `listener` until `shutdown`, then let open connections finish (for at most
/// a few seconds). Handlers can extract `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: TcpListener, router: Router, limits: Limits, shutdown: CancellationToken) {
    let app = router
        .layer(middleware::from_fn_with_state(limits, read_body_in_time))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &Request| tracing::debug_span!("request", method = %req.method(), path = %req.uri().path()),
        ));
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let mut at_limit = false;
    loop {
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => {
                at_limit = false;
                permit
            }
            Err(_) => {
                if !at_limit {
                    at_limit = true;
                    metrics::counter!("peerline_http_connection_limit_reached_total").increment(1);
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "HTTP connection limit reached; new connections wait until one closes"
                    );
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                }
            }
        };
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "cannot accept an HTTP connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "HTTP connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => tracing::warn!("HTTP connections still open at shutdown were closed"),
    }
}

/// Read the whole body within the time and size limits before any handler sees the request.
async fn read_body_in_time(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(limits.body_timeout, Limited::new(body, limits.max_body_bytes).collect()).await;
    let refuse = |status: StatusCode, why: &'static str| {
        // The rest of the body is never read, so the connection cannot carry another request.
        (status, [(header::CONNECTION, "close")], why).into_response()
    };
    match read {
        Ok(Ok(collected)) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            refuse(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
        }
        Ok(Err(_)) => refuse(StatusCode::BAD_REQUEST, "request body could not be read"),
        Err(_) => {
            metrics::counter!("peerline_http_body_timeouts_total").increment(1);
            tracing::debug!(path = parts.uri.path(), "request body did not arrive in time");
            refuse(StatusCode::REQUEST_TIMEOUT, "request body too slow")
        }
    }
}

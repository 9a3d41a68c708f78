//! The router, its shared state, and serving with a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use meterport_store::Store;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::service::ingest::IngestWriter;

/// What every handler can reach. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The operator API is enabled only when a token is configured.
    pub operator_token: Option<Arc<str>>,
    pub ingest: IngestWriter,
}

impl AppState {
    /// State over a store, with the ingest writer started.
    pub fn new(store: Store, clock: Arc<dyn Clock>, operator_token: Option<String>) -> AppState {
        let ingest = IngestWriter::start(store.clone());
        AppState {
            store,
            clock,
            operator_token: operator_token.map(Arc::from),
            ingest,
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The largest request body: a batch of 10,000 readings with 40 counters is about 6 MB.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::api::operator::routes())
        .merge(crate::api::ingest::routes())
        .merge(crate::api::read::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting, finishes the requests in flight,
/// drains the ingest writer and closes the database.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    state.ingest.shutdown().await;
    tokio::time::timeout(Duration::from_secs(10), state.store.close())
        .await
        .ok();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

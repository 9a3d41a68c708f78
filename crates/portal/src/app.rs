//! The router, its shared state, and serving with a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::service::Services;
use crate::service::ingest::IngestWriter;

/// What every handler can reach. Cheap to clone. The use cases are reached through
/// `services`; the store itself is not here, so no handler can call it.
#[derive(Clone, Debug)]
pub struct AppState {
    pub services: Services,
    pub clock: Arc<dyn Clock>,
    /// The operator API is enabled only when a token is configured.
    pub operator_token: Option<Arc<str>>,
    pub ingest: IngestWriter,
    /// Session timeouts and the public address.
    pub web: Arc<crate::web::session::WebConfig>,
    /// Login attempts per client address and unknown user names (per instance).
    pub login_guard: Arc<crate::service::login::LoginGuard>,
    /// Take the client address from `X-Forwarded-For` (behind a trusted proxy).
    pub trust_proxy: bool,
    /// Outgoing mail through the outbox; log mode unless [`AppState::with_mail`] says more.
    pub mail: crate::mail::Mailer,
    /// What the `/metrics` scrapes keep between them.
    pub monitor: Arc<crate::service::monitoring::Monitor>,
}

impl AppState {
    /// State over the use cases, with the ingest writer started.
    pub fn new(
        services: Services,
        clock: Arc<dyn Clock>,
        operator_token: Option<String>,
    ) -> AppState {
        // Metrics are recorded from the first request on.
        crate::telemetry::install();
        let ingest = IngestWriter::start(&services);
        let mail = services.mailer(crate::mail::MailConfig::log(), clock.clone());
        AppState {
            services,
            clock,
            mail,
            operator_token: operator_token.map(Arc::from),
            ingest,
            web: Arc::new(crate::web::session::WebConfig::default()),
            login_guard: Arc::default(),
            trust_proxy: false,
            monitor: Arc::default(),
        }
    }

    pub fn with_web(mut self, web: crate::web::session::WebConfig) -> AppState {
        self.web = Arc::new(web);
        self
    }

    /// Sends mail as `config` says (SMTP, or the log) instead of the log.
    pub fn with_mail(mut self, config: crate::mail::MailConfig) -> AppState {
        self.mail = self.services.mailer(config, self.clock.clone());
        self
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The largest request body: a batch of 10,000 readings with 40 counters is about 6 MB.
pub(crate) const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(crate::api::openapi::serve))
        .merge(crate::api::operator::routes())
        .merge(crate::api::announcements::routes())
        .merge(crate::api::ingest::routes())
        .merge(crate::api::read::routes())
        .merge(
            crate::web::routes().layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::web::errors_in_layout,
            )),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(crate::api::json_errors))
        .layer(axum::middleware::from_fn(crate::web::security::headers))
        // Outermost, so that it counts and logs every answer as the client gets it; a layer
        // of the router, so that it sees each request's route template.
        .layer(axum::middleware::from_fn(crate::telemetry::http))
        .with_state(state)
}

/// The router of `serve --metrics-listen`: `/metrics` alone, for scrapers on an address of
/// their own.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// `GET /metrics` (SPEC B3): the Prometheus text format, for the operator token only (as the
/// operator API: 401 without it or with another token, 404 when no token is configured).
async fn metrics(
    _: crate::api::operator::Operator,
    State(state): State<AppState>,
) -> Result<axum::response::Response, crate::api::ApiError> {
    use axum::response::IntoResponse;
    let text =
        crate::service::monitoring::scrape(&state.services, &state.monitor, state.now_ms()).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Serves until SIGTERM or Ctrl-C, then stops accepting, finishes the requests in flight,
/// drains the ingest writer and closes the database.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    smtp: Option<(TcpListener, crate::smtp::SmtpConfig)>,
    metrics: Option<TcpListener>,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let app = router(state.clone());
    // Without TCP_NODELAY a small answer waits for the client's delayed ACK (about 40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    });
    // One signal stops both front doors; the ingest writer stops after both have finished.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let smtp = smtp.map(|(listener, config)| {
        tokio::spawn(crate::smtp::serve(
            listener,
            state.clone(),
            config,
            stopping.clone(),
        ))
    });
    let metrics = metrics.map(|listener| {
        let mut stopping = stopping.clone();
        let app = metrics_router(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    stopping.wait_for(|stop| *stop).await.ok();
                })
                .await
        })
    });
    let mut http_stopping = stopping.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        stop.send_replace(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        http_stopping.wait_for(|stop| *stop).await.ok();
    })
    .await?;
    if let Some(smtp) = smtp
        && let Err(e) = smtp.await
    {
        tracing::error!(error = %e, "the SMTP listener failed");
    }
    if let Some(metrics) = metrics
        && let Ok(Err(e)) = metrics.await
    {
        tracing::error!(error = %e, "the metrics listener failed");
    }
    state.ingest.shutdown().await;
    tokio::time::timeout(Duration::from_secs(10), state.services.close())
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

//! The router, the listener and graceful shutdown.

use std::future::Future;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Level;

use crate::config::{LogFormat, ServeArgs};
use crate::error::ApiError;
use crate::middleware::{record_metrics, require_token};
use crate::routes;
use crate::sheets;
use crate::state::AppState;

/// The service's router: every route, the limits and the middleware.
pub fn app(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/match", post(routes::match_problem))
        .route("/validate", post(routes::validate))
        .route("/check", post(routes::check))
        .route("/sheets/problem", post(sheets::sheets_problem))
        .route("/export/assignments.csv", post(sheets::export_assignments_csv))
        .route("/export/unfilled.csv", post(sheets::export_unfilled_csv))
        .route("/export/standby.csv", post(sheets::export_standby_csv))
        .route("/export/geojson", post(sheets::export_geojson))
        .route("/jobs", post(routes::submit_job))
        .route("/jobs/{id}", get(routes::job_status).delete(routes::cancel_job))
        .route("/jobs/{id}/events", get(routes::job_events))
        .route("/jobs/{id}/solution", get(routes::job_solution))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), require_token));

    Router::new()
        .route("/", get(routes::page))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(routes::metrics))
        .route("/openapi.json", get(routes::openapi))
        .nest("/v1", v1)
        .fallback(routes::no_route)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config().body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), record_metrics))
        // Outermost last: the id is set first, then the span reads it, and
        // the response carries it back.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    // Method, path and id only: never headers (tokens) or
                    // bodies (workers' homes are personal data).
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(tower_http::trace::DefaultOnResponse::new().level(Level::INFO))
                .on_failure(log_failure),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(handler_panicked))
        .with_state(state)
}

/// Logs a response the trace layer counts as a failure (any 5xx, or an
/// error in the body). Only a 500 or an error is the server's fault and an
/// ERROR; 503 (at capacity, shutting down) and 504 (a solve over the request
/// timeout) are the limits doing their work, a WARN.
fn log_failure(
    class: tower_http::classify::ServerErrorsFailureClass,
    latency: Duration,
    _span: &tracing::Span,
) {
    use tower_http::classify::ServerErrorsFailureClass as Class;
    let latency_ms = latency.as_millis();
    match class {
        Class::StatusCode(status)
            if status == StatusCode::SERVICE_UNAVAILABLE
                || status == StatusCode::GATEWAY_TIMEOUT =>
        {
            tracing::warn!(%status, latency_ms, "response refused or timed out");
        }
        Class::StatusCode(status) => tracing::error!(%status, latency_ms, "response failed"),
        Class::Error(error) => tracing::error!(%error, latency_ms, "response failed"),
    }
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets running
/// requests finish for up to the configured grace period. Until they have,
/// the listener stays open, so a new request or a readiness probe gets 503
/// `shutting_down` rather than a refused connection.
///
/// A request's head (its line and headers) must arrive within the request
/// timeout, as its body must, or the connection is closed: a client that
/// opens connections and never finishes a head cannot hold them, nor the
/// file descriptors, nor the shutdown. `axum::serve` sets no such limit (it
/// gives hyper no timer), so this is its accept loop with one.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = state.config().shutdown_grace;
    let head_timeout = state.config().request_timeout;
    let on_signal = state.clone();
    let router = app(state.clone());
    let stop = async move {
        shutdown.await;
        on_signal.begin_shutdown();
        on_signal.admitted_done().await;
    };
    let server = async move {
        // `stopping` tells the connections to finish their request and
        // close; `open` counts them (each holds a receiver).
        let (stopping_tx, stopping_rx) = tokio::sync::watch::channel(false);
        let (open_tx, open_rx) = tokio::sync::watch::channel(());
        let mut stop = std::pin::pin!(stop);
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(err) => {
                        // Out of file descriptors and the like: wait a
                        // little rather than spin.
                        tracing::error!(%err, "accept error");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            let service = hyper_util::service::TowerToHyperService::new(router.clone());
            let mut stopping = stopping_rx.clone();
            let open = open_rx.clone();
            tokio::spawn(async move {
                let _open = open;
                // HTTP/1 only, as `axum::serve` with axum's default features.
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(head_timeout);
                let io = hyper_util::rt::TokioIo::new(stream);
                let mut conn =
                    std::pin::pin!(builder.serve_connection(io, service).with_upgrades());
                let mut told = false;
                loop {
                    tokio::select! {
                        result = conn.as_mut() => {
                            if let Err(err) = result {
                                tracing::debug!(%err, "connection ended with an error");
                            }
                            break;
                        }
                        changed = stopping.changed(), if !told => {
                            told = true;
                            if changed.is_ok() {
                                conn.as_mut().graceful_shutdown();
                            }
                        }
                    }
                }
            });
        }
        drop(listener);
        let _ = stopping_tx.send(true);
        drop(open_rx);
        open_tx.closed().await;
        Ok::<(), std::io::Error>(())
    };
    let deadline = async {
        state.shutdown_begun().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => {
            tracing::info!("server stopped");
            result
        }
        () = deadline => {
            tracing::warn!(grace_s = grace.as_secs_f64(), "grace period over; dropping open connections");
            Ok(())
        }
    }
}

/// Runs the service as `farmhand-server` (and `farmhand serve`) do: logging,
/// listener, signals. Returns after a graceful shutdown.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_tracing(args.log_format);
    let config = args.config()?;
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on {}: {err}", args.addr))?;
    tracing::info!(
        addr = %listener.local_addr()?,
        auth = config.api_token.is_some(),
        body_limit = config.body_limit,
        max_slots = config.max_slots,
        max_concurrent_solves = config.max_concurrent_solves,
        "farmhand-server listening"
    );
    serve_on(listener, AppState::new(config), shutdown_signal()).await?;
    Ok(())
}

/// Runs [`serve`] on a runtime of its own, for a synchronous `main`. Solves
/// still running once the server has stopped get the grace period to notice
/// their cancellation.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let grace = Duration::from_secs(args.shutdown_grace);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(serve(args));
    runtime.shutdown_timeout(grace);
    result
}

/// Installs the global log subscriber (a no-op when one is already
/// installed, as in `farmhand serve`). The filter comes from `RUST_LOG`,
/// default `info`.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        // Colours only on a terminal: a log file or a collector gets plain
        // text, not escape codes.
        LogFormat::Pretty => {
            use std::io::IsTerminal;
            builder.with_ansi(std::io::stderr().is_terminal()).try_init()
        }
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}

/// A panic in a handler itself (library panics are caught earlier, on the
/// blocking pool) still answers JSON.
fn handler_panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let cause = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    axum::response::IntoResponse::into_response(ApiError::Internal(format!(
        "handler panicked: {cause}"
    )))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::http::StatusCode;
    use tower_http::classify::ServerErrorsFailureClass as Class;

    /// Log lines written by [`super::log_failure`] under a subscriber of its
    /// own, one per class.
    fn logged(class: Class) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            super::log_failure(class, Duration::from_millis(7), &tracing::Span::none());
        });
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn refusals_and_timeouts_are_warnings_and_only_faults_are_errors() {
        for status in [StatusCode::SERVICE_UNAVAILABLE, StatusCode::GATEWAY_TIMEOUT] {
            let line = logged(Class::StatusCode(status));
            assert!(line.contains(" WARN ") && line.contains("latency_ms=7"), "{status}: {line}");
        }
        let line = logged(Class::StatusCode(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(line.contains("ERROR"), "{line}");
        let line = logged(Class::Error("the body broke".into()));
        assert!(line.contains("ERROR") && line.contains("the body broke"), "{line}");
    }
}

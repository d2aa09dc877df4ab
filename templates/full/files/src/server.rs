//! Serving: listen where the settings say, hold against slow and abusive clients, then stop
//! gracefully on Ctrl-C or SIGTERM, letting the requests in flight finish.
//!
//! `axum::serve` has no limits, so a thousand clients each sending half a request would
//! hold the server for as long as they like. This loop is `axum::serve` with three:
//!
//! - `HEADER_TIMEOUT`: a client has this long to send a request's head, counted from when
//!   its connection opens or its previous response ends, so it is also how long an idle
//!   keep-alive connection stays open;
//! - `MAX_CONNECTIONS`: connections beyond it wait in the kernel's queue until one closes;
//! - `REQUEST_TIMEOUT` (in `routes.rs`): a request, body included, gets 408 after it.

use std::error::Error;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::{AppState, app};

/// How long the requests in flight may take to finish once a shutdown signal arrives.
const GRACE: Duration = Duration::from_secs(30);

/// How long to wait before accepting again after accepting failed (say, out of file
/// descriptors): the failure is the system's, and retrying at once would spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Serves `state`'s app until a shutdown signal arrives.
pub async fn serve(state: AppState) -> Result<(), Box<dyn Error>> {
    let (host, port) = (state.config.host.clone(), state.config.port);
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|err| format!("cannot listen on {host}:{port} ({err})"))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);

    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(state.config.header_timeout);
    let connections = Arc::new(Semaphore::new(state.config.max_connections));
    let app = app(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown_signal());
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit?,
            () = &mut shutdown => break,
        };
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(%err, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Each request carries the client's address, which the login rate limit counts by.
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut request = request.map(Body::new);
            request.extensions_mut().insert(ConnectInfo(address));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, %address, "connection ended with an error");
            }
            drop(permit);
        });
    }
    tracing::info!("shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(GRACE) => {
            tracing::warn!("requests still running after {} s were cut off", GRACE.as_secs());
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

//! Serving: listen where the settings say, then stop gracefully on Ctrl-C or SIGTERM,
//! letting the requests in flight finish. The limits a client may not outlast are
//! `src/web/limits.rs`.

use std::error::Error;

use tokio::net::TcpListener;

use crate::{AppState, app};

/// Serves `state`'s app until a shutdown signal arrives.
pub async fn serve(state: AppState) -> Result<(), Box<dyn Error>> {
    let (host, port) = (state.config.host.clone(), state.config.port);
    let listener = TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|err| format!("cannot listen on {host}:{port} ({err})"))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
    tracing::info!("shutting down");
}

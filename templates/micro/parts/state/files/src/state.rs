//! `AppState`: what every handler can reach through the `State` extractor. It is built
//! once at start-up and cloned per request (each field is cheap to clone). `plinth add`
//! inserts each feature's fields at the `plinth:` comments.

use std::error::Error;

use axum::extract::State;
use axum::http::StatusCode;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    // plinth:state
}

impl AppState {
    /// Builds the state (database pool, templates...) from the settings.
    pub async fn from_env() -> Result<Self, Box<dyn Error>> {
        // plinth:setup
        Ok(Self {
            // plinth:state-init
        })
    }

    /// Reports whether the app can serve requests; `/health` answers 503 otherwise.
    async fn check_health(&self) -> Result<(), String> {
        // plinth:health
        Ok(())
    }
}

/// `GET /health`: `ok`, or 503 with what is wrong, for load balancers and orchestrators.
pub async fn health(State(state): State<AppState>) -> (StatusCode, String) {
    match state.check_health().await {
        Ok(()) => (StatusCode::OK, "ok".to_owned()),
        Err(problem) => {
            tracing::warn!(%problem, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, problem)
        }
    }
}

//! `AppState`: what every handler can reach through the `State` extractor. It is built
//! once at start-up and cloned per request (each field is cheap to clone).

use std::error::Error;
use std::sync::Arc;

use crate::config::Config;

/// Shared by every handler; `plinth add` inserts fields at the `plinth:` comments.
#[derive(Clone)]
pub struct AppState {
    /// The settings (src/config.rs).
    pub config: Arc<Config>,
    // plinth:state
}

impl AppState {
    /// Builds the state from the settings in the environment, as the modules' own tests
    /// do (the commands in `cli.rs` read the settings first, then call [`Self::new`]).
    #[cfg(test)]
    pub async fn from_env() -> Result<Self, Box<dyn Error>> {
        Self::new(Config::from_env()?).await
    }

    /// Builds the state for `config`: opens the database pool, loads the templates...
    pub async fn new(config: Config) -> Result<Self, Box<dyn Error>> {
        // plinth:setup
        Ok(Self {
            config: Arc::new(config),
            // plinth:state-init
        })
    }

    /// Reports whether the app can serve requests; `/health` answers 503 otherwise.
    pub async fn check_health(&self) -> Result<(), String> {
        // plinth:health
        Ok(())
    }
}

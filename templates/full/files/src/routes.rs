//! Every route of the site, and the middleware each request passes through, in one
//! place. Handlers live in `views/` and in the modules of each area (`auth`, `admin`).

use axum::Router;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{AppState, errors, security, views};

/// Largest request body accepted, in bytes (2 MiB); a larger one gets 413.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The application: the routes, then the middleware around them.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(views::home::index))
        .route("/health", get(views::home::health))
        // plinth:routes
        .fallback(errors::not_found);
    with_middleware(routes, state)
}

/// Wraps `routes` in the middleware every request passes through. The site's own are
/// composed with one `ServiceBuilder`, whose first layer is the outermost: a request
/// meets the trace span first. The features' layers sit inside them (`plinth:layers`), but
/// for those that must see every answer, such as the error pages (`plinth:middleware`).
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    let config = state.config.clone();
    let middleware = ServiceBuilder::new()
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(axum::middleware::map_response_with_state(
            config.clone(),
            security::add_headers,
        ))
        // plinth:middleware
        .layer(axum::middleware::from_fn_with_state(
            config,
            security::check_host,
        ))
        .layer(errors::catch_panics())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));
    routes
        // plinth:layers
        .layer(middleware)
        .with_state(state)
}

//! Every route of the site, and the middleware each request passes through, in one
//! place. Handlers live in `views/` and in the modules of each area (`auth`, `admin`).

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{AppState, auth, csrf, errors, security, sessions, static_files, views};

/// Largest request body accepted, in bytes (2 MiB); a larger one gets 413.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The application: the routes, then the middleware around them.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(views::home::index))
        .route("/health", get(views::home::health))
        .nest_service("/static", static_files::router())
        .merge(auth::routes())
        .merge(crate::admin::routes())
        // plinth:routes
        .fallback(errors::not_found);
    with_middleware(routes, state)
}

/// Wraps `routes` in the middleware every request passes through, composed with one
/// `ServiceBuilder`: a `Router::layer` call per middleware would box every route again
/// for each one, and each box costs an allocation per request. The builder's first
/// layer is the outermost: a request meets the trace span first and the sessions last.
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
        .layer(axum::middleware::from_fn_with_state(
            config,
            security::check_host,
        ))
        .layer(errors::catch_panics())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // The limit wraps the body in its own type; the middleware below reads axum's.
        .map_request(|request: Request<_>| request.map(Body::new))
        // The origin check turns cross-site requests away before any body is read; the
        // token check sits outside the sessions because it reads a session's token from
        // the store itself.
        .layer(state.csrf.origin_check())
        .layer(axum::middleware::from_fn_with_state(
            state.csrf.clone(),
            csrf::protect,
        ))
        .layer(sessions::layer(state.sessions.clone()));
    routes
        // plinth:layers
        .layer(middleware)
        .with_state(state)
}

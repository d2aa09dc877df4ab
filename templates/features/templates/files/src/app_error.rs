//! The one error type of the app's handlers. A handler returns `Result<_, AppError>`, and
//! `?` turns any failure into it: the database, the session store, a background task, a
//! template. The cause goes to the log with its whole chain; the visitor gets the 500 page,
//! which tells nothing about it (a template's error shows in development, see
//! `templates.rs`). A JSON API returns [`ApiError`] instead: the same, answered in JSON.

use std::error::Error;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::web::templates::{RenderError, SERVER_ERROR_PAGE};

/// What a handler returns: `app_error::Result<Html<String>>`.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// A failure that is not the visitor's doing.
#[derive(Debug)]
pub enum AppError {
    /// Anything that failed on the server's side, with its cause.
    Internal(Box<dyn Error + Send + Sync>),
    /// A page failed to render.
    Render(RenderError),
}

impl AppError {
    /// A failure known only by a message (a cause that is not an error type).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into().into())
    }
}

impl<E: Error + Send + Sync + 'static> From<E> for AppError {
    fn from(err: E) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl From<RenderError> for AppError {
    fn from(err: RenderError) -> Self {
        Self::Render(err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::Internal(err) => {
                tracing::error!(error = %chain(err.as_ref()), "a request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CACHE_CONTROL, "no-store")],
                    Html(SERVER_ERROR_PAGE),
                )
                    .into_response()
            }
            Self::Render(err) => err.into_response(),
        }
    }
}

/// [`AppError`] for a JSON API: the same log line and the same 500, with a JSON body
/// (`{"error": "internal server error"}`) an API client can read instead of the HTML page.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E> From<E> for ApiError
where
    AppError: From<E>,
{
    fn from(err: E) -> Self {
        Self(AppError::from(err))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.0 {
            AppError::Internal(err) => {
                tracing::error!(error = %chain(err.as_ref()), "a request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        (header::CACHE_CONTROL, "no-store"),
                    ],
                    r#"{"error":"internal server error"}"#,
                )
                    .into_response()
            }
            AppError::Render(err) => err.into_response(),
        }
    }
}

/// `err` and each of its causes, `: `-separated.
fn chain(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("saving the row")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[tokio::test]
    async fn a_failure_is_an_opaque_500_and_its_causes_are_logged() {
        let err = Outer(std::io::Error::other("disk full"));
        assert_eq!(chain(&err), "saving the row: disk full");
        let response = AppError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let body = String::from_utf8(body.to_vec()).expect("UTF-8");
        assert_eq!(body, SERVER_ERROR_PAGE);
        assert!(!body.contains("disk full"), "{body}");
    }

    #[tokio::test]
    async fn an_api_failure_is_an_opaque_500_in_json() {
        let err = Outer(std::io::Error::other("disk full"));
        let response = ApiError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        assert_eq!(&body[..], br#"{"error":"internal server error"}"#);
    }
}

//! Jinja templates from the `templates/` folder, rendered by minijinja.
//!
//! Debug builds read the folder while the server runs and notice when a file
//! changes, so a template edit shows on the next request without rebuilding.
//! Release builds carry the templates inside the binary (`build.rs` embeds
//! them), so the binary runs without the folder beside it.
//!
//! Templates whose names end in `.html` escape every value they print: a
//! `<script>` in a value arrives as `&lt;script&gt;`. Mark HTML you trust
//! with the `safe` filter.
//!
//! Handlers render through a [`Page`], which adds what every page shows (the path, and
//! who is logged in once accounts are installed), as Django's context processors do.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::merge_maps;
use minijinja::{Environment, ErrorKind, Value, context};

/// What pages may load: only this site's own files, no inline script or style, and no
/// framing by other sites. A page showing what a visitor typed cannot run a script the
/// site did not serve. The templates hold no inline script, style or `on*=` attribute.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

use crate::config::Config;

/// The template engine, shared by every request (cloning it is cheap).
#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
    /// Whether a failing page shows why: in debug builds, unless `APP_ENV=production` (a
    /// debug binary deployed by mistake must not tell visitors about the code).
    show_details: bool,
}

impl Templates {
    /// Reads the templates from `templates/` beside Cargo.toml (debug builds: the path is
    /// compiled in, so `cargo run` works from any directory), or loads the ones `build.rs`
    /// embedded in the binary (release builds).
    pub fn new(config: &Config) -> Result<Self, String> {
        #[cfg(debug_assertions)]
        let env = Self::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))?;
        #[cfg(not(debug_assertions))]
        let env = {
            let mut env = Environment::new();
            minijinja_embed::load_templates!(&mut env);
            env
        };
        Ok(Self {
            env: Arc::new(env),
            show_details: cfg!(debug_assertions) && !config.is_production(),
        })
    }

    /// Whether a failing page shows why (development).
    pub fn shows_details(&self) -> bool {
        self.show_details
    }

    /// Loads templates from `dir` on first use and again whenever the file
    /// changes on disk (minijinja compares its modification time and size).
    #[cfg(debug_assertions)]
    fn read_dir(dir: impl Into<std::path::PathBuf>) -> Result<Environment<'static>, String> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(format!("template folder {} not found", dir.display()));
        }
        let mut env = Environment::new();
        env.set_loader(minijinja::path_loader(dir));
        Ok(env)
    }

    /// Renders the first of `names` the project has, as Django looks up templates:
    /// `["posts/list.html", "crud/list.html"]` lets one resource have a page of its own
    /// while the others share one. None there is the last name's error.
    pub fn render_first(
        &self,
        names: &[&str],
        context: Value,
    ) -> Result<Html<String>, RenderError> {
        let failed = |error| RenderError {
            error,
            show_details: self.show_details,
        };
        let mut missing = None;
        for name in names {
            match self.env.get_template(name) {
                Ok(template) => return template.render(context).map(Html).map_err(failed),
                Err(error) if error.kind() == ErrorKind::TemplateNotFound => missing = Some(error),
                Err(error) => return Err(failed(error)),
            }
        }
        Err(failed(missing.unwrap_or_else(|| {
            minijinja::Error::new(ErrorKind::TemplateNotFound, "no template named")
        })))
    }

    /// Renders `name` to a string, or `None` when the project has no such template (a
    /// mail's HTML part is optional). Names ending `.html` escape what they print, `.txt`
    /// ones print values as they are.
    pub fn render_text(
        &self,
        name: &str,
        context: Value,
    ) -> Result<Option<String>, minijinja::Error> {
        match self.env.get_template(name) {
            Ok(template) => template.render(context).map(Some),
            Err(error) if error.kind() == ErrorKind::TemplateNotFound => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// The page a handler answers with: the templates, and what every page shows, gathered
/// once per request. Take it as a handler argument and render through it, so no handler
/// passes the navigation along. Features add what they show on every page at the
/// `plinth:page-context` comment.
pub struct Page {
    templates: Templates,
    context: Value,
}

impl Page {
    /// Renders the template `name` with `context` and what every page shows, e.g.
    /// `page.render("index.html", context! { title => "Home" })`.
    pub fn render(&self, name: &str, context: Value) -> Result<Html<String>, RenderError> {
        self.render_first(&[name], context)
    }

    /// Renders the first of `names` the project has (see [`Templates::render_first`]).
    pub fn render_first(
        &self,
        names: &[&str],
        context: Value,
    ) -> Result<Html<String>, RenderError> {
        // The handler's values win over the shared ones of the same name.
        let context = merge_maps([self.context.clone(), context]);
        self.templates.render_first(names, context)
    }
}

impl FromRequestParts<crate::AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        // `path`: the page's path, for a navigation that marks where the visitor is.
        let context = context! { path => parts.uri.path() };
        // plinth:page-context
        Ok(Self {
            templates: state.templates.clone(),
            context,
        })
    }
}

/// A template that could not be loaded or rendered. It answers 500 and logs
/// the cause; only debug builds show the cause in the page, because in
/// production it would tell visitors about the code.
#[derive(Debug)]
pub struct RenderError {
    error: minijinja::Error,
    show_details: bool,
}

impl IntoResponse for RenderError {
    fn into_response(self) -> Response {
        // `{:#}` adds the template lines around the failure (debug builds).
        tracing::error!("template error: {:#}", self.error);
        error_page(&self.error, self.show_details)
    }
}

fn error_page(error: &minijinja::Error, show_details: bool) -> Response {
    if show_details {
        // Plain text: the message quotes template source, which must not be
        // interpreted as HTML.
        let details = format!("template error: {error:#}");
        (StatusCode::INTERNAL_SERVER_ERROR, details).into_response()
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, Html(SERVER_ERROR_PAGE)).into_response()
    }
}

/// What visitors see when a page fails in a release build: a fixed page, not a template,
/// so it shows even when the failure is in the templates (`templates/errors/500.html`).
pub const SERVER_ERROR_PAGE: &str = include_str!("../../templates/errors/500.html");

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> Templates {
        Templates::new(&crate::config::tests::config(&[])).expect("templates load")
    }

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body")
    }

    #[test]
    fn the_first_template_there_is_rendered() {
        let Html(page) = templates()
            .render_first(
                &["no-such/index.html", "index.html"],
                context! { version => "1" },
            )
            .expect("renders index.html");
        assert!(page.contains("templates/index.html"), "{page}");
        assert!(
            templates()
                .render_first(&["no-such/index.html"], context! {})
                .is_err()
        );
    }

    #[test]
    fn pages_extend_the_base_layout() {
        let Html(page) = templates()
            .render_first(&["index.html"], context! { version => "1.2.3" })
            .expect("index renders");
        assert!(page.starts_with("<!doctype html>"), "{page}");
        assert!(page.contains(env!("CARGO_PKG_NAME")), "{page}");
        assert!(page.contains("1.2.3"), "{page}");
        assert!(page.trim_end().ends_with("</html>"), "{page}");
    }

    #[test]
    fn html_templates_escape_values() {
        let page = templates()
            .env
            .render_named_str(
                "page.html",
                r#"{% extends "base.html" %}{% block content %}<p>{{ text }}</p>{% endblock %}"#,
                context! { text => "<script>alert(1)</script>" },
            )
            .expect("renders");
        assert!(
            page.contains("<p>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</p>"),
            "{page}"
        );
        assert!(!page.contains("<script>"), "{page}");
    }

    #[test]
    fn a_missing_template_answers_500() {
        let error = templates()
            .render_first(&["no-such-page.html"], context! {})
            .expect_err("missing template");
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[tokio::test]
    async fn only_development_shows_what_failed() {
        let production = crate::config::tests::config(&[("APP_ENV", "production")]);
        let public = Templates::new(&production)
            .expect("templates load")
            .render_first(&["no-such-page.html"], context! {})
            .expect_err("missing template")
            .into_response();
        assert_eq!(public.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_text(public).await;
        assert!(body.contains("Something went wrong"), "{body}");
        assert!(!body.contains("no-such-page"), "{body}");

        // `cargo test` is a debug build: in development it says which template failed.
        let debug = templates()
            .render_first(&["no-such-page.html"], context! {})
            .expect_err("missing template")
            .into_response();
        assert_eq!(debug.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body_text(debug).await.contains("no-such-page.html"));
    }

    #[cfg(debug_assertions)]
    #[test]
    fn debug_builds_notice_edited_templates() {
        let dir = std::env::temp_dir().join(format!(
            "{}-templates-{}",
            env!("CARGO_PKG_NAME"),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let page = dir.join("page.html");
        std::fs::write(&page, "before").expect("write template");
        let templates = Templates {
            env: Arc::new(Templates::read_dir(&dir).expect("templates load")),
            show_details: true,
        };
        let render = || {
            templates
                .render_first(&["page.html"], context! {})
                .expect("renders")
                .0
        };

        assert_eq!(render(), "before");
        // A different length makes the change visible even where file times
        // are coarse.
        std::fs::write(&page, "after the edit").expect("edit template");
        assert_eq!(render(), "after the edit");

        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

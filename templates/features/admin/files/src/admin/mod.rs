//! The admin pages at `/admin`, for staff only (a visitor is sent to the login page, any
//! other user gets 403):
//!
//! - `/admin`: the dashboard, a link to every registered model;
//! - `/admin/{model}`: its rows, with a search box (`?q=`) and pages (`?page=2`);
//! - `/admin/{model}/new` and `/admin/{model}/{id}/edit`: the form, 422 with a message
//!   under each field that needs fixing, 303 to the list once saved;
//! - `/admin/{model}/{id}/delete`: GET asks for confirmation, POST deletes.
//!
//! A model appears here once it implements [`AdminModel`] and is listed in [`MODELS`].
//! [`UserAdmin`] in `users.rs` is the worked example. Every query binds its
//! values; a search term is matched as plain text (`%` and `_` in it match themselves).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::{Value, context};
use time::OffsetDateTime;

use crate::app_error::{self, AppError};
use crate::auth::{self, RequireStaff};
use crate::db;
use crate::web::forms::{self, Choices, Errors, Field, Input, ListQuery, Values};
use crate::web::templates::Page;

mod users;
mod views;
// plinth:admin-modules

#[cfg(test)]
mod tests;

pub use users::*;
pub use views::*;

/// Rows on one page of a list: Django's `list_per_page`.
pub const PER_PAGE: i64 = 100;

/// Every model the admin shows, in the dashboard's order.
pub static MODELS: &[&dyn AdminModel] = &[
    &UserAdmin,
    // plinth:admin-models
];

/// How a model is listed, searched, edited and deleted. `#[async_trait]` boxes the
/// methods' futures, so that [`MODELS`] can hold models of any type.
#[async_trait::async_trait]
pub trait AdminModel: Sync {
    /// Its name in URLs: `/admin/{slug}`.
    fn slug(&self) -> &'static str;
    /// Its name in titles, plural and singular: "Users", "user".
    fn plural(&self) -> &'static str;
    fn singular(&self) -> &'static str;
    /// The headers of the list's columns, in the order of [`ListRow::cells`].
    fn columns(&self) -> &'static [&'static str];
    /// The form's fields; `editing` is false on the "new" page.
    fn fields(&self, editing: bool) -> Vec<Field>;
    /// The rows each select of the form offers; none by default.
    async fn choices(&self, _db: &db::Pool) -> app_error::Result<Choices> {
        Ok(Choices::new())
    }
    /// One page of the rows matching `search` (everything when it is empty), and how many
    /// rows match in all.
    async fn list(
        &self,
        db: &db::Pool,
        search: &str,
        limit: i64,
        offset: i64,
    ) -> app_error::Result<Listing>;
    /// The row `id`, as the edit form shows it.
    async fn find(&self, db: &db::Pool, id: i64) -> app_error::Result<Option<Record>>;
    /// Checks the form and saves it: a new row when `id` is `None`, added by the staff
    /// user `by`. `Ok(Err(..))` sends the form back with the messages.
    async fn save(
        &self,
        db: &db::Pool,
        id: Option<i64>,
        values: &Values,
        by: i64,
    ) -> app_error::Result<Result<i64, Errors>>;
    /// Deletes the row `id`; false when there was none.
    async fn delete(&self, db: &db::Pool, id: i64) -> app_error::Result<bool>;
}

/// One page of a list.
pub struct Listing {
    pub rows: Vec<ListRow>,
    /// Rows matching the search, on every page.
    pub total: i64,
}

/// A row of a list: its id (for the edit and delete links) and the text of each column.
pub struct ListRow {
    pub id: i64,
    pub cells: Vec<String>,
}

/// A row as its edit form shows it.
pub struct Record {
    /// How the row is named on its pages, e.g. a user's email.
    pub title: String,
    pub values: Values,
}

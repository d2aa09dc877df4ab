//! The pages of every resource, generic over its [`Table`]: the list (search, pages), one
//! row, the new and edit forms, and delete (a confirmation, then POST). Anyone may read;
//! only a logged-in user may change (a visitor is sent to the login page), and in an owned
//! table only the row's owner and staff ([`super::may_change`]; others get 403). The CSRF
//! layer has checked every POST before a handler here runs.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use minijinja::Value;

use super::{SaveError, Table};
use crate::AppState;
use crate::app_error::AppError;
use crate::auth::CurrentUser;
use crate::web::forms::{self, Errors, ListQuery, Values};
use crate::web::templates::Page;

/// The routes of `T`'s pages, below `T::NAMES.base`: the list, `/new`, `/{id}`,
/// `/{id}/edit` and `/{id}/delete`.
pub fn routes<T: Table>() -> Router<AppState> {
    let base = T::NAMES.base;
    Router::new()
        .route(base, get(list::<T>))
        .route(&format!("{base}/new"), get(new_page::<T>).post(create::<T>))
        .route(&format!("{base}/{{id}}"), get(detail::<T>))
        .route(
            &format!("{base}/{{id}}/edit"),
            get(edit_page::<T>).post(update::<T>),
        )
        .route(
            &format!("{base}/{{id}}/delete"),
            get(delete_page::<T>).post(delete::<T>),
        )
}

/// The list, `?q=` to search, `?page=` for the next pages, `?mine=true` for the visitor's
/// own rows of an owned table.
async fn list<T: Table>(
    State(state): State<AppState>,
    page: Page,
    user: Option<CurrentUser>,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let offset = query.offset(super::PER_PAGE);
    let owner = user.as_ref().filter(|_| query.mine).map(|user| user.0.id);
    let (rows, total) = T::page(&state.db, query.search(), owner, super::PER_PAGE, offset).await?;
    let rows = rows.iter().map(|row| (row.id(), row.cells())).collect();
    let listed = super::Listed {
        names: &T::NAMES,
        columns: T::LIST_COLUMNS,
        searchable: T::SEARCHABLE,
        mine_link: T::OWNED && user.is_some(),
    };
    let context = super::list_context(&listed, rows, &query, total);
    render::<T>(&page, "list.html", context)
}

/// One row.
async fn detail<T: Table>(
    State(state): State<AppState>,
    page: Page,
    user: Option<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(super::not_found());
    };
    // A visitor sees the links too: they lead to the login page.
    let may_change = user.is_none_or(|CurrentUser(user)| super::may_change(&row, &user));
    let (title, texts) = (row.title(), row.texts());
    let context = super::detail_context(&T::NAMES, row.id(), &title, T::FIELDS, &texts, may_change);
    Ok(render::<T>(&page, "detail.html", context)?.into_response())
}

/// The empty form.
async fn new_page<T: Table>(
    State(state): State<AppState>,
    _user: CurrentUser,
    page: Page,
) -> Result<Html<String>, AppError> {
    form_page::<T>(&state, &page, None, &Values::new(), &Errors::new()).await
}

/// Takes the new row.
async fn create<T: Table>(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    body: Bytes,
) -> Result<Response, AppError> {
    save::<T>(&state, &page, Saving::New { by: user.id }, &body).await
}

/// The form filled with the row.
async fn edit_page<T: Table>(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(super::not_found());
    };
    if !super::may_change(&row, &user) {
        return Ok(super::not_yours(&T::NAMES));
    }
    let title = row.title();
    let editing = Some((row.id(), title.as_str()));
    let form = form_page::<T>(&state, &page, editing, &row.values(), &Errors::new()).await?;
    Ok(form.into_response())
}

/// Takes the changed row.
async fn update<T: Table>(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(super::not_found());
    };
    if !super::may_change(&row, &user) {
        return Ok(super::not_yours(&T::NAMES));
    }
    save::<T>(&state, &page, Saving::Over(row), &body).await
}

/// What a posted form is saved as.
enum Saving<T> {
    /// A new row, added by the user `by`.
    New { by: i64 },
    /// The changed `row`.
    Over(T),
}

/// Saves the posted form as a new row or over a row: 303 to the row's page, or the form
/// again with 422 and what to fix.
async fn save<T: Table>(
    state: &AppState,
    page: &Page,
    saving: Saving<T>,
    body: &[u8],
) -> Result<Response, AppError> {
    let values = forms::posted_values(body);
    let (saved, row) = match saving {
        Saving::Over(row) => (
            T::update_from(&state.db, row.id(), &values).await,
            Some(row),
        ),
        Saving::New { by } => (T::create_from(&state.db, &values, by).await.map(Some), None),
    };
    match saved {
        Ok(Some(saved)) => {
            Ok(Redirect::to(&format!("{}/{}", T::NAMES.base, saved.id())).into_response())
        }
        Ok(None) => Ok(super::not_found()),
        Err(SaveError::Invalid(errors)) => {
            let title = row.as_ref().map(Table::title);
            let editing = row.as_ref().map(Table::id).zip(title.as_deref());
            let form = form_page::<T>(state, page, editing, &values, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, form).into_response())
        }
        Err(SaveError::Database(err)) => Err(err.into()),
    }
}

/// Asks whether to delete the row; nothing is deleted.
async fn delete_page<T: Table>(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    page: Page,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(super::not_found());
    };
    if !super::may_change(&row, &user) {
        return Ok(super::not_yours(&T::NAMES));
    }
    let context = super::delete_context(&T::NAMES, row.id(), &row.title());
    Ok(render::<T>(&page, "delete.html", context)?.into_response())
}

/// Deletes the row, then 303 to the list.
async fn delete<T: Table>(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(super::not_found());
    };
    if !super::may_change(&row, &user) {
        return Ok(super::not_yours(&T::NAMES));
    }
    if !T::delete(&state.db, row.id()).await? {
        return Ok(super::not_found());
    }
    Ok(Redirect::to(T::NAMES.base).into_response())
}

/// The form, new when `editing` is `None`, filled with `values` and showing `errors`.
async fn form_page<T: Table>(
    state: &AppState,
    page: &Page,
    editing: Option<(i64, &str)>,
    values: &Values,
    errors: &Errors,
) -> Result<Html<String>, AppError> {
    let choices = T::choices(&state.db).await?;
    let context = super::form_context(&T::NAMES, editing, T::FIELDS, values, errors, &choices);
    render::<T>(page, "form.html", context)
}

/// Renders one of `T`'s pages: `templates/<module>/<page>` when the project has one (copy
/// `templates/crud/<page>` there to give one resource a look of its own), else the one
/// every resource shares, `templates/crud/<page>`.
fn render<T: Table>(page: &Page, template: &str, context: Value) -> Result<Html<String>, AppError> {
    let own = format!("{}/{template}", T::NAMES.module);
    let shared = format!("crud/{template}");
    Ok(page.render_first(&[&own, &shared], context)?)
}

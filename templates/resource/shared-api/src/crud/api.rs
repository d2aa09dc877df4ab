//! The JSON API of every resource made with `--api`, generic over its [`Table`] and
//! [`JsonTable`], at `/api<base>`:
//!
//! - `GET /api/posts` (`?q=`, `?page=`, and `?mine=true` for the caller's own rows of an
//!   owned table): `{"items": [...], "total", "page", "pages"}`;
//! - `GET /api/posts/{id}`: the row, or 404;
//! - `POST /api/posts`: 201 with the new row and its `Location`;
//! - `PUT /api/posts/{id}`: every field, 200 with the row;
//! - `DELETE /api/posts/{id}`: 204.
//!
//! Invalid data gets 422 and `{"errors": {"field": ["message"]}}`, checked by the rules of
//! the form. Anyone may read; changing needs a logged-in user (401 otherwise), in an owned
//! table the row's owner or staff (403 otherwise), and, like every POST, PUT and DELETE of
//! the site, the CSRF token in the `X-CSRF-Token` header.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{SaveError, Table};
use crate::AppState;
use crate::app_error::ApiError;
use crate::auth::CurrentUser;
use crate::web::forms::{self, Errors, ListQuery, Values};

/// A table the API serves: how its rows read in JSON.
pub trait JsonTable: Table {
    /// The row in JSON, as the API answers.
    fn to_json(&self) -> serde_json::Value;
}

/// The routes of `T`'s API, below `/api` and `T::NAMES.base`.
pub fn routes<T: JsonTable>() -> Router<AppState> {
    let base = format!("/api{}", T::NAMES.base);
    Router::new()
        .route(&base, get(list::<T>).post(create::<T>))
        .route(
            &format!("{base}/{{id}}"),
            get(one::<T>).put(update::<T>).delete(delete::<T>),
        )
}

async fn list<T: JsonTable>(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let offset = query.offset(super::PER_PAGE);
    let owner = user.filter(|_| query.mine).map(|CurrentUser(user)| user.id);
    let (rows, total) = T::page(&state.db, query.search(), owner, super::PER_PAGE, offset).await?;
    let items: Vec<serde_json::Value> = rows.iter().map(T::to_json).collect();
    let body = serde_json::json!({
        "items": items,
        "total": total,
        "page": query.page(),
        "pages": forms::pages(total, super::PER_PAGE),
    });
    Ok(json(StatusCode::OK, &body))
}

async fn one<T: JsonTable>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(match super::find::<T>(&state.db, &id).await? {
        Some(row) => json(StatusCode::OK, &row.to_json()),
        None => not_found::<T>(),
    })
}

async fn create<T: JsonTable>(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(CurrentUser(user)) = user else {
        return Ok(unauthorized());
    };
    let values = match json_values(&headers, &body) {
        Ok(values) => values,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    match T::create_from(&state.db, &values, user.id).await {
        Ok(row) => {
            let location = format!("/api{}/{}", T::NAMES.base, row.id());
            let created = json(StatusCode::CREATED, &row.to_json());
            Ok(([(header::LOCATION, location)], created).into_response())
        }
        Err(SaveError::Invalid(errors)) => Ok(json_invalid(&errors)),
        Err(SaveError::Database(err)) => Err(err.into()),
    }
}

async fn update<T: JsonTable>(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(CurrentUser(user)) = user else {
        return Ok(unauthorized());
    };
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(not_found::<T>());
    };
    if !super::may_change(&row, &user) {
        return Ok(not_yours::<T>());
    }
    let values = match json_values(&headers, &body) {
        Ok(values) => values,
        Err(refusal) => return Ok(refusal.into_response()),
    };
    match T::update_from(&state.db, row.id(), &values).await {
        Ok(Some(row)) => Ok(json(StatusCode::OK, &row.to_json())),
        Ok(None) => Ok(not_found::<T>()),
        Err(SaveError::Invalid(errors)) => Ok(json_invalid(&errors)),
        Err(SaveError::Database(err)) => Err(err.into()),
    }
}

async fn delete<T: JsonTable>(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(CurrentUser(user)) = user else {
        return Ok(unauthorized());
    };
    let Some(row) = super::find::<T>(&state.db, &id).await? else {
        return Ok(not_found::<T>());
    };
    if !super::may_change(&row, &user) {
        return Ok(not_yours::<T>());
    }
    Ok(if T::delete(&state.db, row.id()).await? {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found::<T>()
    })
}

fn not_found<T: Table>() -> Response {
    let message = format!("no {} has this id", T::NAMES.singular);
    json_error(StatusCode::NOT_FOUND, &message)
}

fn not_yours<T: Table>() -> Response {
    let message = format!(
        "only its owner may change or delete this {}",
        T::NAMES.singular
    );
    json_error(StatusCode::FORBIDDEN, &message)
}

fn unauthorized() -> Response {
    json_error(StatusCode::UNAUTHORIZED, "log in first")
}

/// A JSON object's members as form [`Values`], so the API checks them with the very rules
/// of the pages: strings as they are, numbers and booleans as text, `null` as missing.
/// `None` when the body is not an object.
pub fn values_from_json(json: &serde_json::Value) -> Option<Values> {
    let object = json.as_object()?;
    Some(
        object
            .iter()
            .filter_map(|(name, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Number(number) => number.to_string(),
                    serde_json::Value::Bool(flag) => flag.to_string(),
                    _ => return None,
                };
                Some((name.clone(), text))
            })
            .collect(),
    )
}

/// Why a body was refused by [`json_values`]: 415 or 400, with a message.
#[derive(Debug)]
pub struct JsonRefusal {
    status: StatusCode,
    message: String,
}

impl IntoResponse for JsonRefusal {
    fn into_response(self) -> Response {
        json_error(self.status, &self.message)
    }
}

/// The members of a JSON object body as [`Values`]; refused when the body is not JSON or
/// not an object.
pub fn json_values(headers: &HeaderMap, body: &[u8]) -> Result<Values, JsonRefusal> {
    let refusal = |status, message: &str| JsonRefusal {
        status,
        message: message.to_owned(),
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return Err(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send JSON, with Content-Type: application/json",
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|err| refusal(StatusCode::BAD_REQUEST, &format!("invalid JSON: {err}")))?;
    values_from_json(&json).ok_or_else(|| refusal(StatusCode::BAD_REQUEST, "send a JSON object"))
}

/// A JSON answer.
pub fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A JSON error answer: `{"error": message}`.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    json(status, &serde_json::json!({ "error": message }))
}

/// The answer to invalid data: 422 with `{"errors": {field: [messages]}}`.
pub fn json_invalid(errors: &Errors) -> Response {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &serde_json::json!({ "errors": errors }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_members_become_form_values() {
        let json = serde_json::json!({ "a": "x", "b": 2, "c": true, "d": null, "e": [1] });
        let values = values_from_json(&json).expect("an object");
        assert_eq!(values.len(), 3);
        assert_eq!(values["b"], "2");
        assert_eq!(values["c"], "true");
        assert_eq!(values_from_json(&serde_json::json!([1])), None);
    }
}

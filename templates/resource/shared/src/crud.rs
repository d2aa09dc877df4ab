//! What every resource made by `plinth add resource` shares (each lives in its own folder
//! under `src/`): reading a posted form into typed values with a message for each field
//! to fix, the pages' contexts (list with search and pages, detail, form), the JSON API's
//! helpers, and the database errors a visitor can fix. The pages' templates are in
//! `templates/crud/`; to give one resource pages of its own, copy one to
//! `templates/<resource>/` (`templates/posts/list.html`), which is used first.

use std::collections::BTreeMap;
use std::str::FromStr;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use crate::forms::{Errors, Input, ListQuery, Values, list_url, pages};

/// The rows a `<select>` offers, by field name: each row's id and label.
pub type Choices = BTreeMap<&'static str, Vec<(i64, String)>>;

/// Rows on one page of a list.
pub const PER_PAGE: i64 = 20;

/// The message under a required field left empty.
pub const REQUIRED: &str = "This field is required.";

/// How a resource is named on its pages.
pub struct Names {
    /// The path of its list: `/posts`.
    pub base: &'static str,
    /// "Posts".
    pub plural: &'static str,
    /// "post".
    pub singular: &'static str,
}

/// One field of a resource's form.
pub struct FieldSpec {
    /// The form field's name, the key of its value in [`Values`], and its column.
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    /// Whether the form refuses it empty.
    pub required: bool,
}

// ---------------------------------------------------------------------------------------
// Reading forms

/// Reads the fields of a posted form one by one, keeping a message for each one to fix.
pub struct FormReader<'a> {
    values: &'a Values,
    errors: Errors,
}

impl<'a> FormReader<'a> {
    pub fn new(values: &'a Values) -> Self {
        Self {
            values,
            errors: Errors::new(),
        }
    }

    /// The field's value without surrounding spaces; `None` when it is empty or missing.
    fn typed(&self, name: &str) -> Option<&'a str> {
        self.values
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    fn error(&mut self, name: &str, message: impl Into<String>) {
        self.errors
            .entry(name.to_owned())
            .or_default()
            .push(message.into());
    }

    /// A text field of at most `max_chars` characters; `None` when empty (an error when
    /// `required`) or too long.
    pub fn text(&mut self, name: &str, max_chars: usize, required: bool) -> Option<String> {
        let Some(text) = self.typed(name) else {
            if required {
                self.error(name, REQUIRED);
            }
            return None;
        };
        if text.chars().count() > max_chars {
            self.error(name, format!("Use at most {max_chars} characters."));
            return None;
        }
        Some(text.to_owned())
    }

    /// A field read by `parse`, which returns `None` for text it cannot read: `message`
    /// then tells the visitor what to type.
    pub fn parse<T>(
        &mut self,
        name: &str,
        required: bool,
        message: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let Some(text) = self.typed(name) else {
            if required {
                self.error(name, REQUIRED);
            }
            return None;
        };
        let parsed = parse(text);
        if parsed.is_none() {
            self.error(name, message);
        }
        parsed
    }

    /// A checkbox: ticked when the form sent `on` (a browser) or `true` (the JSON API).
    pub fn checkbox(&self, name: &str) -> bool {
        self.values
            .get(name)
            .is_some_and(|value| value == "on" || value == "true")
    }

    /// The messages collected; empty when every field was read.
    pub fn into_errors(self) -> Errors {
        self.errors
    }
}

/// Any type that reads itself from text (`i32`, `i64`, `uuid::Uuid`...).
pub fn parse_from_str<T: FromStr>(text: &str) -> Option<T> {
    text.parse().ok()
}

/// A finite number: `NaN` and infinities cannot be stored in every database.
pub fn parse_float(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|number| number.is_finite())
}

/// An amount with at most two decimals (`12`, `12.5`, `-0.75`), as whole cents.
pub fn parse_money(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
        return None;
    }
    let cents = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(format!("{fraction:0<2}").parse::<i64>().ok()?)?;
    Some(if negative { -cents } else { cents })
}

/// Whole cents as an amount: `1250` is `12.50`.
pub fn money_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}

/// How a yes/no value reads on a page.
pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A row id from a path; `None` (so 404) when it is not a number.
pub fn parse_id(id: &str) -> Option<i64> {
    id.parse().ok()
}

/// The answer for a row or a page that does not exist.
pub fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found\n").into_response()
}

// ---------------------------------------------------------------------------------------
// Saving

/// Why a row was not saved.
#[derive(Debug)]
pub enum SaveError {
    /// The database refused a value the visitor can change (a duplicate, a missing row).
    Invalid(Errors),
    /// Any other failure: not the visitor's to fix.
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SaveError {
    fn from(err: sqlx::Error) -> Self {
        Self::Database(err)
    }
}

/// Turns the database errors a visitor can fix into messages: `unique` is the field (or
/// `form`) and message for a value another row has, `reference` for the id of a row
/// that does not exist.
pub fn refused(
    err: sqlx::Error,
    unique: Option<(&str, &str)>,
    reference: Option<(&str, &str)>,
) -> SaveError {
    let fixable = match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => unique,
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => reference,
        _ => None,
    };
    match fixable {
        Some((field, message)) => {
            SaveError::Invalid(Errors::from([(field.to_owned(), vec![message.to_owned()])]))
        }
        None => SaveError::Database(err),
    }
}

// ---------------------------------------------------------------------------------------
// Lists

/// The context of `templates/crud/list.html`: `rows` holds each row's id and the text
/// of each of `columns`; `searchable` shows the search box.
pub fn list_context(
    names: &Names,
    columns: &[&str],
    rows: Vec<(i64, Vec<String>)>,
    query: &ListQuery,
    total: i64,
    searchable: bool,
) -> Value {
    let (search, page, pages) = (query.search(), query.page(), pages(total, PER_PAGE));
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(id, cells)| context! { url => format!("{}/{id}", names.base), cells => cells })
        .collect();
    context! {
        names => names_context(names),
        columns => columns.iter().map(|column| (*column).to_owned()).collect::<Vec<String>>(),
        rows => rows,
        total => total,
        search => search,
        searchable => searchable,
        page => page,
        pages => pages,
        previous_url => (page > 1).then(|| list_url(names.base, search, page - 1)),
        next_url => (page < pages).then(|| list_url(names.base, search, page + 1)),
    }
}

/// The context of `templates/crud/detail.html`: each field's label and text.
pub fn detail_context(
    names: &Names,
    id: i64,
    title: &str,
    fields: &[FieldSpec],
    texts: &Values,
) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|field| {
            context! {
                label => field.label,
                text => texts.get(field.name).cloned().unwrap_or_default(),
            }
        })
        .collect();
    context! {
        names => names_context(names),
        title => title,
        fields => fields,
        url => format!("{}/{id}", names.base),
    }
}

/// The context of `templates/crud/form.html`: what to fill in (`values`), the messages
/// (`errors`) and the rows each select offers (`choices`). `editing` holds the row's id
/// and title on the edit page.
pub fn form_context(
    names: &Names,
    editing: Option<(i64, &str)>,
    fields: &[FieldSpec],
    values: &Values,
    errors: &Errors,
    choices: &Choices,
) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|field| {
            let options: Vec<Value> = choices
                .get(field.name)
                .into_iter()
                .flatten()
                .map(|(id, label)| context! { value => id.to_string(), label => label })
                .collect();
            context! {
                name => field.name,
                label => field.label,
                type => field.input.as_str(),
                required => field.required,
                value => values.get(field.name).cloned().unwrap_or_default(),
                errors => errors.get(field.name).cloned().unwrap_or_default(),
                options => options,
            }
        })
        .collect();
    let action = match editing {
        Some((id, _)) => format!("{}/{id}/edit", names.base),
        None => format!("{}/new", names.base),
    };
    context! {
        names => names_context(names),
        editing => editing.is_some(),
        id => editing.map(|(id, _)| id),
        title => editing.map(|(_, title)| title),
        action => action,
        fields => fields,
        form_errors => errors.get("form").cloned().unwrap_or_default(),
    }
}

/// The context of `templates/crud/delete.html`.
pub fn delete_context(names: &Names, id: i64, title: &str) -> Value {
    context! {
        names => names_context(names),
        title => title,
        url => format!("{}/{id}", names.base),
    }
}

fn names_context(names: &Names) -> Value {
    context! {
        base => names.base,
        plural => names.plural,
        singular => names.singular,
    }
}

// ---------------------------------------------------------------------------------------
// JSON

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

/// What the resources' tests share: a browser that keeps its cookies and finds the CSRF
/// token in the pages, and logged-in users.
#[cfg(test)]
pub mod testing {
    use std::collections::BTreeMap;

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    use tower::ServiceExt;

    use crate::{AppState, auth, db};

    /// A password that follows the rules.
    const PASSWORD: &str = "correct horse battery staple";

    /// A number no other test, nor an earlier run on the same database, is likely to use.
    pub fn unique() -> u32 {
        rand::random()
    }

    /// Adds a user who cannot log in (nothing is hashed), and returns its id.
    pub async fn insert_user(db: &db::Pool) -> i64 {
        let email = format!("user-{:x}@example.com", unique());
        auth::create_user(db, &email, "not a hash", false)
            .await
            .expect("inserted")
            .expect("new email")
            .id
    }

    /// Sends requests to the app, as a browser would, and keeps the cookies it is given.
    pub struct Browser {
        app: Router,
        cookies: BTreeMap<String, String>,
    }

    /// An answer, with its body as text.
    pub struct Page {
        pub status: StatusCode,
        pub location: String,
        pub body: String,
    }

    impl Page {
        /// The value of the page's `csrf_token` input.
        pub fn csrf_token(&self) -> String {
            let input = r#"name="csrf_token" value=""#;
            let start = self.body.find(input).expect("a csrf_token input") + input.len();
            self.body[start..]
                .split('"')
                .next()
                .expect("value")
                .to_owned()
        }

        /// The body as JSON.
        pub fn json(&self) -> serde_json::Value {
            serde_json::from_str(&self.body).expect("a JSON body")
        }
    }

    impl Browser {
        pub fn new(state: &AppState) -> Self {
            Self {
                app: crate::app(state.clone()),
                cookies: BTreeMap::new(),
            }
        }

        async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
            let cookies: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            let request = request
                .header(header::COOKIE, cookies.join("; "))
                .body(body)
                .expect("request");
            let response = self.app.clone().oneshot(request).await.expect("routed");
            for set_cookie in response.headers().get_all(header::SET_COOKIE) {
                let set_cookie = set_cookie.to_str().expect("ASCII cookie");
                let pair = set_cookie.split(';').next().expect("name=value");
                let (name, value) = pair.split_once('=').expect("name=value");
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
            let body = String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body");
            Page {
                status,
                location,
                body,
            }
        }

        pub async fn get(&mut self, uri: &str) -> Page {
            self.send(Request::get(uri), Body::empty()).await
        }

        /// Posts a form as it is, with no token unless `fields` has one.
        pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
            let body = serde_urlencoded::to_string(fields).expect("encodes");
            let request = Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            self.send(request, Body::from(body)).await
        }

        /// Posts `fields` to `uri` with the CSRF token of the page at `form`.
        pub async fn submit(&mut self, form: &str, uri: &str, fields: &[(&str, &str)]) -> Page {
            let token = self.get(form).await.csrf_token();
            let mut fields = fields.to_vec();
            fields.push(("csrf_token", &token));
            self.post(uri, &fields).await
        }

        /// Sends JSON (or nothing) with the `X-CSRF-Token` header when `token` is given.
        pub async fn json(
            &mut self,
            method: Method,
            uri: &str,
            json: Option<&serde_json::Value>,
            token: Option<&str>,
        ) -> Page {
            let mut request = Request::builder().method(method).uri(uri);
            if let Some(token) = token {
                request = request.header(crate::csrf::HEADER, token);
            }
            let body = match json {
                Some(json) => {
                    request = request.header(header::CONTENT_TYPE, "application/json");
                    Body::from(json.to_string())
                }
                None => Body::empty(),
            };
            self.send(request, body).await
        }

        /// Adds a user and logs in as them.
        pub async fn log_in(&mut self, state: &AppState, is_staff: bool) {
            let email = format!("tester-{:x}@example.com", unique());
            let hash = auth::hash_password(PASSWORD).expect("hashes");
            auth::create_user(&state.db, &email, &hash, is_staff)
                .await
                .expect("inserted")
                .expect("new email");
            let page = self
                .submit(
                    "/login",
                    "/login",
                    &[("email", &email), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_read_and_written_in_whole_cents() {
        assert_eq!(parse_money("12"), Some(1200));
        assert_eq!(parse_money("12.5"), Some(1250));
        assert_eq!(parse_money("-0.75"), Some(-75));
        for bad in [
            "",
            "1.234",
            "1,50",
            "abc",
            "1.-5",
            "-",
            ".5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_money(bad), None, "{bad}");
        }
        assert_eq!(money_text(1250), "12.50");
        assert_eq!(money_text(-75), "-0.75");
        assert_eq!(money_text(7), "0.07");
    }

    #[test]
    fn the_reader_keeps_a_message_per_field() {
        let values = Values::from([
            ("name".to_owned(), "  Ada  ".to_owned()),
            ("age".to_owned(), "x".to_owned()),
            ("long".to_owned(), "abcdef".to_owned()),
            ("ok".to_owned(), "on".to_owned()),
        ]);
        let mut form = FormReader::new(&values);
        assert_eq!(form.text("name", 10, true), Some("Ada".to_owned()));
        assert_eq!(form.text("missing", 10, true), None);
        assert_eq!(form.text("optional", 10, false), None);
        assert_eq!(form.text("long", 3, true), None);
        assert_eq!(
            form.parse("age", true, "Enter a whole number.", parse_from_str::<i32>),
            None
        );
        assert!(form.checkbox("ok"));
        assert!(!form.checkbox("other"));
        let errors = form.into_errors();
        assert_eq!(errors["missing"], [REQUIRED]);
        assert_eq!(errors["long"], ["Use at most 3 characters."]);
        assert_eq!(errors["age"], ["Enter a whole number."]);
        assert!(!errors.contains_key("optional"));
        assert!(!errors.contains_key("name"));
    }

    #[test]
    fn floats_must_be_finite() {
        assert_eq!(parse_float("2.5"), Some(2.5));
        assert_eq!(parse_float("NaN"), None);
        assert_eq!(parse_float("inf"), None);
    }

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

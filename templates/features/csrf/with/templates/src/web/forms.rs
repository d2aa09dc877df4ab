//! Forms, the one layer every page that takes input uses: what was typed is [`Values`],
//! what to fix is [`Errors`] (messages by field), and a form with errors is drawn again
//! with status 422, what the visitor typed and a message under each field, as Django's
//! forms do. Two ways in, one way out:
//!
//! - [`ValidForm<T>`] reads a posted form into a struct `T` and checks it with
//!   [garde](https://docs.rs/garde) (login, registration, forms of your own);
//! - [`FormReader`] reads a list of [`Field`]s one by one (each resource's form, the JSON
//!   API through the same rules, the admin's forms), and [`fields_context`] draws them.
//!
//! Lists share [`ListQuery`], [`contains_pattern`] and [`list_url`].
//!
//! Every page with a form needs the CSRF token (src/web/csrf.rs): [`csrf_context`] puts it in a
//! template's context as `csrf_token` and `csrf_input` (the hidden input to print inside
//! the `<form>`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use garde::Validate;
use minijinja::value::merge_maps;
use minijinja::{Value, context};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::web::csrf::{self, CsrfToken};
use crate::web::templates::{Page, RenderError};

/// A form and the page that shows it.
pub trait FormPage: DeserializeOwned + Validate<Context = ()> {
    /// The template drawing the form: it gets `form` (the values typed, by field name),
    /// `errors` (a list of messages by field name; `form` for the whole form),
    /// `csrf_input` and `csrf_token`, `fields` (see [`FormPage::FIELDS`]), and what
    /// [`FormPage::context`] adds.
    const TEMPLATE: &'static str;

    /// The fields a template drawing a list of them shows (`templates/form.html`), as
    /// [`fields_context`] draws them; none for a page with a template of its own.
    const FIELDS: &'static [Field] = &[];

    /// Anything else the page needs, such as its title.
    fn context() -> Value {
        context! {}
    }
}

/// What `T`'s page shows besides the form's values: its fields, drawn with `typed` and
/// `errors`, and its own context.
fn page_context<T: FormPage>(typed: &Values, errors: &Errors) -> Value {
    let fields = fields_context(T::FIELDS, typed, errors, &Choices::new());
    context! { fields => fields, ..T::context() }
}

/// A posted form that passed its rules. Use it as a handler argument in place of
/// `axum::Form<T>`; the CSRF middleware has checked the token before.
pub struct ValidForm<T>(pub T);

impl<T: FormPage> FromRequest<crate::AppState> for ValidForm<T> {
    type Rejection = Response;

    async fn from_request(
        request: Request,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response());
        }
        let (mut parts, body) = request.into_parts();
        let page = Page::from_request_parts(&mut parts, state).await?;
        let token = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;

        let typed = posted_values(&bytes);
        let errors = match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(_) if typed.values().any(|value| value.contains('\0')) => typed
                .iter()
                .filter(|(_, value)| value.contains('\0'))
                .map(|(name, _)| (name.clone(), vec![NO_NUL.to_owned()]))
                .collect(),
            Ok(form) => match form.validate() {
                Ok(()) => return Ok(Self(form)),
                Err(report) => field_errors(&report),
            },
            // A field missing or of the wrong kind: not something a visitor types in a
            // form this app drew, so one message for the whole form.
            Err(err) => {
                tracing::debug!(%err, "a form could not be read");
                Errors::from([(
                    "form".to_owned(),
                    vec!["Some fields are missing or invalid.".to_owned()],
                )])
            }
        };
        let context = page_context::<T>(&typed, &errors);
        Err(
            match render(&page, T::TEMPLATE, &token, &typed, &errors, context) {
                Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
                Err(err) => err.into_response(),
            },
        )
    }
}

/// Renders `T`'s page with an empty form, for the GET handler that shows it.
pub fn show<T: FormPage>(page: &Page, token: &CsrfToken) -> Result<Html<String>, RenderError> {
    let (typed, errors) = (Values::new(), Errors::new());
    let context = page_context::<T>(&typed, &errors);
    render(page, T::TEMPLATE, token, &typed, &errors, context)
}

/// Renders a form's page, the one way every form here is drawn: `form` (what was typed,
/// by field name; the templates never fill a password in), `errors` (messages by field
/// name, `form` for the whole form), the CSRF token, and `context`.
pub fn render(
    page: &Page,
    template: &str,
    token: &CsrfToken,
    typed: &Values,
    errors: &Errors,
    context: Value,
) -> Result<Html<String>, RenderError> {
    let form = context! {
        form => Value::from(typed.clone()),
        errors => Value::from(errors.clone()),
    };
    // Later maps win: `form` and `errors` are always these.
    page.render(template, merge_maps([context, csrf_context(token), form]))
}

/// `csrf_token` and `csrf_input` for a template's context, e.g.
/// `context! { title => "Edit", ..forms::csrf_context(&token) }`.
pub fn csrf_context(token: &CsrfToken) -> Value {
    context! {
        csrf_token => token.value(),
        csrf_input => Value::from_safe_string(token.hidden_input()),
    }
}

/// A form's values by field name, as posted (a ticked checkbox is `"on"`).
pub type Values = BTreeMap<String, String>;

/// Messages by field name, for the fields a form must fix (`form` for the whole form).
pub type Errors = BTreeMap<String, Vec<String>>;

/// The rows each `<select>` of a form offers, by field name: each row's id and label. A
/// select whose field is missing here (its table holds more than [`CHOICES_LIMIT`] rows)
/// is drawn as a box where the row's name (or id) is typed.
pub type Choices = BTreeMap<&'static str, Vec<(i64, String)>>;

/// The most rows a select offers: past it, choosing in a list is no help.
pub const CHOICES_LIMIT: usize = 500;

/// The hint of a reference typed in a box.
const TYPE_A_NAME: &str =
    "Type its name as the list shows it, or its id: there are too many to list here.";

/// The message under a required field left empty.
pub const REQUIRED: &str = "This field is required.";

/// The message under a field holding a NUL character, which PostgreSQL refuses in text:
/// every form refuses it, whatever the database, so both behave alike.
pub const NO_NUL: &str = "Remove the NUL character (\\0) from this field.";

/// One field of a form drawn from a list of fields, as the resources' and the admin's
/// forms are: what the templates' `fields` loop draws (see [`fields_context`]).
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The form field's name, and the key of its value in [`Values`].
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    /// Whether the form refuses it empty.
    pub required: bool,
    /// A hint printed under the field; may be empty.
    pub help: &'static str,
}

/// The `fields` of a form's template: each field with what to fill in (a password never,
/// not even the one just typed), its messages and, for a select, the rows it offers.
pub fn fields_context(
    fields: &[Field],
    values: &Values,
    errors: &Errors,
    choices: &Choices,
) -> Vec<Value> {
    fields
        .iter()
        .map(|field| {
            let value = match field.input {
                Input::Password => String::new(),
                _ => values.get(field.name).cloned().unwrap_or_default(),
            };
            let options: Vec<Value> = choices
                .get(field.name)
                .into_iter()
                .flatten()
                .map(|(id, label)| context! { value => id.to_string(), label => label })
                .collect();
            let typed = field.input == Input::Select && !choices.contains_key(field.name);
            context! {
                name => field.name,
                label => field.label,
                type => if typed { "text" } else { field.input.as_str() },
                required => field.required,
                help => if typed { TYPE_A_NAME } else { field.help },
                value => value,
                errors => errors.get(field.name).cloned().unwrap_or_default(),
                options => options,
            }
        })
        .collect()
}

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

    /// The field's value without surrounding spaces; `None` when it is empty or missing
    /// (a message when `required`) or holds a NUL character (a message).
    fn typed(&mut self, name: &str, required: bool) -> Option<&'a str> {
        let values = self.values;
        let typed = values
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty());
        match typed {
            None if required => self.error(name, REQUIRED),
            Some(text) if text.contains('\0') => self.error(name, NO_NUL),
            _ => return typed,
        }
        None
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
        let text = self.typed(name, required)?;
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
        let text = self.typed(name, required)?;
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

    /// The form `build` makes of the fields read, once none has a message: `build` returns
    /// `None` when a required field is missing, which has its message already.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Errors> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        build().ok_or(self.errors)
    }

    /// The messages collected; empty when every field was read.
    pub fn into_errors(self) -> Errors {
        self.errors
    }
}

/// What the visitor typed in a URL-encoded body, by field name (the last value of a
/// repeated field). The CSRF token is left out: the CSRF layer has checked it, and a page
/// prints the current one.
pub fn posted_values(bytes: &[u8]) -> Values {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _)| name != csrf::FIELD)
        .collect()
}

/// garde's messages by field name (`form` for rules on the whole form).
fn field_errors(report: &garde::Report) -> Errors {
    let mut errors = Errors::new();
    for (path, error) in report.iter() {
        let field = path.to_string();
        let field = if field.is_empty() {
            "form".to_owned()
        } else {
            field
        };
        errors
            .entry(field)
            .or_default()
            .push(error.message().to_owned());
    }
    errors
}

/// How a field is typed in: the `<input>` (or `<textarea>`, `<select>`) a form page draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Text,
    Email,
    /// Never filled in from the row nor sent back after an error.
    Password,
    TextArea,
    Integer,
    /// A number with decimals, or an amount.
    Decimal,
    Checkbox,
    Date,
    /// A moment, typed as `2026-01-31T14:30`.
    DateTime,
    /// One row of another table.
    Select,
}

impl Input {
    /// What the form templates switch on.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::Password => "password",
            Self::TextArea => "textarea",
            Self::Integer => "number",
            Self::Decimal => "decimal",
            Self::Checkbox => "checkbox",
            Self::Date => "date",
            Self::DateTime => "datetime-local",
            Self::Select => "select",
        }
    }
}

/// A checkbox's value in [`Values`].
pub fn checkbox_value(ticked: bool) -> String {
    if ticked { "on" } else { "" }.to_owned()
}

/// Whether the form ticked the checkbox `name`.
pub fn is_ticked(values: &Values, name: &str) -> bool {
    values.get(name).is_some_and(|value| value == "on")
}

/// `?q=...&page=...` of a list. Read leniently: a page that is not a number is the first.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "without_nul")]
    q: String,
    #[serde(default)]
    page: String,
    /// `?mine=true`: only the visitor's own rows, in a list that has owners.
    #[serde(default)]
    pub mine: bool,
}

/// A search PostgreSQL can compare: one holding a NUL character is refused with 400.
fn without_nul<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.contains('\0') {
        return Err(serde::de::Error::custom(
            "a search cannot hold a NUL character",
        ));
    }
    Ok(text)
}

impl ListQuery {
    /// The search, without surrounding spaces.
    pub fn search(&self) -> &str {
        self.q.trim()
    }

    /// The page asked for, from 1.
    pub fn page(&self) -> i64 {
        self.page.parse::<i64>().unwrap_or(1).clamp(1, 1_000_000)
    }

    /// The rows to skip for [`Self::page`], with `per_page` rows a page.
    pub fn offset(&self, per_page: i64) -> i64 {
        (self.page() - 1) * per_page
    }
}

/// How many pages of `per_page` rows `total` rows fill (at least one, empty).
pub fn pages(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}

/// `search` as a LIKE pattern matching it anywhere, with `ESCAPE '!'`: `%`, `_` and `!`
/// in the search are matched as themselves.
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// `base?q=...&page=...`, without the parts that are empty or 1.
pub fn list_url(base: &str, search: &str, page: i64) -> String {
    let mut query = Vec::new();
    if !search.is_empty() {
        query.push(("q", search.to_owned()));
    }
    if page > 1 {
        query.push(("page", page.to_string()));
    }
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use crate::web::csrf::tests::{protected, test_csrf};

    #[test]
    fn the_reader_keeps_a_message_per_field() {
        let values = Values::from([
            ("name".to_owned(), "  Ada  ".to_owned()),
            ("age".to_owned(), "x".to_owned()),
            ("long".to_owned(), "abcdef".to_owned()),
            ("ok".to_owned(), "on".to_owned()),
            ("nul".to_owned(), "a\0b".to_owned()),
            ("nul_number".to_owned(), "1\0".to_owned()),
        ]);
        let mut form = FormReader::new(&values);
        assert_eq!(form.text("nul", 10, false), None);
        assert_eq!(
            form.parse("nul_number", false, "?", |text| text.parse::<i32>().ok()),
            None
        );
        assert_eq!(form.text("name", 10, true), Some("Ada".to_owned()));
        assert_eq!(form.text("missing", 10, true), None);
        assert_eq!(form.text("optional", 10, false), None);
        assert_eq!(form.text("long", 3, true), None);
        assert_eq!(
            form.parse("age", true, "Enter a whole number.", |text| text
                .parse::<i32>()
                .ok()),
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
        assert_eq!(errors["nul"], [NO_NUL]);
        assert_eq!(errors["nul_number"], [NO_NUL]);
    }

    #[test]
    fn a_select_too_long_to_list_becomes_a_box_to_type_in() {
        let author = Field {
            name: "author_id",
            label: "Author",
            input: Input::Select,
            required: true,
            help: "",
        };
        let (values, errors) = (Values::new(), Errors::new());
        let listed = Choices::from([("author_id", vec![(7, "ada@example.com".to_owned())])]);
        let select = &fields_context(&[author], &values, &errors, &listed)[0];
        assert_eq!(select.get_attr("type").ok(), Some(Value::from("select")));
        let options = select
            .get_attr("options")
            .ok()
            .and_then(|options| options.len());
        assert_eq!(options, Some(1));
        let typed = &fields_context(&[author], &values, &errors, &Choices::new())[0];
        assert_eq!(typed.get_attr("type").ok(), Some(Value::from("text")));
        assert_eq!(typed.get_attr("help").ok(), Some(Value::from(TYPE_A_NAME)));
    }

    #[test]
    fn a_search_with_a_nul_character_is_refused() {
        let read = |query: &str| serde_urlencoded::from_str::<ListQuery>(query);
        assert_eq!(read("q=+ada+&page=2").expect("valid").search(), "ada");
        assert!(read("q=a%00b").is_err());
    }

    #[test]
    fn lists_keep_the_search_and_escape_wildcards() {
        assert_eq!(list_url("/posts", "", 1), "/posts");
        assert_eq!(list_url("/posts", "a b", 2), "/posts?q=a+b&page=2");
        assert_eq!(contains_pattern("ada"), "%ada%");
        assert_eq!(contains_pattern("50%_!"), "%50!%!_!!%");
        assert_eq!(pages(0, 20), 1);
        assert_eq!(pages(21, 20), 2);
    }

    #[derive(Deserialize, Validate)]
    struct Signup {
        #[garde(length(chars, min = 2, max = 6))]
        name: String,
        #[garde(length(chars, min = 8))]
        password: String,
    }

    impl FormPage for Signup {
        const TEMPLATE: &'static str = "form.html";

        const FIELDS: &'static [Field] = &[
            Field {
                name: "name",
                label: "Name",
                input: Input::Text,
                required: true,
                help: "",
            },
            Field {
                name: "password",
                label: "Password",
                input: Input::Password,
                required: true,
                help: "At least 8 characters.",
            },
        ];

        fn context() -> Value {
            context! { title => "Sign up", action => "/form" }
        }
    }

    /// `/form` shows the sign-up form and takes it, behind the app's CSRF layers.
    async fn router() -> Router {
        async fn show_form(page: Page, token: CsrfToken) -> Result<Html<String>, RenderError> {
            show::<Signup>(&page, &token)
        }
        async fn sign_up(ValidForm(signup): ValidForm<Signup>) -> String {
            format!("welcome {}", signup.name)
        }
        let state = crate::AppState::from_env().await.expect("state builds");
        let routes = Router::new()
            .route("/form", get(show_form).post(sign_up))
            .with_state(state);
        protected(routes, &test_csrf(false).await)
    }

    async fn body_text(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body")
    }

    async fn post(router: &Router, cookie: &str, form: String) -> Response {
        let request = Request::post("/form")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("request");
        router.clone().oneshot(request).await.expect("routed")
    }

    /// A first visit to the form: the page, its token and the cookie (`name=value`).
    async fn visit(router: &Router) -> (String, String, String) {
        let request = Request::get("/form").body(Body::empty()).expect("request");
        let response = router.clone().oneshot(request).await.expect("routed");
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()[header::SET_COOKIE]
            .to_str()
            .expect("ASCII cookie")
            .split(';')
            .next()
            .expect("name=value")
            .to_owned();
        let page = body_text(response).await;
        let input = r#"<input type="hidden" name="csrf_token" value=""#;
        let start = page.find(input).expect("the form carries the token") + input.len();
        let token = page[start..].split('"').next().expect("value").to_owned();
        (page, token, cookie)
    }

    #[tokio::test]
    async fn the_form_page_carries_the_token() {
        let (page, token, cookie) = visit(&router().await).await;
        assert_eq!(token.len(), 64, "{page}");
        assert!(cookie.starts_with(csrf::COOKIE_NAME), "{cookie}");
        assert!(page.contains(r#"<form method="post""#), "{page}");
        assert!(
            page.contains(&format!(r#"<meta name="csrf-token" content="{token}">"#)),
            "{page}"
        );
    }

    #[tokio::test]
    async fn an_invalid_form_comes_back_with_422_messages_and_what_was_typed() {
        let router = router().await;
        let (_, token, cookie) = visit(&router).await;
        let typed = "<b>too long</b>";
        let form = serde_urlencoded::to_string([
            ("csrf_token", token.as_str()),
            ("name", typed),
            ("password", "short"),
        ])
        .expect("encodes");
        let response = post(&router, &cookie, form).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body_text(response).await;
        // What was typed is back in the field, escaped; the password is not echoed.
        assert!(page.contains("&lt;b&gt;too long&lt;&#x2f;b&gt;"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
        assert!(!page.contains(r#"value="short""#), "{page}");
        // A message for each field, under that field.
        assert!(
            page.contains(r#"<span class="field-error" id="name-error">"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<span class="field-error" id="password-error">"#),
            "{page}"
        );
        assert!(page.contains("length is greater than 6"), "{page}");
        // The page can be posted again: it carries the token.
        assert!(page.contains(&token), "{page}");
    }

    #[tokio::test]
    async fn a_nul_character_gets_a_message_not_a_database_error() {
        let router = router().await;
        let (_, token, cookie) = visit(&router).await;
        let form = format!("csrf_token={token}&name=a%00b&password=long+enough");
        let response = post(&router, &cookie, form).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = body_text(response).await;
        assert!(page.contains("Remove the NUL character"), "{page}");
    }

    #[tokio::test]
    async fn a_valid_form_reaches_the_handler() {
        let router = router().await;
        let (_, token, cookie) = visit(&router).await;
        let form = format!("csrf_token={token}&name=ada&password=long+enough");
        let response = post(&router, &cookie, form).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_text(response).await, "welcome ada");

        // Without the token the CSRF middleware refuses it before the form is read.
        let response = post(&router, &cookie, "name=ada&password=long+enough".to_owned()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
}

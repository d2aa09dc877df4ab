//! What every resource made by `plinth add resource` shares. A resource (its own folder
//! under `src/`) is a table, described by implementing [`Table`] in its `model.rs`: its
//! names, its form's fields, its list's columns and its queries. Everything else is
//! written once, generic over [`Table`]:
//!
//! - `pages.rs`: the pages (list with search and pages, one row, the forms, delete);
//! - `api.rs`: the JSON API, for the resources that have one;
//! - `admin.rs`: the admin registration, once the admin is installed;
//! - here: the parsers of the field kinds the form reads (numbers, money, ids), the pages'
//!   contexts, and the database errors a visitor can fix.
//!
//! The pages' templates are in `templates/crud/`; to give one resource pages of its own,
//! copy one to `templates/<resource>/` (`templates/posts/list.html`), which is used first.

use std::str::FromStr;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use crate::auth::User;
use crate::db;
use crate::web::forms::{self, Choices, Errors, Field, ListQuery, Values, list_url, pages};

pub mod pages;
// plinth:crud-modules

/// Rows on one page of a list.
pub const PER_PAGE: i64 = 20;

/// How a resource is named on its pages.
pub struct Names {
    /// The path of its list: `/posts`.
    pub base: &'static str,
    /// Its module and table, its name in the admin, and its templates' folder: `posts`.
    pub module: &'static str,
    /// "Posts".
    pub plural: &'static str,
    /// "post".
    pub singular: &'static str,
}

/// A resource's table: what `plinth add resource` writes in its `model.rs`, and what the
/// pages, the API and the admin need. The queries return futures that are `Send`, so the
/// handlers generic over a table run on any thread.
pub trait Table: Sized + Send + Sync + 'static {
    /// What the form (and the JSON API) may set.
    type Form: Send + Sync;

    /// How it is named on its pages.
    const NAMES: Names;
    /// The fields of its form, in order.
    const FIELDS: &'static [Field];
    /// The headers of the list's columns, in the order of [`Table::cells`].
    const LIST_COLUMNS: &'static [&'static str];
    /// Whether its list has a search box (it has text fields to search in).
    const SEARCHABLE: bool;
    /// Whether each row belongs to the user who added it (`plinth add resource --owned`):
    /// then only they and staff may change or delete it, and lists can show "mine".
    const OWNED: bool = false;

    /// The row's id.
    fn id(&self) -> i64;
    /// The id of the user the row belongs to, in an [`Table::OWNED`] table.
    fn owner(&self) -> Option<i64> {
        None
    }
    /// How the row is named on its pages.
    fn title(&self) -> String;
    /// Each field as its form shows it, by field name.
    fn values(&self) -> Values;
    /// Each field as its page shows it, by field name.
    fn texts(&self) -> Values;
    /// The text of each of [`Table::LIST_COLUMNS`].
    fn cells(&self) -> Vec<String>;
    /// Reads and checks posted values; the messages say what to fix, by field.
    fn form(values: &Values) -> Result<Self::Form, Errors>;

    /// Reads each reference typed as its row's name rather than its id (a table too large
    /// for a select is typed in a box) as that row's id; none by default.
    fn find_references(
        db: &db::Pool,
        values: &mut Values,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        let _ = (db, values);
        async { Ok(()) }
    }

    /// The rows each select of the form offers; none by default.
    fn choices(db: &db::Pool) -> impl Future<Output = Result<Choices, sqlx::Error>> + Send {
        let _ = db;
        async { Ok(Choices::new()) }
    }
    /// One page of the rows matching `search` (every row when it is empty, or when the
    /// table has nothing to search) and, in an [`Table::OWNED`] table, belonging to
    /// `owner` when it is given; oldest first, and how many rows match in all.
    fn page(
        db: &db::Pool,
        search: &str,
        owner: Option<i64>,
        limit: i64,
        offset: i64,
    ) -> impl Future<Output = Result<(Vec<Self>, i64), sqlx::Error>> + Send;
    /// The row `id`, if there is one.
    fn get(
        db: &db::Pool,
        id: i64,
    ) -> impl Future<Output = Result<Option<Self>, sqlx::Error>> + Send;
    /// Adds a row for the user `by`, its owner in an [`Table::OWNED`] table.
    fn create(
        db: &db::Pool,
        form: &Self::Form,
        by: i64,
    ) -> impl Future<Output = Result<Self, SaveError>> + Send;
    /// Changes the row `id`; `Ok(None)` when there is none.
    fn update(
        db: &db::Pool,
        id: i64,
        form: &Self::Form,
    ) -> impl Future<Output = Result<Option<Self>, SaveError>> + Send;
    /// Deletes the row `id`; false when there was none.
    fn delete(db: &db::Pool, id: i64) -> impl Future<Output = Result<bool, sqlx::Error>> + Send;

    /// Reads posted `values` with [`Table::form`] and adds the row: the form's messages
    /// come back as [`SaveError::Invalid`], like the database's refusals.
    fn create_from(
        db: &db::Pool,
        values: &Values,
        by: i64,
    ) -> impl Future<Output = Result<Self, SaveError>> + Send {
        async move {
            let mut values = values.clone();
            Self::find_references(db, &mut values).await?;
            Self::create(db, &Self::form(&values).map_err(SaveError::Invalid)?, by).await
        }
    }

    /// Reads posted `values` with [`Table::form`] and changes the row `id`, as
    /// [`Table::create_from`] adds one.
    fn update_from(
        db: &db::Pool,
        id: i64,
        values: &Values,
    ) -> impl Future<Output = Result<Option<Self>, SaveError>> + Send {
        async move {
            let mut values = values.clone();
            Self::find_references(db, &mut values).await?;
            Self::update(db, id, &Self::form(&values).map_err(SaveError::Invalid)?).await
        }
    }
}

/// Whether `user` may change and delete `row`: anyone logged in, but in an
/// [`Table::OWNED`] table only its owner, and staff.
pub fn may_change<T: Table>(row: &T, user: &User) -> bool {
    user.is_staff || row.owner().is_none_or(|owner| owner == user.id)
}

/// The answer to a user who may not change a row ([`may_change`]).
pub fn not_yours(names: &Names) -> Response {
    let message = format!(
        "Only its owner may change or delete this {}.\n",
        names.singular
    );
    (StatusCode::FORBIDDEN, message).into_response()
}

/// The row named by a path's id, if the id is a number and the row exists.
pub async fn find<T: Table>(db: &db::Pool, id: &str) -> Result<Option<T>, sqlx::Error> {
    match parse_id(id) {
        Some(id) => T::get(db, id).await,
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------
// Reading forms (with `forms::FormReader`)

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

/// Puts in `values` the id of the row whose name was typed for the reference `field`, when
/// `query` (`SELECT id ... WHERE <its label> = $1 LIMIT 2`) finds exactly one; an id, or a
/// name no row or several rows have, stays as typed, for the form to accept or refuse.
pub async fn find_reference(
    db: &db::Pool,
    values: &mut Values,
    field: &str,
    query: &'static str,
) -> Result<(), sqlx::Error> {
    let Some(typed) = values.get(field).map(|typed| typed.trim().to_owned()) else {
        return Ok(());
    };
    // NUL: PostgreSQL refuses it in text, and the form refuses it anyway.
    if typed.is_empty() || parse_id(&typed).is_some() || typed.contains('\0') {
        return Ok(());
    }
    let ids: Vec<i64> = sqlx::query_scalar(query).bind(&typed).fetch_all(db).await?;
    if let [id] = ids[..] {
        values.insert(field.to_owned(), id.to_string());
    }
    Ok(())
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

/// How a list is shown: what its table offers, and what the visitor asked for.
pub struct Listed<'a> {
    pub names: &'a Names,
    pub columns: &'a [&'a str],
    /// The search box, for a table with text to search.
    pub searchable: bool,
    /// The "All" and "Mine" links, for an owned table and a logged-in user.
    pub mine_link: bool,
}

/// The context of `templates/crud/list.html`: `rows` holds each row's id and the text
/// of each of the columns.
pub fn list_context(
    listed: &Listed<'_>,
    rows: Vec<(i64, Vec<String>)>,
    query: &ListQuery,
    total: i64,
) -> Value {
    let Listed {
        names,
        columns,
        searchable,
        mine_link,
    } = *listed;
    let (search, page, pages) = (query.search(), query.page(), pages(total, PER_PAGE));
    // The other pages of a list of mine are of mine too.
    let url = |page| {
        let url = list_url(names.base, search, page);
        match (query.mine, url.contains('?')) {
            (false, _) => url,
            (true, true) => format!("{url}&mine=true"),
            (true, false) => format!("{url}?mine=true"),
        }
    };
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
        mine_link => mine_link,
        mine => query.mine,
        page => page,
        pages => pages,
        previous_url => (page > 1).then(|| url(page - 1)),
        next_url => (page < pages).then(|| url(page + 1)),
    }
}

/// The context of `templates/crud/detail.html`: each field's label and text, and
/// whether the visitor may change the row (its Edit and Delete links).
pub fn detail_context(
    names: &Names,
    id: i64,
    title: &str,
    fields: &[Field],
    texts: &Values,
    may_change: bool,
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
        may_change => may_change,
    }
}

/// The context of `templates/crud/form.html`: what to fill in (`values`), the messages
/// (`errors`) and the rows each select offers (`choices`). `editing` holds the row's id
/// and title on the edit page.
pub fn form_context(
    names: &Names,
    editing: Option<(i64, &str)>,
    fields: &[Field],
    values: &Values,
    errors: &Errors,
    choices: &Choices,
) -> Value {
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
        fields => forms::fields_context(fields, values, errors, choices),
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
    fn floats_must_be_finite() {
        assert_eq!(parse_float("2.5"), Some(2.5));
        assert_eq!(parse_float("NaN"), None);
        assert_eq!(parse_float("inf"), None);
    }
}

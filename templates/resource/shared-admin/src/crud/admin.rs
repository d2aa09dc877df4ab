//! Every resource in the admin (src/admin/), generic over its [`Table`]: listed with its
//! list's columns (searched when it has text), created and edited with its own form's
//! fields and rules, and deleted. A resource is registered with a `static` in its
//! `mod.rs` and one line in `admin::MODELS`.

use std::marker::PhantomData;

use super::{SaveError, Table};
use crate::admin::{AdminModel, ListRow, Listing, Record};
use crate::app_error;
use crate::db;
use crate::web::forms::{Choices, Errors, Field, Values};

/// `T` as the admin shows it.
pub struct TableAdmin<T>(PhantomData<fn() -> T>);

impl<T> TableAdmin<T> {
    /// The registration, for a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for TableAdmin<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait::async_trait]
impl<T: Table> AdminModel for TableAdmin<T> {
    fn slug(&self) -> &'static str {
        T::NAMES.module
    }

    fn plural(&self) -> &'static str {
        T::NAMES.plural
    }

    fn singular(&self) -> &'static str {
        T::NAMES.singular
    }

    fn columns(&self) -> &'static [&'static str] {
        T::LIST_COLUMNS
    }

    fn fields(&self, _editing: bool) -> Vec<Field> {
        T::FIELDS.to_vec()
    }

    async fn choices(&self, db: &db::Pool) -> app_error::Result<Choices> {
        Ok(T::choices(db).await?)
    }

    async fn list(
        &self,
        db: &db::Pool,
        search: &str,
        limit: i64,
        offset: i64,
    ) -> app_error::Result<Listing> {
        let (rows, total) = T::page(db, search, None, limit, offset).await?;
        let rows = rows
            .iter()
            .map(|row| ListRow {
                id: row.id(),
                cells: row.cells(),
            })
            .collect();
        Ok(Listing { rows, total })
    }

    async fn find(&self, db: &db::Pool, id: i64) -> app_error::Result<Option<Record>> {
        let row = T::get(db, id).await?;
        Ok(row.map(|row| Record {
            title: row.title(),
            values: row.values(),
        }))
    }

    async fn save(
        &self,
        db: &db::Pool,
        id: Option<i64>,
        values: &Values,
        by: i64,
    ) -> app_error::Result<Result<i64, Errors>> {
        let saved = match id {
            Some(id) => T::update_from(db, id, values)
                .await
                .map(|row| row.map_or(id, |row| row.id())),
            None => T::create_from(db, values, by).await.map(|row| row.id()),
        };
        match saved {
            Ok(id) => Ok(Ok(id)),
            Err(SaveError::Invalid(errors)) => Ok(Err(errors)),
            Err(SaveError::Database(err)) => Err(err.into()),
        }
    }

    async fn delete(&self, db: &db::Pool, id: i64) -> app_error::Result<bool> {
        Ok(T::delete(db, id).await?)
    }
}

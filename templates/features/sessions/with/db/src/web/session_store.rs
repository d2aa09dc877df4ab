//! Sessions in the database: a tower-sessions store over the app's sqlx pool, one row per
//! session in the `sessions` table (`migrations/0002_create_sessions.sql`). Every process
//! of the app sees the same sessions, and they survive restarts.
//!
//! The published sqlx store for tower-sessions depends on another major version of sqlx;
//! these few queries keep a single sqlx in the build. They are checked when they run and
//! bind every value, like the rest of the app's queries.

use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use crate::db;

/// How often the server deletes the sessions that have expired.
const CLEANUP_PERIOD: Duration = Duration::from_secs(60 * 60);

/// Sessions as rows of the `sessions` table: the id, the data as JSON, and the expiry date
/// in Unix seconds. Cloning it is cheap: clones share the pool.
#[derive(Clone, Debug)]
pub struct DatabaseStore {
    pool: db::Pool,
}

impl DatabaseStore {
    /// A store on `pool`, which must be migrated.
    pub fn new(pool: db::Pool) -> Self {
        Self { pool }
    }
}

#[async_trait]
impl SessionStore for DatabaseStore {
    /// Inserts a new session, drawing another id in the unlikely case that the random one
    /// is taken: overwriting would hand someone else's session over.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry_date) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
        )
        .bind(record.id.to_string())
        .bind(encode(record)?)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// The session `id`, unless it has expired (its row may wait for the next cleanup).
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expiry_date FROM sessions WHERE id = $1 AND expiry_date > $2",
        )
        .bind(id.to_string())
        .bind(crate::db::unix_now())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((data, expiry_date)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|err| session_store::Error::Decode(err.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expiry_date)
                .map_err(|err| session_store::Error::Decode(err.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DatabaseStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expiry_date <= $1")
            .bind(crate::db::unix_now())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Deletes the expired sessions now and then every [`CLEANUP_PERIOD`], for as long as the
/// server runs (`main` spawns it). A failure is logged and the next round tries again,
/// where tower-sessions' `continuously_delete_expired` would stop for good.
pub async fn delete_expired_periodically(store: DatabaseStore) {
    let mut rounds = tokio::time::interval(CLEANUP_PERIOD);
    loop {
        rounds.tick().await;
        if let Err(err) = store.delete_expired().await {
            tracing::warn!(%err, "cannot delete expired sessions");
        }
    }
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|err| session_store::Error::Encode(err.to_string()))
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;

    use tower_sessions::cookie::time::Duration;

    use crate::web::sessions;
    use crate::web::sessions::tests::{cookie_pair, recall, remember, router};

    /// The settings the tests run with, `DATABASE_URL` included.
    fn config() -> crate::config::Config {
        crate::config::Config::from_env().expect("settings")
    }

    /// How many rows the `sessions` table has for `id`.
    async fn rows(pool: &db::Pool, id: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("the sessions table answers")
    }

    /// A session holding `value`, expiring `lifetime` from now (in the past when negative).
    fn record(value: &str, lifetime: Duration) -> Record {
        Record {
            id: Id::default(),
            data: HashMap::from([("value".to_owned(), serde_json::json!(value))]),
            expiry_date: OffsetDateTime::now_utc() + lifetime,
        }
    }

    #[tokio::test]
    async fn sessions_live_in_the_database_and_every_process_sees_them() {
        let pool = db::connect(&config()).await.expect("database");
        let first = router(sessions::layer(DatabaseStore::new(pool.clone()), &config()));
        let set_cookie = remember(&first, "blue").await;
        let cookie = cookie_pair(&set_cookie);
        let (_, id) = cookie.split_once('=').expect("name=id");
        assert_eq!(rows(&pool, id).await, 1);

        // A second app on the same database, as another process or the app after a restart.
        let second = router(sessions::layer(DatabaseStore::new(pool.clone()), &config()));
        assert_eq!(recall(&second, Some(cookie)).await, "blue");
    }

    #[tokio::test]
    async fn expired_sessions_are_not_loaded_and_the_cleanup_deletes_them() {
        let pool = db::connect(&config()).await.expect("database");
        let store = DatabaseStore::new(pool.clone());
        let expired = record("old", Duration::minutes(-1));
        let live = record("new", Duration::hours(1));
        store.save(&expired).await.expect("saved");
        store.save(&live).await.expect("saved");

        assert!(store.load(&expired.id).await.expect("loads").is_none());
        assert_eq!(rows(&pool, &expired.id.to_string()).await, 1);

        store.delete_expired().await.expect("cleanup runs");
        assert_eq!(rows(&pool, &expired.id.to_string()).await, 0);
        let kept = store.load(&live.id).await.expect("loads").expect("kept");
        assert_eq!(kept.data, live.data);
        assert_eq!(
            kept.expiry_date.unix_timestamp(),
            live.expiry_date.unix_timestamp()
        );
    }

    #[tokio::test]
    async fn create_never_overwrites_an_existing_session() {
        let store = DatabaseStore::new(db::connect(&config()).await.expect("database"));
        let taken = record("theirs", Duration::hours(1));
        store.save(&taken).await.expect("saved");

        let mut colliding = record("mine", Duration::hours(1));
        colliding.id = taken.id;
        store.create(&mut colliding).await.expect("created");

        assert_ne!(colliding.id, taken.id);
        let theirs = store.load(&taken.id).await.expect("loads").expect("kept");
        assert_eq!(theirs.data, taken.data);
        let mine = store
            .load(&colliding.id)
            .await
            .expect("loads")
            .expect("saved");
        assert_eq!(mine.data, colliding.data);
    }
}

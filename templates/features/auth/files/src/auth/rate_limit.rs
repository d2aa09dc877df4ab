//! The login rate limit, counted in the database: every process of the app sees the same
//! attempts, and a restart forgets none. Three limits, each on failed logins:
//!
//! - one address and one email: [`LOGIN_ATTEMPTS`] within [`LOGIN_WINDOW`] (guessing one
//!   password);
//! - one address, any emails: [`ADDRESS_ATTEMPTS`] within [`LOGIN_WINDOW`] (trying a list
//!   of stolen passwords);
//! - one email from many addresses: once [`EMAIL_ADDRESSES`] addresses have failed within
//!   [`EMAIL_WINDOW`], the email is closed to every address that has not logged in as it
//!   within [`KNOWN_FOR`] (a botnet guessing one password).
//!
//! A flood from one address counts as one address for the third limit, so it cannot lock
//! the user out from elsewhere; and the user's own usual address stays open through the
//! third.

use super::*;

/// Failed logins from one address for any emails within [`LOGIN_WINDOW`]; the next
/// answers 429.
pub const ADDRESS_ATTEMPTS: i64 = 50;

/// Addresses failing to log in as one email within [`EMAIL_WINDOW`] that close the email
/// to unknown addresses.
pub const EMAIL_ADDRESSES: i64 = 10;

/// The window [`EMAIL_ADDRESSES`] are counted in.
pub const EMAIL_WINDOW: Duration = Duration::from_secs(15 * 60);

/// How long a successful login makes its address known for that email, and how long
/// attempts are kept.
pub const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Seconds as the database stores times.
fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

/// How long `address` must wait before trying to log in as `email` at `now` (Unix
/// seconds); `None` when it may try now.
pub(super) async fn wait_before_login(
    pool: &db::Pool,
    address: &str,
    email: &str,
    now: i64,
) -> Result<Option<Duration>, sqlx::Error> {
    let since = now - seconds(LOGIN_WINDOW);
    let (pair, pair_oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_attempts \
         WHERE address = $1 AND email = $2 AND NOT succeeded AND at > $3",
    )
    .bind(address)
    .bind(email)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let (from_address, address_oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_attempts \
         WHERE address = $1 AND NOT succeeded AND at > $2",
    )
    .bind(address)
    .bind(since)
    .fetch_one(pool)
    .await?;
    let until = |oldest: Option<i64>, window: Duration| {
        let ends = oldest.unwrap_or(now) + seconds(window);
        Some(Duration::from_secs(
            u64::try_from(ends - now).unwrap_or(1).max(1),
        ))
    };
    if pair >= i64::from(LOGIN_ATTEMPTS) {
        return Ok(until(pair_oldest, LOGIN_WINDOW));
    }
    if from_address >= ADDRESS_ATTEMPTS {
        return Ok(until(address_oldest, LOGIN_WINDOW));
    }
    let (addresses, known): (i64, bool) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(DISTINCT address) FROM login_attempts \
            WHERE email = $1 AND NOT succeeded AND at > $2), \
           EXISTS (SELECT 1 FROM login_attempts \
            WHERE email = $1 AND address = $3 AND succeeded AND at > $4)",
    )
    .bind(email)
    .bind(now - seconds(EMAIL_WINDOW))
    .bind(address)
    .bind(now - seconds(KNOWN_FOR))
    .fetch_one(pool)
    .await?;
    Ok((addresses >= EMAIL_ADDRESSES && !known).then_some(EMAIL_WINDOW))
}

/// Records a login attempt, and forgets the attempts older than [`KNOWN_FOR`].
pub(super) async fn record_login(
    pool: &db::Pool,
    address: &str,
    email: &str,
    succeeded: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_attempts (address, email, succeeded, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(address)
    .bind(email)
    .bind(succeeded)
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query("DELETE FROM login_attempts WHERE at < $1")
        .bind(now - seconds(KNOWN_FOR))
        .execute(pool)
        .await?;
    Ok(())
}

/// `TRUSTED_PROXIES` read: comma-separated IP addresses.
pub fn trusted_proxies(list: Option<String>) -> Result<Vec<IpAddr>, crate::config::ConfigError> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(|address| {
            address.parse().map_err(|err| {
                crate::config::ConfigError::new(format!(
                    "TRUSTED_PROXIES: `{address}` is not an IP address ({err})"
                ))
            })
        })
        .collect()
}

/// The client's address: the peer's, or, when the peer is one of `trusted` proxies, the
/// last address in `X-Forwarded-For` that is not one of them (the one the first trusted
/// proxy saw). A header from anyone else is ignored: a client could write anything there.
pub(super) fn client_address(parts: &Parts, trusted: &[IpAddr]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
    else {
        return "unknown".to_owned();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|address| address.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|address| !trusted.contains(address))
        .unwrap_or(&peer)
        .to_string()
}

//! The feature catalogue: every capability `plinth add` can give a project,
//! what it is for and what it needs first. What a feature *does* lives in
//! `templates/features/<id>/` (see `recipe`).

use crate::error::Error;

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feature {
    /// The name used on the command line and in the project's metadata.
    pub id: &'static str,
    /// What it adds, in one line.
    pub summary: &'static str,
    /// Features that must be installed first (added automatically).
    pub requires: &'static [&'static str],
    /// Whether a full project has it.
    pub in_full: InFull,
}

/// Whether `plinth new --style full` includes a feature. Every entry says so, so a new
/// feature never becomes a battery of every full project by accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InFull {
    /// Every full project has it: the skeleton may build on it.
    Always,
    /// Included unless left out with `--without`; `plinth add` brings it back.
    Optional,
    /// Not part of full: an extra to add later.
    Never,
}

/// Every feature, in the order they are applied. The order is part of the
/// output: applying a set in catalogue order makes the result independent of
/// the order the user named them in.
pub const CATALOGUE: &[Feature] = &[
    Feature {
        id: "templates",
        summary: "minijinja templates with a base layout; reloaded on each request in development, embedded in release builds",
        requires: &[],
        in_full: InFull::Always,
    },
    Feature {
        id: "static",
        summary: "`static/` served at `/static` with cache headers",
        requires: &[],
        in_full: InFull::Always,
    },
    Feature {
        id: "db",
        summary: "sqlx pool (SQLite file by default, PostgreSQL with --db postgres), migrations and a `migrate` command",
        requires: &[],
        in_full: InFull::Always,
    },
    Feature {
        id: "sessions",
        summary: "server-side sessions: in the database when `db` is installed, in memory otherwise; HttpOnly, SameSite=Lax, Secure in production",
        requires: &[],
        in_full: InFull::Always,
    },
    Feature {
        id: "csrf",
        summary: "CSRF protection on every unsafe method (origin check and a signed token), form helpers with validation errors re-rendered",
        requires: &["sessions"],
        in_full: InFull::Always,
    },
    Feature {
        id: "limits",
        summary: "limits against slow and abusive clients: a timeout on a request's head and on the whole request, an idle keep-alive limit and a cap on connections, each a setting; every request knows its client's address",
        requires: &[],
        in_full: InFull::Always,
    },
    Feature {
        id: "auth",
        summary: "users table, register / log in / log out, argon2id, login rate limit, `createsuperuser` command",
        requires: &["db", "sessions", "csrf", "templates", "limits"],
        in_full: InFull::Always,
    },
    Feature {
        id: "admin",
        summary: "admin panel at `/admin` for registered models: list with search and pages, create, edit, delete with confirmation; staff only",
        requires: &["auth", "static"],
        in_full: InFull::Optional,
    },
    Feature {
        id: "mail",
        summary: "mail from templates through SMTP (lettre over rustls), the log, memory or .eml files (`MAIL_URL`); `sendtestemail`; `/dev/mailbox` in development; with auth, password reset, email confirmation and email change by mailed links",
        requires: &["templates"],
        in_full: InFull::Optional,
    },
    Feature {
        id: "jobs",
        summary: "background jobs in the app's own database: typed jobs queued from handlers or transactions, at a time, with a priority or a unique key; retries with backoff, leases that outlive a dead worker; `cargo run -- worker`, `jobs list|retry|cancel|enqueue`",
        requires: &["db"],
        in_full: InFull::Optional,
    },
    Feature {
        id: "docker",
        summary: "multi-stage Dockerfile running the release binary as a non-root user, and .dockerignore",
        requires: &[],
        in_full: InFull::Optional,
    },
    Feature {
        id: "ci",
        summary: "GitHub Actions workflow: fmt, clippy -D warnings and tests",
        requires: &[],
        in_full: InFull::Optional,
    },
];

/// The features a full project is made of, unless left out: every one not `Never`.
pub fn in_full() -> impl Iterator<Item = &'static Feature> {
    CATALOGUE
        .iter()
        .filter(|feature| feature.in_full != InFull::Never)
}

/// The ids of the batteries a full project may be created without (and `plinth add` later).
#[must_use]
pub fn optional_in_full() -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|feature| feature.in_full == InFull::Optional)
        .map(|feature| feature.id)
        .collect()
}

/// Looks a feature up by id.
pub fn find(id: &str) -> Result<&'static Feature, Error> {
    CATALOGUE
        .iter()
        .find(|feature| feature.id == id)
        .ok_or_else(|| Error::UnknownFeature {
            name: id.to_owned(),
            known: ids().join(", "),
        })
}

/// The ids of every feature, for messages.
#[must_use]
pub fn ids() -> Vec<&'static str> {
    CATALOGUE.iter().map(|feature| feature.id).collect()
}

/// `requested` plus everything they require, transitively, in catalogue order.
pub fn resolve(requested: &[String]) -> Result<Vec<&'static Feature>, Error> {
    let mut wanted: Vec<&'static str> = Vec::new();
    let mut pending: Vec<&'static Feature> = requested
        .iter()
        .map(|id| find(id))
        .collect::<Result<_, _>>()?;
    while let Some(feature) = pending.pop() {
        if !wanted.contains(&feature.id) {
            wanted.push(feature.id);
            for required in feature.requires {
                pending.push(find(required)?);
            }
        }
    }
    Ok(CATALOGUE
        .iter()
        .filter(|feature| wanted.contains(&feature.id))
        .collect())
}

/// The features a project records, with every requirement of theirs. A feature that
/// became a requirement after the project was made (`limits`, which accounts require since
/// the limits moved out of full's server loop) counts as installed, so that `plinth add`
/// does not install it over the older code that stands in for it (full's old loop, or
/// micro's client address alone); `plinth upgrade` brings its code. Ids the catalogue no
/// longer knows are kept as they are, last.
#[must_use]
pub fn with_requirements(recorded: &[String]) -> Vec<String> {
    let (known, unknown): (Vec<String>, Vec<String>) =
        recorded.iter().cloned().partition(|id| find(id).is_ok());
    let mut features: Vec<String> = resolve(&known)
        .map(|resolved| {
            resolved
                .iter()
                .map(|feature| feature.id.to_owned())
                .collect()
        })
        .unwrap_or(known);
    features.extend(unknown);
    features
}

#[cfg(test)]
mod tests {
    use super::{CATALOGUE, find, resolve, with_requirements};

    #[test]
    fn a_requirement_added_since_the_project_was_made_counts_as_installed() {
        let recorded = ["templates", "db", "sessions", "csrf", "auth", "gone"].map(String::from);
        assert_eq!(
            with_requirements(&recorded),
            [
                "templates",
                "db",
                "sessions",
                "csrf",
                "limits",
                "auth",
                "gone"
            ]
        );
    }

    #[test]
    fn requirements_are_known_and_come_earlier_in_the_catalogue() {
        for (position, feature) in CATALOGUE.iter().enumerate() {
            for required in feature.requires {
                let required_position = CATALOGUE.iter().position(|f| f.id == *required);
                assert!(
                    required_position.is_some_and(|p| p < position),
                    "{} requires {required}, which must come before it",
                    feature.id
                );
            }
        }
    }

    #[test]
    fn resolution_follows_catalogue_order_whatever_the_request_order() {
        let ids = |request: &[&str]| -> Vec<&str> {
            let request: Vec<String> = request.iter().map(|id| (*id).to_owned()).collect();
            resolve(&request)
                .expect("known")
                .iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(ids(&["ci", "templates", "db"]), ["templates", "db", "ci"]);
        assert_eq!(
            ids(&["db", "ci", "templates", "db"]),
            ["templates", "db", "ci"]
        );
    }

    #[test]
    fn an_unknown_feature_is_an_error() {
        assert!(find("graphql").is_err());
    }
}

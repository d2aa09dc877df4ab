//! A PostgreSQL database of its own for a test, on the local server.

// Test support: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

use std::process::Command;

/// A database of its own on the local PostgreSQL server, or `None` (with a
/// visible message) when no server can be reached outside CI.
pub(crate) fn postgres_database(name: &str) -> Option<String> {
    let base = std::env::var("PLINTH_E2E_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let created = Command::new("psql")
        .args([
            &format!("{base}/postgres"),
            "-q",
            "-c",
            &format!("DROP DATABASE IF EXISTS {name}"),
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output();
    match created {
        Ok(output) if output.status.success() => Some(format!("{base}/{name}")),
        other => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs a PostgreSQL server: {other:?}"
            );
            eprintln!("SKIPPED: no PostgreSQL server at {base} ({other:?})");
            None
        }
    }
}

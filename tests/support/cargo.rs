//! Cargo on generated projects, for the end-to-end suite and the test that compiles every
//! state: one target folder shared by all of them, and any warning is a failure.

// Test support: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The target folder every generated project builds into (`PLINTH_E2E_TARGET_DIR`,
/// default `target/e2e`), so dependencies compile once for the whole suite.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("PLINTH_E2E_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e"),
        PathBuf::from,
    )
}

/// Runs cargo in the project; fails the test on a non-zero exit or on any
/// compiler warning about the project's own code.
pub(crate) fn cargo(project: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_TERM_COLOR", "never")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!(
        "    cargo {} in {} ({:.1} s)",
        args.join(" "),
        project.display(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        output.status.success(),
        "cargo {args:?} failed in {}\n{stdout}\n{stderr}",
        project.display()
    );
    // Compiler warnings fail the test; cargo's retries of a flaky registry do not.
    let warned = stderr.lines().any(|line| {
        line.trim_start().starts_with("warning")
            && !line.starts_with("warning: spurious network error")
    });
    assert!(
        !warned,
        "cargo {args:?} warned in {}\n{stderr}",
        project.display()
    );
    stdout
}

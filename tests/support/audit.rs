//! The site audit of `tests/audit/audit.mjs`, run from the end-to-end suite: axe-core on
//! every page in Chromium, the Nu HTML checker, no sideways scrolling at 390 px, and
//! screenshots at 1280 and 390 px in both colour schemes. Its Node packages install from
//! `tests/audit/package-lock.json` on first use (`npm ci`).

use std::path::Path;
use std::process::Command;

/// Audits the site at `base_url` as a visitor and as the staff user `email`, leaving the
/// report and the screenshots in `out`; fails the test with every problem found.
pub(crate) fn audit_site(base_url: &str, out: &Path, email: &str, password: &str) {
    let audit = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/audit");
    if !audit.join("node_modules").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&audit)
            .status()
            .expect("npm runs (Node.js 20 or later)");
        assert!(status.success(), "npm ci in {}", audit.display());
    }
    let output = Command::new("node")
        .arg("audit.mjs")
        .arg(base_url)
        .arg(out)
        .env("AUDIT_EMAIL", email)
        .env("AUDIT_PASSWORD", password)
        .current_dir(&audit)
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(
        output.status.success(),
        "the site audit failed (report and screenshots in {}):\n{report}\n{}",
        out.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

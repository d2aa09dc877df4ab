//! Formatting generated Rust with the toolchain's rustfmt, as bindgen and prost-build do.
//! The resource templates produce code whose line breaks depend on the names and fields
//! given; rustfmt settles them, so the project passes `cargo fmt --check` with whatever
//! `rustfmt.toml` it has. Without a working rustfmt the code is left as rendered (it
//! builds all the same) and the caller says so.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// `source` formatted as rustfmt would in the project at `root`; `None` when rustfmt is
/// missing or refuses the source.
#[must_use]
pub fn format(source: &str, root: &Path) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // rustfmt reads all of its input before writing, so writing first cannot deadlock.
    child.stdin.take()?.write_all(source.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn rustfmt_settles_the_layout() {
        let root = std::env::temp_dir();
        let formatted = format("fn   main( ) { let x=1; }", &root).expect("rustfmt runs");
        assert_eq!(formatted, "fn main() {\n    let x = 1;\n}\n");
        assert_eq!(format("fn main( {", &root), None);
    }
}

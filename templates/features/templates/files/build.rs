//! Build script: compiles files that are not Rust into the binary.
fn main() {
    // plinth:build
}

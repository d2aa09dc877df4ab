//! Whether an edit leaves a Rust file that still parses. A marker the user moved (into a
//! function's arguments, after the last `}`...) would take inserted code to a spot where
//! it cannot stand: the edit is then a conflict, as a missing marker is, and nothing is
//! written. Only syntax is checked; names and types are the compiler's business.

/// Why `after` (an edit of `before`) does not parse, with the line; `None` when it parses,
/// or when `before` did not parse either (the user's own unfinished code is not the
/// edit's fault, and their build will say so anyway).
#[must_use]
pub fn breakage(before: &str, after: &str) -> Option<String> {
    let error = syn::parse_file(after).err()?;
    if syn::parse_file(before).is_err() {
        return None;
    }
    let line = error.span().start().line;
    Some(format!(
        "the edited file would not parse (line {line}: {error}): has a `plinth:` marker moved?"
    ))
}

#[cfg(test)]
mod tests {
    use super::breakage;

    const BEFORE: &str = "fn main() {\n    let app = router();\n    // plinth:routes\n}\n";

    #[test]
    fn code_that_parses_passes() {
        let after = BEFORE.replace("// plinth:routes", "let other = 1;\n    // plinth:routes");
        assert_eq!(breakage(BEFORE, &after), None);
    }

    #[test]
    fn code_that_no_longer_parses_is_named_with_its_line() {
        let after = BEFORE.replace(
            "// plinth:routes",
            ".route(\"/a\", get(a))\n    // plinth:routes",
        );
        let reason = breakage(BEFORE, &after).expect("a method call cannot start a statement");
        assert!(reason.contains("line 3"), "{reason}");
    }

    #[test]
    fn a_file_that_did_not_parse_before_is_left_to_its_owner() {
        let broken = "fn main( {";
        assert_eq!(breakage(broken, "fn main( { let x = 1;"), None);
    }
}

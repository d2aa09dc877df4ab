//! Anchored edits to files a project already has. An edit goes only where
//! plinth left a marker comment (`// plinth:routes`, `{# plinth:head #}`) or
//! replaces text exactly as plinth generated it; anything else is refused,
//! so user code is never rewritten behind their back.

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditFailure {
    /// No line holds the marker comment.
    MarkerMissing,
    /// The text to replace is not there (the user changed it).
    OriginalChanged,
}

/// Inserts `text` on the lines just before the marker, indented like the
/// marker; `Ok(None)` means the text is already there. Blocks that features
/// later in the catalogue inserted at the same marker (`later`) stay below
/// the new one, so the lines at a marker are in catalogue order whatever the
/// order the features were added in. Module declarations (`mod x;`) are instead kept
/// in name order, the order rustfmt wants.
pub fn insert_at_marker(
    contents: &str,
    marker: &str,
    text: &str,
    later: &[&str],
) -> Result<Option<String>, EditFailure> {
    let Some((marker_offset, indent)) = find_marker(contents, marker) else {
        return Err(EditFailure::MarkerMissing);
    };
    let block = indent_block(text, indent);
    if contents.contains(&block) {
        return Ok(None);
    }
    let above = &contents[..marker_offset];
    let offset = if is_module_declarations(text) {
        sorted_position(above, &block)
    } else {
        later
            .iter()
            .filter_map(|text| block_start(above, &indent_block(text, indent)))
            .min()
            .unwrap_or(marker_offset)
    };
    let mut edited = String::with_capacity(contents.len() + block.len());
    edited.push_str(&contents[..offset]);
    edited.push_str(&block);
    edited.push_str(&contents[offset..]);
    Ok(Some(edited))
}

/// Replaces `original` (as plinth generated it) with `replacement`.
/// `Ok(None)` means the replacement is already there.
pub fn replace_exact(
    contents: &str,
    original: &str,
    replacement: &str,
) -> Result<Option<String>, EditFailure> {
    if contents.contains(replacement) {
        return Ok(None);
    }
    if contents.matches(original).count() != 1 {
        return Err(EditFailure::OriginalChanged);
    }
    Ok(Some(contents.replacen(original, replacement, 1)))
}

/// Where an earlier inserted `block` starts in `above`: where it stands
/// whole, or else where its first non-blank line stands, since a block may
/// itself hold a marker at which other lines were inserted since.
fn block_start(above: &str, block: &str) -> Option<usize> {
    if let Some(start) = above.rfind(block) {
        return Some(start);
    }
    let leading_blank_lines = block.len() - block.trim_start_matches('\n').len();
    let first_line = block
        .trim_start_matches('\n')
        .split_inclusive('\n')
        .next()?;
    let mut offset = 0;
    let mut found = None;
    for line in above.split_inclusive('\n') {
        if line == first_line {
            found = Some(offset);
        }
        offset += line.len();
    }
    let start = found?;
    Some(
        if above[..start].ends_with(&"\n".repeat(leading_blank_lines + 1))
            || leading_blank_lines == 0
        {
            start - leading_blank_lines
        } else {
            start
        },
    )
}

fn is_module_declarations(text: &str) -> bool {
    text.lines()
        .all(|line| line.starts_with("mod ") || line.starts_with("pub mod "))
}

/// Where `block` goes among the module declarations right above the marker
/// (`above` ends where the marker line starts): before the first that sorts
/// after it.
fn sorted_position(above: &str, block: &str) -> usize {
    let mut offset = above.len();
    for line in above.split_inclusive('\n').rev() {
        if !is_module_declarations(line.trim()) || line.trim().is_empty() {
            break;
        }
        if line.trim() < block.trim() {
            break;
        }
        offset -= line.len();
    }
    offset
}

/// `text` with every non-empty line prefixed by `indent`, ending in a newline.
#[must_use]
pub fn indent_block(text: &str, indent: &str) -> String {
    let mut block = String::new();
    for line in text.lines() {
        if !line.is_empty() {
            block.push_str(indent);
            block.push_str(line);
        }
        block.push('\n');
    }
    block
}

/// The byte offset where the marker's line starts, and its indentation.
fn find_marker<'a>(contents: &'a str, marker: &str) -> Option<(usize, &'a str)> {
    let mut offset = 0;
    for line in contents.split_inclusive('\n') {
        if comment_text(line.trim()) == Some(marker) {
            let indent_len = line.len() - line.trim_start().len();
            return Some((offset, &line[..indent_len]));
        }
        offset += line.len();
    }
    None
}

/// The text inside a one-line comment in any syntax plinth's files use.
fn comment_text(line: &str) -> Option<&str> {
    const DELIMITERS: &[(&str, &str)] = &[
        ("//", ""),
        ("#", ""),
        ("{#", "#}"),
        ("<!--", "-->"),
        ("/*", "*/"),
        ("--", ""),
    ];
    DELIMITERS.iter().find_map(|(open, close)| {
        let inner = line.strip_prefix(open)?.strip_suffix(close)?;
        Some(inner.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::{EditFailure, insert_at_marker, replace_exact};

    fn insert_before_marker(
        contents: &str,
        marker: &str,
        text: &str,
    ) -> Result<Option<String>, EditFailure> {
        insert_at_marker(contents, marker, text, &[])
    }

    const MAIN: &str = "fn app() -> Router {\n    Router::new()\n        .route(\"/\", get(index))\n        // plinth:routes\n        .with_state(state)\n}\n";

    #[test]
    fn text_goes_before_the_marker_with_its_indentation() {
        let edited = insert_before_marker(MAIN, "plinth:routes", ".route(\"/a\", get(a))\n")
            .expect("marker found")
            .expect("changed");
        assert!(edited.contains("        .route(\"/a\", get(a))\n        // plinth:routes\n"));
    }

    #[test]
    fn inserting_twice_changes_nothing_the_second_time() {
        let once = insert_before_marker(MAIN, "plinth:routes", "x\n")
            .expect("ok")
            .expect("changed");
        assert_eq!(
            insert_before_marker(&once, "plinth:routes", "x\n"),
            Ok(None)
        );
    }

    #[test]
    fn markers_are_found_in_every_comment_syntax() {
        for line in [
            "# plinth:deps",
            "{# plinth:deps #}",
            "<!-- plinth:deps -->",
            "// plinth:deps",
        ] {
            let contents = format!("a\n  {line}\n");
            let edited = insert_before_marker(&contents, "plinth:deps", "b")
                .expect("found")
                .expect("changed");
            assert_eq!(edited, format!("a\n  b\n  {line}\n"));
        }
    }

    #[test]
    fn a_missing_marker_or_a_prefix_of_one_is_an_error() {
        assert_eq!(
            insert_before_marker(MAIN, "plinth:state", "x"),
            Err(EditFailure::MarkerMissing)
        );
        assert_eq!(
            insert_before_marker(MAIN, "plinth:route", "x"),
            Err(EditFailure::MarkerMissing)
        );
    }

    #[test]
    fn blank_lines_in_inserted_text_carry_no_trailing_spaces() {
        let edited = insert_before_marker(MAIN, "plinth:routes", "a\n\nb\n")
            .expect("ok")
            .expect("changed");
        assert!(edited.contains("        a\n\n        b\n"));
    }

    #[test]
    fn blocks_keep_catalogue_order_whatever_the_order_of_insertion() {
        let later_first = insert_at_marker(MAIN, "plinth:routes", "later\n", &[])
            .expect("ok")
            .expect("changed");
        let both = insert_at_marker(&later_first, "plinth:routes", "earlier\n", &["later\n"])
            .expect("ok")
            .expect("changed");
        assert!(
            both.contains("        earlier\n        later\n        // plinth:routes\n"),
            "{both}"
        );
    }

    #[test]
    fn a_later_block_that_others_extended_is_still_found() {
        let source = "## A\n<!-- plinth:a -->\n\n## Docker\ninserted later\n<!-- plinth:docker -->\n<!-- plinth:readme -->\n";
        let later = "\n## Docker\n<!-- plinth:docker -->\n";
        let edited = insert_at_marker(source, "plinth:readme", "## Sessions\n", &[later])
            .expect("ok")
            .expect("changed");
        assert_eq!(
            edited,
            "## A\n<!-- plinth:a -->\n## Sessions\n\n## Docker\ninserted later\n<!-- plinth:docker -->\n<!-- plinth:readme -->\n"
        );
    }

    #[test]
    fn module_declarations_stay_in_name_order() {
        let source = "//! app\n\nmod static_files;\n// plinth:modules\n";
        let edited = insert_at_marker(source, "plinth:modules", "mod db;\n", &[])
            .expect("ok")
            .expect("changed");
        assert_eq!(
            edited,
            "//! app\n\nmod db;\nmod static_files;\n// plinth:modules\n"
        );
        let edited = insert_at_marker(&edited, "plinth:modules", "mod templates;\n", &[])
            .expect("ok")
            .expect("changed");
        assert_eq!(
            edited,
            "//! app\n\nmod db;\nmod static_files;\nmod templates;\n// plinth:modules\n"
        );
    }

    #[test]
    fn replacing_needs_the_original_exactly_once() {
        assert_eq!(
            replace_exact("a b c", "b", "B"),
            Ok(Some("a B c".to_owned()))
        );
        assert_eq!(replace_exact("a B c", "b", "B"), Ok(None));
        assert_eq!(
            replace_exact("a x c", "b", "B"),
            Err(EditFailure::OriginalChanged)
        );
    }
}

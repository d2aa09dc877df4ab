//! Rendering a handlebars template at the cost of its tags, not of its size. Parsing is
//! nearly all of handlebars' cost (its grammar walks the text byte by byte), a full
//! project renders about 150 KB of templates, and most of those bytes are lines with no
//! tag at all. So a template is cut at line boundaries into runs of plain lines outside
//! any block, copied as they are, and the lines that hold tags or sit inside a block,
//! compiled once per run and rendered. The output is the same as rendering the whole
//! template: a tag's standalone-line rule looks at its own line only. A template using
//! what can reach across lines (`~` whitespace control, comments, raw blocks, partials,
//! `\{{` escapes, inverse sections) is compiled whole.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use handlebars::Handlebars;
use serde_json::Value;

/// A piece of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// Lines copied to the output as they are.
    Plain(&'a str),
    /// Lines handlebars renders.
    Tagged(&'a str),
}

/// The engine with every piece compiled so far, by name, and the source of each.
struct Compiled {
    engine: Handlebars<'static>,
    sources: HashMap<String, String>,
}

static COMPILED: OnceLock<Mutex<Compiled>> = OnceLock::new();

/// Renders `source` with `context` in `engine`'s settings; `name` (the template's path)
/// names its compiled pieces. `Err` is handlebars' message.
pub fn render(
    engine: fn() -> Handlebars<'static>,
    name: &str,
    source: &str,
    context: &Value,
) -> Result<String, String> {
    let mut compiled = COMPILED
        .get_or_init(|| {
            Mutex::new(Compiled {
                engine: engine(),
                sources: HashMap::new(),
            })
        })
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let pieces = pieces(source).unwrap_or_else(|| vec![Piece::Tagged(source)]);
    let mut out = String::with_capacity(source.len());
    for (index, piece) in pieces.into_iter().enumerate() {
        match piece {
            Piece::Plain(text) => out.push_str(text),
            Piece::Tagged(text) => {
                let piece_name = format!("{name}#{index}");
                if compiled.sources.get(&piece_name).map(String::as_str) != Some(text) {
                    compiled
                        .engine
                        .register_template_string(&piece_name, text)
                        .map_err(|error| error.to_string())?;
                    compiled.sources.insert(piece_name.clone(), text.to_owned());
                }
                let rendered = compiled
                    .engine
                    .render(&piece_name, context)
                    .map_err(|error| error.to_string())?;
                out.push_str(&rendered);
            }
        }
    }
    Ok(out)
}

/// `source` cut into plain and tagged runs of lines; `None` when it must be compiled whole.
fn pieces(source: &str) -> Option<Vec<Piece<'_>>> {
    const WHOLE: &[&str] = &["~", "{{!", "{{{{", "{{>", "\\{{", "{{^"];
    let mut pieces = Vec::new();
    let mut depth: i32 = 0;
    let mut start = 0;
    let mut run_is_tagged = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let has_tag = line.contains("{{");
        if has_tag && WHOLE.iter().any(|mark| line.contains(mark)) {
            return None;
        }
        let tagged = has_tag || depth > 0;
        depth += i32::try_from(line.matches("{{#").count()).ok()?;
        depth -= i32::try_from(line.matches("{{/").count()).ok()?;
        if depth < 0 {
            return None;
        }
        if run_is_tagged.is_some_and(|previous| previous != tagged) {
            pieces.push(piece(&source[start..offset], run_is_tagged == Some(true)));
            start = offset;
        }
        run_is_tagged = Some(tagged);
        offset += line.len();
    }
    if depth != 0 {
        return None;
    }
    if start < source.len() {
        pieces.push(piece(&source[start..], run_is_tagged == Some(true)));
    }
    Some(pieces)
}

fn piece(text: &str, tagged: bool) -> Piece<'_> {
    if tagged {
        Piece::Tagged(text)
    } else {
        Piece::Plain(text)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Piece, pieces, render};
    use crate::template::engine;

    /// The same template rendered whole, as handlebars alone would.
    fn whole(source: &str, context: &serde_json::Value) -> String {
        engine().render_template(source, context).expect("renders")
    }

    #[test]
    fn plain_lines_outside_blocks_are_copied_and_the_rest_rendered() {
        let source = "plain\n{{#if a}}\n  inside\n{{/if}}\nx {{name}} y\nplain again\n";
        assert_eq!(
            pieces(source),
            Some(vec![
                Piece::Plain("plain\n"),
                Piece::Tagged("{{#if a}}\n  inside\n{{/if}}\nx {{name}} y\n"),
                Piece::Plain("plain again\n"),
            ])
        );
        for a in [true, false] {
            let context = json!({ "a": a, "name": "N" });
            assert_eq!(
                render(engine, "test-pieces", source, &context).expect("renders"),
                whole(source, &context)
            );
        }
    }

    #[test]
    fn what_reaches_across_lines_is_compiled_whole() {
        for source in [
            "a\n{{~name}}\n",
            "{{!-- a\ncomment --}}\n",
            "\\{{kept}}\n",
            "{{^if a}}\nx\n{{/if}}\n",
            "{{#if a}}\nno end\n",
        ] {
            assert_eq!(pieces(source), None, "{source}");
        }
    }

    #[test]
    fn standalone_block_lines_vanish_as_in_a_whole_template() {
        let source = "fn a() {}\n    {{#if a}}\n    fn b() {}\n    {{/if}}\nfn c() {}";
        for a in [true, false] {
            let context = json!({ "a": a });
            assert_eq!(
                render(engine, "test-standalone", source, &context).expect("renders"),
                whole(source, &context)
            );
        }
    }
}

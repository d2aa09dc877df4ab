//! Rendering a handlebars template at the cost of its tags, not of its size. Parsing is
//! nearly all of handlebars' cost (its grammar walks the text byte by byte), a full
//! project renders about 150 KB of templates, and most of those bytes are lines with no
//! tag at all. So a template is cut at line boundaries into runs of plain lines outside
//! any block, copied as they are, and the lines that hold tags or sit inside a block,
//! compiled once per run and rendered. Inside those, each run of plain lines is compiled
//! as one call of a helper that writes the run back. The output is the same as rendering
//! the whole template: a tag's standalone-line rule looks at its own line only. A
//! template using what can reach across lines (`~` whitespace control, comments, raw
//! blocks, partials, inverse sections) is compiled whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde_json::Value;

/// The helper that writes back a run of plain lines taken out of a compiled piece.
const TEXT_HELPER: &str = "plinth-text";

/// Runs of plain lines shorter than this stay in the piece: parsing them costs less than
/// the helper call.
const SHORTEST_RUN: usize = 80;

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
    /// The runs of plain lines the compiled pieces call `TEXT_HELPER` for, by number.
    texts: Arc<Mutex<Vec<String>>>,
}

impl Compiled {
    fn new(mut engine: Handlebars<'static>) -> Self {
        let texts = Arc::new(Mutex::new(Vec::<String>::new()));
        let helper_texts = Arc::clone(&texts);
        engine.register_helper(
            TEXT_HELPER,
            Box::new(
                move |helper: &Helper<'_>,
                      _: &Handlebars<'_>,
                      _: &Context,
                      _: &mut RenderContext<'_, '_>,
                      out: &mut dyn Output|
                      -> HelperResult {
                    let texts = helper_texts.lock().unwrap_or_else(PoisonError::into_inner);
                    let text = helper
                        .param(0)
                        .and_then(|number| number.value().as_u64())
                        .and_then(|number| usize::try_from(number).ok())
                        .and_then(|number| texts.get(number))
                        .ok_or_else(|| RenderErrorReason::Other(format!("bad {TEXT_HELPER}")))?;
                    out.write(text)?;
                    Ok(())
                },
            ),
        );
        Self {
            engine,
            sources: HashMap::new(),
            texts,
        }
    }

    /// `text` with each long run of plain lines replaced by a `TEXT_HELPER` call that
    /// writes it back. The call keeps the run's last line break, so the lines around it
    /// (a standalone `{{/if}}`, say) are what they were.
    fn skeleton(&self, text: &str) -> String {
        let mut texts = self.texts.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::with_capacity(text.len() / 2);
        let mut run = String::new();
        let mut flush = |run: &mut String, out: &mut String| {
            let body = run.strip_suffix('\n').unwrap_or(run);
            if body.len() < SHORTEST_RUN {
                out.push_str(run);
            } else {
                out.push_str("{{");
                out.push_str(TEXT_HELPER);
                out.push(' ');
                out.push_str(&texts.len().to_string());
                out.push_str("}}");
                if body.len() < run.len() {
                    out.push('\n');
                }
                texts.push(body.to_owned());
            }
            run.clear();
        };
        for line in text.split_inclusive('\n') {
            // A piece holds no line that `Tags::of` refuses; were one there, it is a tag.
            if Tags::of(line).is_none_or(|tags| tags.any) {
                flush(&mut run, &mut out);
                out.push_str(line);
            } else {
                run.push_str(line);
            }
        }
        flush(&mut run, &mut out);
        out
    }
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
        .get_or_init(|| Mutex::new(Compiled::new(engine())))
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
                    let skeleton = compiled.skeleton(text);
                    compiled
                        .engine
                        .register_template_string(&piece_name, skeleton)
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
    let mut pieces = Vec::new();
    let mut depth: i32 = 0;
    let mut start = 0;
    let mut run_is_tagged = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let tags = Tags::of(line)?;
        let tagged = tags.any || depth > 0;
        depth += tags.opens - tags.closes;
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

/// The tags of one line, read in one pass over its bytes (this runs on every line of
/// every template, so it searches for nothing twice).
#[derive(Debug, Default)]
struct Tags {
    /// The line holds a `{{`.
    any: bool,
    /// Blocks the line opens (`{{#`) and closes (`{{/`).
    opens: i32,
    closes: i32,
}

impl Tags {
    /// `None` when the line holds a tag whose effect can reach other lines: `~`
    /// whitespace control, a comment, a raw block, a partial or an inverse section.
    fn of(line: &str) -> Option<Self> {
        let bytes = line.as_bytes();
        let mut tags = Self::default();
        for (index, _) in line.match_indices('{') {
            if bytes.get(index + 1) != Some(&b'{') {
                continue;
            }
            tags.any = true;
            match bytes.get(index + 2) {
                Some(b'#') => tags.opens += 1,
                Some(b'/') => tags.closes += 1,
                Some(b'!' | b'>' | b'^') => return None,
                Some(b'{') if bytes.get(index + 3) == Some(&b'{') => return None,
                _ => {}
            }
        }
        if tags.any && bytes.contains(&b'~') {
            return None;
        }
        Some(tags)
    }
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

    use super::{Compiled, Piece, pieces, render};
    use crate::render::template::engine;

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
            "{{^if a}}\nx\n{{/if}}\n",
            "{{{{raw}}}}\n{{x}}\n{{{{/raw}}}}\n",
            "{{> partial}}\n",
            "{{#if a}}\nno end\n",
        ] {
            assert_eq!(pieces(source), None, "{source}");
        }
        assert!(pieces("{{{triple}}}\n").is_some());
    }

    #[test]
    fn long_plain_runs_inside_blocks_and_escapes_render_as_in_a_whole_template() {
        let long = "    let unchanged = \"a line long enough to leave the compiled piece\";\n";
        let source = format!(
            "{{{{#if a}}}}\n{long}{long}    {{{{#if b}}}}\n{long}    {{{{else}}}}\n{long}    {{{{/if}}}}\n\
             {long}{{{{/if}}}}\n<p>\\{{{{ kept }}}} {{{{name}}}}</p>\n{long}"
        );
        for (a, b) in [(true, true), (true, false), (false, true)] {
            let context = json!({ "a": a, "b": b, "name": "N" });
            assert_eq!(
                render(engine, "test-runs", &source, &context).expect("renders"),
                whole(&source, &context)
            );
        }
    }

    #[test]
    fn the_compiled_skeleton_calls_the_helper_for_long_runs_only() {
        let long = "a plain line that is long enough, with its neighbour, to leave the skeleton\n";
        let source = format!("{{{{#if a}}}}\n{long}{long}{{{{else}}}}\nshort\n{{{{/if}}}}\n");
        let skeleton = Compiled::new(engine()).skeleton(&source);
        assert_eq!(
            skeleton,
            "{{#if a}}\n{{plinth-text 0}}\n{{else}}\nshort\n{{/if}}\n"
        );
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

//! Every file and folder a generated README names exists in the project it describes, and
//! every command it names exists: each `cargo run -- COMMAND` in the project's command
//! line, each `plinth COMMAND` in plinth's. For a bare and a fully grown micro project,
//! and full with and without its optional batteries, on both databases.

// Helpers outside test functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::path::Path;

use common::run;

/// The paths a README names as the project's: each span in backticks that looks like a
/// path inside the project (it has a `/` or a file extension, and no placeholder, URL or
/// command, and where it is), but in the table of features `plinth add` offers and in what it says of
/// the other style; and the first word of each line of its layout.
fn named_paths(readme: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut in_layout = false;
    let mut fenced = false;
    for line in readme.lines() {
        if line.starts_with("## ") {
            in_layout = line == "## Layout";
        }
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if in_layout && fenced {
            if let Some(first) = line
                .split_whitespace()
                .next()
                .filter(|_| !line.starts_with(' '))
            {
                paths.push(first.to_owned());
            }
            continue;
        }
        if line.starts_with("| `") || line.contains("full project's") {
            continue;
        }
        paths.extend(
            line.split('`')
                .skip(1)
                .step_by(2)
                .filter(|span| looks_like_a_path(span))
                .map(str::to_owned),
        );
    }
    paths
}

fn looks_like_a_path(span: &str) -> bool {
    const EXTENSIONS: [&str; 9] = [
        "rs", "html", "css", "toml", "sql", "md", "yml", "txt", "example",
    ];
    let placeholder = span.contains(char::is_whitespace)
        || span.contains(['<', '>', '*', '{', '}', '(', ')', '=', ':', '$'])
        || span.contains("NNNN")
        || span.starts_with(['/', '-']);
    let file = Path::new(span)
        .extension()
        .is_some_and(|extension| EXTENSIONS.contains(&extension.to_string_lossy().as_ref()));
    // A bare file name (`base.html`) is relative to something the sentence says; a
    // path says where it is. `target/` is what cargo makes.
    let placed = span.trim_end_matches('/').contains('/');
    let folder = span.ends_with('/') && span.len() > 1 && span != "target/";
    !placeholder && (file && placed || folder)
}

/// The commands a README gives: the word after `prefix` (`cargo run -- migrate` gives
/// `migrate`) in a span in backticks, or at the start of a line (in a block of code).
fn commands_after(readme: &str, prefix: &str) -> Vec<String> {
    let spans = readme.split('`').skip(1).step_by(2);
    let lines = readme.lines().map(str::trim_start);
    let mut commands: Vec<String> = spans
        .chain(lines)
        .filter_map(|text| text.strip_prefix(prefix))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect();
    commands.sort();
    commands.dedup();
    commands
}

/// Files a README tells the user to make, for something of their own.
const THE_USERS_TO_MAKE: &[&str] = &["templates/posts/list.html"];

#[test]
fn every_path_a_generated_readme_names_exists() {
    let cases: &[&[&str]] = &[
        &["--style", "micro"],
        &[
            "--style",
            "micro",
            "--with",
            "templates,static,db,sessions,csrf,auth,admin,docker,ci",
        ],
        &["--style", "full"],
        &["--style", "full", "--db", "postgres"],
        &["--style", "full", "--without", "admin,docker,ci"],
    ];
    for (number, options) in cases.iter().enumerate() {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let mut args = vec!["new", "app", "--no-git"];
        args.extend_from_slice(options);
        let made = run(scratch.path(), &args);
        assert_eq!(made.code, 0, "{}", made.transcript());
        let root = scratch.path().join("app");
        // The README's example resource, made as it says.
        if options.contains(&"full") {
            let added = run(
                &root,
                &[
                    "add",
                    "resource",
                    "Post",
                    "title:string",
                    "body:text",
                    "published:bool",
                ],
            );
            assert_eq!(added.code, 0, "{}", added.transcript());
        }
        let readme = std::fs::read_to_string(root.join("README.md")).expect("a README");
        let named = named_paths(&readme);
        assert!(
            named.len() > 3,
            "case {number}: too few paths found: {named:?}"
        );
        let missing: Vec<&String> = named
            .iter()
            .filter(|path| !root.join(path.trim_end_matches('/')).exists())
            .filter(|path| !THE_USERS_TO_MAKE.contains(&path.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{options:?}: the README names {missing:?}, which are not there"
        );

        // The project's commands are the variants of `Command` in src/cli.rs (clap names
        // them in lower case), and clap's own `help`.
        let cli = std::fs::read_to_string(root.join("src/cli.rs")).unwrap_or_default();
        let commands = commands_after(&readme, "cargo run -- ");
        if options.contains(&"full") {
            assert!(
                commands.contains(&"createsuperuser".to_owned()),
                "{commands:?}"
            );
        }
        for command in commands {
            let variant = format!("    {}", heck::AsUpperCamelCase(&command));
            assert!(
                command == "help"
                    || cli.lines().any(|line| line.starts_with(&variant)
                        && !line[variant.len()..].starts_with(char::is_alphanumeric)),
                "{options:?}: the README runs `cargo run -- {command}`, which src/cli.rs lacks"
            );
        }
        for command in commands_after(&readme, "plinth ") {
            let help = run(&root, &[command.as_str(), "--help"]);
            assert_eq!(
                help.code,
                0,
                "{options:?}: the README names `plinth {command}`: {}",
                help.transcript()
            );
        }
    }
}

//! plinth's own modules form layers: no top-level module of `src/` (`request`, `render`,
//! `change`, `features`, `resource`, `effects`, ...) reaches, through the `crate::` paths
//! of its code, a module that reaches back to it. Tests inside a module are left out:
//! they may use anything.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each top-level module of `src/` and the top-level modules its code names.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![src.clone()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("src is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|extension| extension != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).expect("below src");
            let first = relative.iter().next().expect("a first part");
            let module = first.to_string_lossy().trim_end_matches(".rs").to_owned();
            let text = fs::read_to_string(&path).expect("UTF-8 source");
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap_or_default();
            let named = dependencies.entry(module.clone()).or_default();
            for (at, _) in code.match_indices("crate::") {
                let rest = &code[at + "crate::".len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // Upper case: an item of the crate root (`crate::VERSION`), not a module.
                if !name.is_empty() && name != module && !name.starts_with(char::is_uppercase) {
                    named.insert(name);
                }
            }
        }
    }
    dependencies
}

/// A path of modules from `from` back to itself, if there is one.
fn cycle_through(
    from: &str,
    dependencies: &BTreeMap<String, BTreeSet<String>>,
) -> Option<Vec<String>> {
    let mut pending = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = pending.pop() {
        let last = path.last().expect("a path is never empty");
        for next in dependencies.get(last).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                pending.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_reaches_back_to_one_that_reaches_it() {
    let dependencies = dependencies();
    assert!(dependencies.contains_key("render") && dependencies.contains_key("change"));
    for module in dependencies.keys() {
        if let Some(cycle) = cycle_through(module, &dependencies) {
            panic!("an import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let dependencies = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        cycle_through("a", &dependencies),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let acyclic = BTreeMap::from([("a".to_owned(), BTreeSet::from(["b".to_owned()]))]);
    assert_eq!(cycle_through("a", &acyclic), None);
}

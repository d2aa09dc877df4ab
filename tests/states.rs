//! Every project plinth can produce compiles cleanly: each state is generated, then
//! `cargo clippy --all-targets -- -D warnings` and `cargo fmt --check` run on it, in
//! lanes (`support/lanes.rs`: one per two cores), each with a target folder its states
//! share (`PLINTH_E2E_TARGET_DIR`, default `target/e2e`, then `target/e2e-lane1`…). Slow,
//! so ignored by default; `.ci/run` runs it.
//!
//! The states are enumerated, not sampled:
//! - micro with every set of features closed under their requirements (what `plinth new
//!   --with` and any sequence of `plinth add` can reach: the byte-equality tests in
//!   `add.rs` show that the order of `add` makes no difference), on SQLite, and on
//!   PostgreSQL when the set holds `db`; a satellite (a feature nothing requires, whose
//!   meetings with others are few: [`satellites`] says which, and why that is enough)
//!   only with each set of the features it meets and with every feature, rather than
//!   with every other set;
//! - full with every set of optional batteries left out, on both databases;
//! - full with the resources the end-to-end suite adds, on both databases, and micro with
//!   a resource without any text field.
//!
//! Features that touch no Rust and no Cargo.toml (`docker`, `ci`) cannot change whether
//! a project compiles; [`features_outside_the_build`] proves which those are, and the
//! enumeration leaves them out instead of multiplying the states by four.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

#[path = "support/cargo.rs"]
mod cargo;
mod common;
#[path = "support/lanes.rs"]
mod lanes;
#[path = "support/resources.rs"]
mod resources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cargo::cargo;
use common::{plinth, read_tree, run};
use lanes::in_lanes;
use plinth::change::lockfile::Lock;
use plinth::features::catalogue::{CATALOGUE, Feature, InFull};

/// Lints and format-checks one generated project with `target` as its target folder, and
/// shows that cargo built it with the versions of the Cargo.lock plinth wrote: it may drop
/// an entry the project does not use, never add one or change a version.
fn compiles_cleanly(project: &Path, target: &Path) {
    let lock = |when: &str| {
        let text = std::fs::read_to_string(project.join("Cargo.lock"))
            .unwrap_or_else(|error| panic!("Cargo.lock {when}: {error}"));
        Lock::parse(&text).expect("a lock cargo reads")
    };
    let written = lock("as generated");
    let target = target.to_str().expect("a UTF-8 path");
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        &[("CARGO_TARGET_DIR", target)],
    );
    cargo(project, &["fmt", "--check"], &[]);
    let built: Vec<_> = written.versions().collect();
    for (name, version) in lock("after the build").versions() {
        assert!(
            built.contains(&(name, version)),
            "cargo took {name} {version}, which plinth did not lock, in {}",
            project.display()
        );
    }
}

/// Generates `plinth new NAME ARGS…` in `scratch`.
fn generate(scratch: &Path, name: &str, args: &[&str]) -> PathBuf {
    let mut all = vec!["new", name, "--no-git"];
    all.extend_from_slice(args);
    let result = run(scratch, &all);
    assert_eq!(result.code, 0, "plinth {all:?}\n{}", result.stderr);
    scratch.join(name)
}

/// The features that change only files outside the build (no `.rs`, no Cargo.toml, no
/// `build.rs`), in both styles: adding one to any project leaves what cargo compiles as it
/// was. Checked on the largest projects, where each has the most to edit.
fn features_outside_the_build(scratch: &Path) -> Vec<&'static str> {
    let compiled = |path: &str| {
        Path::new(path)
            .extension()
            .is_some_and(|extension| extension == "rs")
            || path == "Cargo.toml"
    };
    let requires = |id: &str, other: &str| {
        plinth::features::catalogue::resolve(&[id.to_owned()])
            .expect("known")
            .iter()
            .any(|feature| feature.id == other)
    };
    let mut outside = Vec::new();
    for feature in CATALOGUE {
        let id = feature.id;
        // Everything that can be installed without it, so that `add` really adds it.
        let rest: Vec<&str> = CATALOGUE
            .iter()
            .map(|other| other.id)
            .filter(|other| !requires(other, id))
            .collect();
        let with_rest = rest.join(",");
        let mut cases = vec![
            vec!["--style", "micro", "--db", "sqlite", "--with", &with_rest],
            vec!["--style", "micro", "--db", "postgres", "--with", &with_rest],
        ];
        if feature.in_full == InFull::Optional {
            cases.push(vec!["--style", "full", "--db", "postgres", "--without", id]);
        }
        let mut untouched = true;
        for (number, args) in cases.iter().enumerate() {
            let root = scratch.join(format!("outside-{id}-{number}"));
            std::fs::create_dir_all(&root).expect("mkdir");
            let project = generate(&root, "outside", args);
            let before = read_tree(&project);
            let added = run(&project, &["add", id]);
            assert_eq!(added.code, 0, "plinth add {id}\n{}", added.stderr);
            let after = read_tree(&project);
            assert_ne!(
                before, after,
                "plinth add {id} after {args:?} changed nothing"
            );
            let changed = |path: &&String| before.get(*path) != after.get(*path);
            let metadata_only = |path: &String| {
                path == "Cargo.toml"
                    && strip_metadata(&before[path.as_str()])
                        == strip_metadata(&after[path.as_str()])
            };
            untouched &= after
                .keys()
                .chain(before.keys())
                .filter(changed)
                .all(|path| !compiled(path) || metadata_only(path));
        }
        if untouched {
            outside.push(id);
        }
    }
    outside
}

/// Cargo.toml without its `[package.metadata.plinth]` table, which cargo does not read.
fn strip_metadata(manifest: &[u8]) -> String {
    let text = String::from_utf8_lossy(manifest);
    let mut kept = Vec::new();
    let mut in_metadata = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_metadata = line == "[package.metadata.plinth]";
        }
        if !in_metadata {
            kept.push(line);
        }
    }
    kept.join("\n")
}

#[test]
#[ignore = "slow: generates many projects (run by .ci/run)"]
fn only_docker_and_ci_stay_outside_the_build() {
    let scratch = tempfile::tempdir().expect("tempdir");
    assert_eq!(features_outside_the_build(scratch.path()), ["docker", "ci"]);
}

/// Every set of optional batteries whose leaving out keeps the rest of a full project
/// whole (what is left holds each member's requirements), as `--without` allows.
fn sets_full_can_leave_out(features: &[&'static Feature]) -> Vec<Vec<&'static str>> {
    let in_full: Vec<&Feature> = features
        .iter()
        .copied()
        .filter(|feature| feature.in_full != InFull::Never)
        .collect();
    let optional: Vec<&str> = in_full
        .iter()
        .filter(|feature| feature.in_full == InFull::Optional)
        .map(|feature| feature.id)
        .collect();
    let mut sets = Vec::new();
    for mask in 0_u32..(1 << optional.len()) {
        let left_out: Vec<&str> = optional
            .iter()
            .enumerate()
            .filter(|(bit, _)| mask & (1 << bit) != 0)
            .map(|(_, id)| *id)
            .collect();
        let kept: Vec<&str> = in_full
            .iter()
            .map(|feature| feature.id)
            .filter(|id| !left_out.contains(id))
            .collect();
        let whole = in_full
            .iter()
            .filter(|feature| kept.contains(&feature.id))
            .all(|feature| feature.requires.iter().all(|id| kept.contains(id)));
        if whole {
            sets.push(left_out);
        }
    }
    sets
}

#[test]
fn full_can_leave_out_the_admin_mail_and_jobs() {
    let compiled: Vec<&Feature> = CATALOGUE
        .iter()
        .filter(|feature| !["docker", "ci"].contains(&feature.id))
        .collect();
    assert_eq!(
        sets_full_can_leave_out(&compiled),
        [
            vec![],
            vec!["admin"],
            vec!["mail"],
            vec!["admin", "mail"],
            vec!["jobs"],
            vec!["admin", "jobs"],
            vec!["mail", "jobs"],
            vec!["admin", "mail", "jobs"]
        ]
    );
}

/// Whether `a` meets `b` in the code, in either direction: a `with/` folder of one for the
/// other, an edit of one made only beside the other (`when`), or a template of one that
/// asks whether the other is installed (`features.X`).
fn meet(a: &str, b: &str) -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/features");
    let recipe = |id: &str| {
        std::fs::read_to_string(root.join(id).join("feature.toml.hbs")).expect("a recipe")
    };
    let meets = |id: &str, other: &str| {
        root.join(id).join("with").join(other).exists()
            || recipe(id).contains(&format!("when = \"{other}\""))
            || read_tree(&root.join(id))
                .into_values()
                .any(|bytes| String::from_utf8_lossy(&bytes).contains(&format!("features.{other}")))
    };
    meets(a, b) || meets(b, a)
}

/// The satellites and their contexts: features the states need not enumerate with every
/// set of the others. A satellite is a feature that changes other features' files only by
/// insertions at markers, and replaces text (`find`/`replace`) only at places no other
/// feature edits, so only the style's own text. Its context is every feature it meets
/// (`meet`), every feature those meet, and so on.
///
/// Why that is enough: leaving a satellite out of a project changes exactly its own
/// contributions (its files, its insertions and replacements, the `with/` folders and
/// `when` edits of it and for it), so every state without it is one of the other sets, all
/// enumerated (a set that requires it holds it). In a state with it, what its contributions
/// are, and what the code they refer to is, depend only on which features of its context
/// are installed (its requirements always are): so the states hold, for each set of its
/// context, the smallest project with the satellite and that set. Where its lines land at
/// shared markers is tried alone (the smallest project), beside the features that require
/// it (every set holding them), and beside every other feature's (the project with every
/// feature). Chosen from the end of the catalogue, a satellite is in no other satellite's
/// context.
fn satellites(features: &[&'static Feature]) -> Vec<(&'static str, Vec<&'static str>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/features");
    let recipe = |id: &str| {
        std::fs::read_to_string(root.join(id).join("feature.toml.hbs")).expect("a recipe")
    };
    // Whether a replacement of `id` is at a place another feature edits too, or in a file.
    let replaces = |id: &str| {
        recipe(id)
            .split("[[edit]]")
            .filter(|edit| edit.contains("\nfind = "))
            .any(|edit| {
                let Some(place) = edit.lines().find_map(|line| line.strip_prefix("place = "))
                else {
                    return true;
                };
                features.iter().any(|other| {
                    other.id != id
                        && recipe(other.id)
                            .lines()
                            .any(|line| line.ends_with(&format!("= {place}")))
                })
            })
    };
    let context = |id: &'static str| -> Vec<&'static str> {
        let mut found: Vec<&'static str> = Vec::new();
        let mut pending = vec![id];
        while let Some(next) = pending.pop() {
            for other in features.iter().map(|feature| feature.id) {
                if other != id && !found.contains(&other) && meet(next, other) {
                    found.push(other);
                    pending.push(other);
                }
            }
        }
        features
            .iter()
            .map(|feature| feature.id)
            .filter(|other| found.contains(other))
            .collect()
    };
    let mut chosen: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for feature in features.iter().rev() {
        if replaces(feature.id) {
            continue;
        }
        let around = context(feature.id);
        let entangled = chosen
            .iter()
            .any(|(id, theirs)| around.contains(id) || theirs.contains(&feature.id));
        if !entangled {
            chosen.push((feature.id, around));
        }
    }
    chosen
}

#[test]
fn jobs_limits_and_csrf_are_the_satellites() {
    let compiled: Vec<&Feature> = CATALOGUE
        .iter()
        .filter(|feature| !["docker", "ci"].contains(&feature.id))
        .collect();
    assert_eq!(
        satellites(&compiled),
        [
            ("jobs", vec!["auth", "admin", "mail"]),
            ("limits", vec![]),
            ("csrf", vec!["templates", "static", "db", "sessions"])
        ]
    );
}

/// The feature sets of the micro states: every set of the features that are not
/// satellites, closed under their requirements (with the satellites they require); for
/// each satellite and each set of its context, the smallest set that holds both; and the
/// set of every feature.
fn micro_sets(
    features: &[&'static Feature],
    satellites: &[(&'static str, Vec<&'static str>)],
) -> Vec<Vec<&'static str>> {
    let core: Vec<&'static Feature> = features
        .iter()
        .copied()
        .filter(|feature| !satellites.iter().any(|(id, _)| *id == feature.id))
        .collect();
    let in_order = |ids: &[&str]| -> Vec<&'static str> {
        features
            .iter()
            .map(|feature| feature.id)
            .filter(|id| ids.contains(id))
            .collect()
    };
    let mut sets: Vec<Vec<&'static str>> = closed_sets(&core)
        .iter()
        .map(|set| {
            let wanted: Vec<String> = set.iter().map(|id| (*id).to_owned()).collect();
            let resolved = plinth::features::catalogue::resolve(&wanted).expect("known");
            in_order(
                &resolved
                    .iter()
                    .map(|feature| feature.id)
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    for (id, context) in satellites {
        for mask in 0_u32..(1 << context.len()) {
            let mut wanted = vec![(*id).to_owned()];
            wanted.extend(
                context
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| mask & (1 << bit) != 0)
                    .map(|(_, other)| (*other).to_owned()),
            );
            let smallest = plinth::features::catalogue::resolve(&wanted).expect("known");
            let ids: Vec<&str> = smallest.iter().map(|feature| feature.id).collect();
            let set = in_order(&ids);
            if !sets.contains(&set) {
                sets.push(set);
            }
        }
    }
    let every: Vec<&str> = features.iter().map(|feature| feature.id).collect();
    if !sets.contains(&every) {
        sets.push(every);
    }
    sets
}

#[test]
fn micro_sets_hold_each_satellite_with_each_set_of_its_context_and_everything() {
    let features: Vec<&Feature> = CATALOGUE
        .iter()
        .filter(|feature| !["docker", "ci"].contains(&feature.id))
        .collect();
    let sets = micro_sets(&features, &[("jobs", vec!["mail"]), ("limits", vec![])]);
    let with_jobs: Vec<&Vec<&str>> = sets.iter().filter(|set| set.contains(&"jobs")).collect();
    assert_eq!(with_jobs.len(), 3, "{with_jobs:?}");
    assert_eq!(with_jobs[0], &vec!["db", "jobs"]);
    assert_eq!(with_jobs[1], &vec!["templates", "db", "mail", "jobs"]);
    assert_eq!(with_jobs[2].len(), features.len());
    assert!(sets.contains(&Vec::new()));
    assert!(
        sets.contains(&vec!["templates", "mail"]),
        "mail is not a satellite here"
    );
    // A satellite that others require is in every set that holds one of them.
    let with_limits: Vec<&Vec<&str>> = sets.iter().filter(|set| set.contains(&"limits")).collect();
    assert!(with_limits.contains(&&vec!["limits"]), "{with_limits:?}");
    assert!(
        sets.iter()
            .all(|set| !set.contains(&"auth") || set.contains(&"limits"))
    );
    assert!(
        with_limits
            .iter()
            .all(|set| set.len() == 1 || set.contains(&"auth")),
        "{with_limits:?}"
    );
}

/// `plinth add resource` argument lists, one per resource.
type ResourceList = &'static [&'static [&'static str]];

/// Every set of `features` that holds each member's requirements among `features`,
/// smallest first.
fn closed_sets(features: &[&'static Feature]) -> Vec<Vec<&'static str>> {
    let mut sets = Vec::new();
    for mask in 0_u32..(1 << features.len()) {
        let set: Vec<&str> = features
            .iter()
            .enumerate()
            .filter(|(bit, _)| mask & (1 << bit) != 0)
            .map(|(_, feature)| feature.id)
            .collect();
        let closed = features
            .iter()
            .filter(|feature| set.contains(&feature.id))
            .all(|feature| {
                feature
                    .requires
                    .iter()
                    .all(|id| set.contains(id) || !features.iter().any(|other| other.id == *id))
            });
        if closed {
            sets.push(set);
        }
    }
    sets.sort_by_key(Vec::len);
    sets
}

#[test]
fn closed_sets_hold_their_requirements_and_nothing_else() {
    let sets = closed_sets(&CATALOGUE.iter().collect::<Vec<_>>());
    assert!(sets.contains(&Vec::new()));
    assert!(sets.contains(&vec!["sessions", "csrf"]));
    assert!(!sets.iter().any(|set| set == &vec!["csrf"]));
    let all: Vec<&str> = CATALOGUE.iter().map(|feature| feature.id).collect();
    assert!(sets.contains(&all));
}

#[test]
#[ignore = "slow: compiles every state plinth can produce (run by .ci/run)"]
fn every_state_plinth_can_produce_compiles_cleanly() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let outside = features_outside_the_build(scratch.path());
    eprintln!("features outside the build: {outside:?}");
    let compiled: Vec<&Feature> = CATALOGUE
        .iter()
        .filter(|feature| !outside.contains(&feature.id))
        .collect();

    let satellites = satellites(&compiled);
    eprintln!("satellites and their contexts: {satellites:?}");
    let mut states: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for set in micro_sets(&compiled, &satellites) {
        let databases: &[&str] = if set.contains(&"db") {
            &["sqlite", "postgres"]
        } else {
            &["sqlite"]
        };
        for db in databases {
            let mut args = vec!["--style", "micro", "--db", db];
            let with = set.join(",");
            if !set.is_empty() {
                args.extend(["--with", &with]);
            }
            let name = format!("micro {db} [{with}]");
            states.insert(name, args.iter().map(|arg| (*arg).to_owned()).collect());
        }
    }
    for left_out in sets_full_can_leave_out(&compiled) {
        for db in ["sqlite", "postgres"] {
            let mut args = vec!["--style", "full", "--db", db];
            let without = left_out.join(",");
            if !left_out.is_empty() {
                args.extend(["--without", &without]);
            }
            let name = format!("full {db} without [{without}]");
            states.insert(name, args.iter().map(|arg| (*arg).to_owned()).collect());
        }
    }

    // Full with the end-to-end suite's resources on both databases, and micro with a
    // resource that has no text field at all (no label, no search): the two ends of what
    // a resource's field list changes in the generated code. The micro project gets the
    // admin after its resource (`add admin` then registers it), the full ones before.
    let micro_resource: ResourceList = &[&["Reading", "value:float", "taken_on:date?", "ok:bool"]];
    let with_resources: [(&str, &[&str], ResourceList, &[&str]); 3] = [
        ("sqlite", &["--style", "full"], resources::E2E, &[]),
        (
            "postgres",
            &["--style", "full", "--db", "postgres"],
            resources::E2E,
            &[],
        ),
        (
            "sqlite",
            &["--style", "micro"],
            micro_resource,
            &["add", "admin"],
        ),
    ];
    let mut work: Vec<State> = states
        .into_iter()
        .map(|(name, args)| State {
            name,
            args,
            resources: &[],
            after: Vec::new(),
        })
        .collect();
    work.extend(
        with_resources
            .iter()
            .map(|(db, args, resources, after)| State {
                name: format!("{args:?} {db} with resources"),
                args: args.iter().map(|arg| (*arg).to_owned()).collect(),
                resources,
                after: after.to_vec(),
            }),
    );
    // Full with each extra (a feature full never has) added, as its user would add it.
    for extra in compiled
        .iter()
        .filter(|feature| feature.in_full == InFull::Never)
    {
        for db in ["sqlite", "postgres"] {
            work.push(State {
                name: format!("full {db} + add {}", extra.id),
                args: ["--style", "full", "--db", db].map(str::to_owned).to_vec(),
                resources: &[],
                after: vec!["add", extra.id],
            });
        }
    }

    let started = Instant::now();
    let total = work.len();
    in_lanes(work, |state, number, target| {
        eprintln!("state {}/{total}: {}", number + 1, state.name);
        let root = scratch.path().join(format!("state-{number}"));
        std::fs::create_dir_all(&root).expect("mkdir");
        compiles_cleanly(&state.generate(&root, &format!("state-{number}")), target);
    });
    eprintln!(
        "{total} states compiled cleanly in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// A project to generate and compile: `plinth new` with `args`, then a resource for each
/// of `resources`, then the `plinth` command `after`, if any.
struct State {
    name: String,
    args: Vec<String>,
    resources: ResourceList,
    after: Vec<&'static str>,
}

impl State {
    fn generate(&self, root: &Path, name: &str) -> PathBuf {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let project = generate(root, name, &args);
        let commands = self.resources.iter().map(|resource| {
            let mut all = vec!["add", "resource", "--yes"];
            all.extend_from_slice(resource);
            all
        });
        let after = (!self.after.is_empty()).then(|| self.after.clone());
        for all in commands.chain(after) {
            let output = plinth(&project, &all).output().expect("plinth runs");
            assert!(
                output.status.success(),
                "plinth {all:?}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        project
    }
}

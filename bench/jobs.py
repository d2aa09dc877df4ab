#!/usr/bin/env python3
"""Background jobs: plinth's generated queue against apalis 1.0, on SQLite and on
PostgreSQL, with one worker and with three, in turns.

    python3 bench/jobs.py [--rounds 3] [--jobs 10000] [--plinth PATH] [--work DIR]
                          [--postgres postgres://postgres@127.0.0.1:5432]

Each run queues JOBS no-op jobs (plinth: `Enqueue::push_all` in one transaction; apalis:
`push_bulk`), times the workers (four jobs at a time each, a pool each) running them all,
then the time from queueing one job on an idle worker to its end (median of twenty).
A fresh database each run. Prints the medians of the rounds and plinth's ratios to
apalis, and writes bench/out/results.json (as `jobs`).
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SPEC = importlib.util.spec_from_file_location("bench", BENCH / "bench.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

NAME = "benchq"
# Seconds one measured run may take before the bench stops with what it printed.
TIMEOUT = 600


def run(command, cwd, env=None, timeout=None):
    """Runs `command`, failing the bench with its output when it fails or outlasts
    `timeout` seconds; its stdout."""
    try:
        done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})},
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        raise SystemExit(f"{command} took more than {timeout} s:\n{expired.stdout}\n"
                         f"{expired.stderr}") from expired
    if done.returncode != 0:
        raise SystemExit(f"{command} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def plinth_project(plinth, work, db, target):
    """A full project on `db` with the bench's job and binary, built in release mode."""
    folder = work / db
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    run([plinth, "new", NAME, "--style", "full", "--db", db, "--no-git", "--yes"], folder)
    project = folder / NAME
    source = BENCH / "jobs" / "plinth"
    shutil.copy(source / "bench_job.rs", project / "src" / "bench_job.rs")
    (project / "src" / "bin").mkdir()
    shutil.copy(source / "jobs_bench.rs", project / "src" / "bin" / "jobs_bench.rs")
    lib = project / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("// plinth:modules",
                                           "pub mod bench_job;\n// plinth:modules", 1))
    jobs = project / "src" / "jobs" / "mod.rs"
    jobs.write_text(jobs.read_text().replace(
        "// plinth:jobs", "Registered::of::<crate::bench_job::Noop>(),\n    // plinth:jobs", 1))
    # A target folder per database: both projects build a `jobs_bench` of the same crate.
    run(["cargo", "build", "--release", "--bin", "jobs_bench"], project,
        {"CARGO_TARGET_DIR": str(target / db)})
    return project


def apalis_binary(target):
    """bench/jobs/apalis, built in release mode."""
    run(["cargo", "build", "--release"], BENCH / "jobs" / "apalis",
        {"CARGO_TARGET_DIR": str(target)})
    return target / "release" / "apalis-bench"


def fresh_database(postgres, name):
    """A new, empty PostgreSQL database; its URL."""
    run(["psql", f"{postgres}/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}",
         "-c", f"CREATE DATABASE {name}"], BENCH)
    return f"{postgres}/{name}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--plinth", default=str(bench.PLINTH))
    parser.add_argument("--work", default="/tmp/plinth-bench/jobs")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    target = work / "target"
    projects = {db: plinth_project(args.plinth, work, db, target)
                for db in ["sqlite", "postgres"]}
    apalis = apalis_binary(target)

    samples = {}
    for _ in range(args.rounds):
        for db in ["sqlite", "postgres"]:
            for workers in [1, 3]:
                for engine in ["plinth", "apalis"]:
                    if db == "sqlite":
                        path = work / f"{engine}.db"
                        for suffix in ["", "-wal", "-shm"]:
                            Path(f"{path}{suffix}").unlink(missing_ok=True)
                        url = f"sqlite:{path}?mode=rwc"
                    else:
                        url = fresh_database(args.postgres, f"jobs_bench_{engine}")
                    if engine == "plinth":
                        output = run([str(target / db / "release" / "jobs_bench"), str(args.jobs),
                                      str(workers)], projects[db], {"DATABASE_URL": url}, TIMEOUT)
                    else:
                        output = run([str(apalis), db, url, str(args.jobs), str(workers)],
                                     BENCH, timeout=TIMEOUT)
                    figures = json.loads(output.strip().splitlines()[-1])
                    print(db, workers, engine, figures, flush=True)
                    samples.setdefault((db, workers, engine), []).append(figures)

    results = {"jobs": args.jobs, "rounds": args.rounds, "runs": []}
    for (db, workers, engine), runs in sorted(samples.items()):
        median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        results["runs"].append({"db": db, "workers": workers, "engine": engine, **median})
    for row in results["runs"]:
        if row["engine"] != "plinth":
            continue
        peer = next(other for other in results["runs"] if other["engine"] == "apalis"
                    and other["db"] == row["db"] and other["workers"] == row["workers"])
        row["ratios_to_apalis"] = {
            "enqueue": round(row["enqueue_per_s"] / peer["enqueue_per_s"], 2),
            "complete": round(row["complete_per_s"] / peer["complete_per_s"], 2),
            "latency": round(row["latency_ms"] / peer["latency_ms"], 2),
        }
    print(json.dumps(bench.save("jobs", results), indent=2))


if __name__ == "__main__":
    main()

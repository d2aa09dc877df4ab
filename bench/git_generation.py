#!/usr/bin/env python3
"""What the first commit costs `plinth new`: a full project generated with and without its
git repository, in turns (so a slow spell of the machine hits both alike), medians.

    python3 bench/git_generation.py [--runs 30] [--plinth PATH] [--work DIR]

Prints the two medians and their ratio, and writes bench/out/results.json (as `git_generation`).
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SPEC = importlib.util.spec_from_file_location("bench", BENCH / "bench.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def generate(plinth, scratch, extra):
    """Seconds one `plinth new app --style full` takes in a fresh folder of `scratch`."""
    folder = tempfile.mkdtemp(dir=scratch)
    # A home of its own: no git identity or configuration of the machine's user.
    env = {**os.environ, "HOME": folder}
    started = time.perf_counter()
    subprocess.run([plinth, "new", "app", "--style", "full", *extra], cwd=folder, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - started
    shutil.rmtree(folder)
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plinth", default=str(bench.PLINTH))
    parser.add_argument("--work", default="/tmp/plinth-bench/git-generation")
    args = parser.parse_args()
    scratch = Path(args.work)
    scratch.mkdir(parents=True, exist_ok=True)
    without, with_git = [], []
    for _ in range(args.runs):
        without.append(generate(args.plinth, scratch, ["--no-git"]))
        with_git.append(generate(args.plinth, scratch, []))
    figures = {
        "runs": args.runs,
        "without_git_ms": round(statistics.median(without) * 1000, 1),
        "with_git_ms": round(statistics.median(with_git) * 1000, 1),
    }
    figures["ratio"] = round(figures["with_git_ms"] / figures["without_git_ms"], 2)
    print(json.dumps(bench.save("git_generation", figures), indent=2))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Instructions a request costs, counted by callgrind: a fresh micro project's `GET /`
against a bare axum hello world's, both release builds.

Throughput on a shared machine drifts by more than the few percent between these two
servers (bench/RESULTS.md: the same hello world binary against itself, in turns, spreads
0.66-1.42x round to round). Callgrind counts the instructions the server's own process
runs, which do not depend on what else the machine is doing: the same binary and the
same requests give the same count. It does not count the kernel's work (reading and
writing the socket), which is the same for both servers but for a few bytes of headers,
so the ratio here is the user-space side of the serving ratio, not the serving ratio.

Each server is run twice under callgrind, answering `FEW` and then `FEW + MANY` requests
on one keep-alive connection (curl's URL globbing), and the difference divided by `MANY`
is the cost of one request, start-up and shut-down left out.

    python3 bench/instructions.py [--work DIR] [--many N]

Needs valgrind and curl; plinth is built in release mode.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the shared helpers: paths, the hello world, builds, ports)

FEW = 200


def total_instructions(binary, requests, out):
    """Starts `binary` under callgrind, sends `requests` GET / on one connection, stops it
    with SIGTERM, and returns the instructions callgrind counted in all."""
    port = bench.free_port()
    out.unlink(missing_ok=True)
    # RUST_LOG would turn micro's request tracing on: both servers run with their defaults.
    environment = {key: value for key, value in os.environ.items() if key != "RUST_LOG"}
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary)],
        env={**environment, "PORT": str(port)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        bench.wait_for_port(port, server, seconds=120)
        subprocess.run(["curl", "-s", "--max-time", "600", "-o", "/dev/null",
                        f"http://127.0.0.1:{port}/?[1-{requests}]"], check=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    summary = re.search(r"^summary: (\d+)$", out.read_text(), re.M)
    return int(summary.group(1))


def per_request(binary, many, work):
    name = binary.name
    few = total_instructions(binary, FEW, work / f"{name}.few.callgrind")
    more = total_instructions(binary, FEW + many, work / f"{name}.more.callgrind")
    return (more - few) / many


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/plinth-bench/instructions"))
    parser.add_argument("--many", type=int, default=2000)
    args = parser.parse_args()
    for tool in ("valgrind", "curl"):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} is not installed\nhelp: apt-get install {tool}")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    bench.run(["cargo", "build", "--release", "--locked"], cwd=bench.ROOT, capture=True)
    target = work / "target"
    micro = work / "micro"
    shutil.rmtree(micro, ignore_errors=True)
    bench.run([bench.PLINTH, "new", micro, "--style", "micro", "--yes", "--no-git"], capture=True)
    hello = work / "axum-hello"
    if not hello.exists():
        bench.axum_hello(hello)
        # The crates both use (axum, hyper, tokio) at the versions micro's lock holds.
        shutil.copy(micro / "Cargo.lock", hello / "Cargo.lock")
    for folder in (micro, hello):
        bench.run(["cargo", "build", "--release"], cwd=folder,
                  env={"CARGO_TARGET_DIR": str(target)}, capture=True)
    counts = {
        "micro GET /": per_request(bench.binary(target, "micro"), args.many, work),
        "axum hello GET /": per_request(bench.binary(target, "axum-hello"), args.many, work),
    }
    for label, count in counts.items():
        print(f"{label:<18} {count:>9,.0f} instructions a request")
    ratio = counts["micro GET /"] / counts["axum hello GET /"]
    print(f"micro / axum hello: {ratio:.3f}x")


if __name__ == "__main__":
    main()

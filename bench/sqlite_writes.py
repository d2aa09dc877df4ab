#!/usr/bin/env python3
"""A write-heavy load on a full plinth project's SQLite database: 64 connections of wrk
posting rows to the JSON API of a resource for 60 s, as a logged-in user.

Reports requests/s, the write-ahead log's peak size (sampled every 100 ms), the rows in
the table against the requests acknowledged (2xx), and how often the server logged
"database is locked". The figures go to bench/out/results.json (as `sqlite_writes`) and are printed.

    python3 bench/sqlite_writes.py [--seconds 60] [--connections 64] [--plinth PATH]

Needs wrk and a release build of plinth (or `--plinth`); builds the project in
--work (default /tmp/plinth-bench/sqlite-writes).
"""

import argparse
import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SPEC = importlib.util.spec_from_file_location("bench", BENCH / "bench.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

NAME = "writes"
PASSWORD = bench.PASSWORD

# Each request posts one row of about 450 bytes, numbered so every row differs.
POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("BENCH_TOKEN")
counter = 0
request = function()
  counter = counter + 1
  local body = '{"title": "note ' .. counter .. '", "body": "' .. string.rep("x", 400) .. '"}'
  return wrk.format(nil, "/api/notes", nil, body)
end
"""


def project(work, plinth):
    folder = work / NAME
    if not (folder / "Cargo.toml").exists():
        work.mkdir(parents=True, exist_ok=True)
        bench.run([plinth, "new", NAME, "--style", "full", "--no-git"], cwd=work)
        bench.run([plinth, "add", "resource", "Note", "title:string", "body:text", "--api"],
                  cwd=folder)
    target = work / "target"
    bench.release_build(folder, target)
    return folder, bench.binary(target, NAME)


class LoggedServer(bench.Server):
    """A server whose log (stdout and stderr) goes to `log`."""

    def __init__(self, command, cwd, log):
        self.port = bench.free_port()
        self.process = subprocess.Popen(
            [str(part) for part in command], cwd=cwd, env={**os.environ, "PORT": str(self.port)},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        bench.wait_for_port(self.port, self.process)


def login(server):
    """The session cookie and the CSRF token of the superuser."""
    cookies = bench.Cookies()
    _, page = cookies.request(server.url("/login"))
    token = bench.hidden_input(page, "csrf_token")
    status, _ = cookies.request(server.url("/login"), {
        "email": "admin@example.com", "password": PASSWORD, "csrf_token": token})
    if status != 303:
        raise RuntimeError(f"login answered {status}")
    _, home = cookies.request(server.url("/"))
    return cookies.header()[len("Cookie: "):], bench.hidden_input(home, "csrf_token")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--plinth", default=str(bench.PLINTH))
    parser.add_argument("--work", default="/tmp/plinth-bench/sqlite-writes")
    args = parser.parse_args()

    folder, app = project(Path(args.work), args.plinth)
    database = folder / f"{NAME}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    bench.run([app, "migrate"], cwd=folder)
    bench.run([app, "createsuperuser", "--email", "admin@example.com", "--no-input"],
              cwd=folder, env={"SUPERUSER_PASSWORD": PASSWORD})

    # The server's own log, to count "database is locked".
    log_path = Path(args.work) / "server.log"
    server_log = open(log_path, "w")
    server = LoggedServer([app], folder, server_log)
    try:
        cookie, token = login(server)
        script = Path(args.work) / "post.lua"
        script.write_text(POST_LUA)
        wal = Path(f"{database}-wal")
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                try:
                    peak[0] = max(peak[0], wal.stat().st_size)
                except FileNotFoundError:
                    pass
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        output = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script),
             server.url("/")],
            env={**os.environ, "BENCH_COOKIE": cookie, "BENCH_TOKEN": token},
            capture_output=True, text=True, check=True).stdout
        done.set()
        sampler.join()
    finally:
        server.stop()
        server_log.close()

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    failed = int(failed.group(1)) if failed else 0
    errors = re.search(r"Socket errors:.*", output)
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT COUNT(*) FROM notes").fetchone()[0]
    figures = {
        "seconds": args.seconds,
        "connections": args.connections,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "acknowledged": requests - failed,
        "failed": failed,
        "socket_errors": errors.group(0) if errors else "none",
        "rows": rows,
        "wal_peak_mib": round(peak[0] / 1024 / 1024, 1),
        "database_mib": round(database.stat().st_size / 1024 / 1024, 1),
        "database_is_locked": log_path.read_text().count("database is locked"),
    }
    print(json.dumps(bench.save("sqlite_writes", figures), indent=2))


if __name__ == "__main__":
    main()

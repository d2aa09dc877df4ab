#!/usr/bin/env python3
"""plinth's benchmarks against the tools a user would pick instead, in one run.

Three speeds users feel:

1. generation: `plinth new` against `cp -r` of the very tree it writes (the floor),
   `django-admin startproject`, cookiecutter on a template of the same size, `loco new`;
2. builds of generated projects: cold `cargo build` (fresh target folder) time and
   crates compiled, and the rebuild after editing one handler, against a bare axum
   hello world (the floor) and Loco's SaaS starter;
3. serving (release builds, wrk after a warm-up, on 127.0.0.1): requests per second,
   p50/p99 latency and the server's peak memory, against Flask and Django under
   gunicorn (2 workers), a bare axum hello world and Loco.

Run `bench/setup.sh` once, then `bench/bench.py`; see bench/README.md. Figures are
medians of several runs; the report states each ratio against the peers. Nothing here
is a test: it measures and prints.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = BENCH / ".venv" / "bin"
PLINTH = ROOT / "target" / "release" / "plinth"
PASSWORD = "bench-Horse-battery-staple"

AXUM_HELLO_MANIFEST = """[package]
name = "axum-hello"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
axum = "0.8"
tokio = { version = "1", features = ["macros", "net", "rt-multi-thread"] }
"""

AXUM_HELLO_MAIN = """use axum::{Router, routing::get};

async fn index() -> &'static str {
    "Hello, world!"
}

#[tokio::main]
async fn main() {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    let app = Router::new().route("/", get(index));
    axum::serve(listener, app).await.expect("serve");
}
"""

FLASK_APP = """from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello, world!"
"""


# ---------------------------------------------------------------------------------------
# Helpers


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(command, cwd=None, env=None, check=True, capture=False):
    """Runs a command; returns its CompletedProcess."""
    merged = dict(os.environ)
    if env:
        merged.update(env)
    result = subprocess.run(
        command,
        cwd=cwd,
        env=merged,
        check=False,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or "")[-2000:] if capture else ""
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode})\n{detail}")
    return result


def have(tool):
    return shutil.which(tool) is not None


def hyperfine(name, command, prepare=None, runs=10, warmup=1, cwd=None):
    """Median wall time of `command` in seconds, measured by hyperfine."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        export = handle.name
    arguments = ["hyperfine", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
                 "--export-json", export, "--command-name", name]
    if prepare:
        arguments += ["--prepare", prepare]
    arguments.append(command)
    run(arguments, cwd=cwd, capture=True)
    data = json.loads(Path(export).read_text())
    os.unlink(export)
    return statistics.median(data["results"][0]["times"])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on {port} within {seconds} s")


def process_tree(pid):
    """`pid` and all its descendants."""
    pids = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for text in child.read_text().split():
            pids.extend(process_tree(int(text)))
    return pids


def peak_rss_mib(pid):
    """The summed peak resident memory (VmHWM) of `pid` and its descendants, in MiB."""
    total_kib = 0
    for each in process_tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kib += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total_kib / 1024


def reset_peak_rss(pid):
    """Lowers the peak resident memory of `pid` and its descendants to what they hold now
    (Linux's `clear_refs` 5)."""
    for each in process_tree(pid):
        try:
            Path(f"/proc/{each}/clear_refs").write_text("5")
        except FileNotFoundError:
            pass


def parse_duration_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(text)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, seconds, headers=()):
    """One wrk run (-t2 -c32): requests per second, p50 and p99 in ms, and non-2xx/3xx."""
    arguments = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for header in headers:
        arguments += ["-H", header]
    arguments.append(url)
    output = run(arguments, capture=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = parse_duration_ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = parse_duration_ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "bad": int(bad.group(1)) if bad else 0}


class Server:
    """A server process for the serving benchmarks."""

    def __init__(self, command, cwd, env=None, port=None):
        self.port = port or free_port()
        merged = dict(os.environ)
        merged.update(env or {})
        merged["PORT"] = str(self.port)
        self.process = subprocess.Popen(
            [str(part).replace("{port}", str(self.port)) for part in command],
            cwd=cwd, env=merged, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for_port(self.port, self.process)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def measure_server(server, path, runs, seconds, headers=()):
    """Warms `server` up, then medians of `runs` wrk runs and its peak memory while they
    ran (so a login before them, argon2's 19 MiB for plinth, does not count)."""
    wrk(server.url(path), 3, headers)
    reset_peak_rss(server.process.pid)
    samples = [wrk(server.url(path), seconds, headers) for _ in range(runs)]
    result = {key: statistics.median(sample[key] for sample in samples)
              for key in ("rps", "p50_ms", "p99_ms")}
    result["bad"] = sum(sample["bad"] for sample in samples)
    result["rss_mib"] = peak_rss_mib(server.process.pid)
    result["runs"] = [round(sample["rps"]) for sample in samples]
    return result


def alternate(servers, path, rounds, seconds):
    """`servers` (label -> a function starting one) measured in turns: each round starts
    each server afresh, warms it up and takes one wrk run, so a slow spell of a shared
    machine hits both sides of a comparison alike. Per label: requests/s of each round."""
    found = {label: [] for label in servers}
    for _ in range(rounds):
        for label, start in servers.items():
            server = start()
            try:
                wrk(server.url(path), 2)
                found[label].append(wrk(server.url(path), seconds)["rps"])
            finally:
                server.stop()
    return found


def paired_ratio(ours, theirs):
    """The median of the rounds' ratios, ours over theirs, and each round's."""
    ratios = [a / b for a, b in zip(ours, theirs)]
    return statistics.median(ratios), ratios


class Cookies:
    """A tiny cookie jar over urllib, for logging in before a benchmark."""

    def __init__(self):
        self.jar = {}

    def request(self, url, data=None, headers=None):
        headers = dict(headers or {})
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers)

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.jar[name.strip()] = rest.split(";")[0]
        return response.status, response.read().decode("utf-8", "replace")

    def header(self):
        return "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.jar.items())


def hidden_input(page, name):
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


def tree_size(path):
    files = [entry for entry in Path(path).rglob("*") if entry.is_file() and ".git" not in entry.parts]
    return len(files), sum(entry.stat().st_size for entry in files)


# ---------------------------------------------------------------------------------------
# 1. Generation


def cookiecutter_template(like, into):
    """A cookiecutter template with the files of the tree `like`, each of the same size,
    each naming the project twice, so cookiecutter renders as much as plinth writes."""
    project = into / "{{cookiecutter.project_slug}}"
    for source in Path(like).rglob("*"):
        if not source.is_file() or ".git" in source.parts:
            continue
        target = project / source.relative_to(like)
        target.parent.mkdir(parents=True, exist_ok=True)
        line = "# {{ cookiecutter.project_name }} ({{ cookiecutter.project_slug }})\n"
        size = source.stat().st_size
        filler = "x" * 70 + "\n"
        text = line + filler * max(0, (size - len(line)) // len(filler))
        target.write_text(text)
    (into / "cookiecutter.json").write_text(
        json.dumps({"project_name": "Bench", "project_slug": "bench"}))


def cargo_generate_template(like, into, count=20):
    """A cargo-generate template of the first `count` files of the tree `like`, each of
    the same size and naming the project twice (plain filler, as for cookiecutter: the
    real files hold template syntax of their own)."""
    sources = sorted(path for path in Path(like).rglob("*")
                     if path.is_file() and ".git" not in path.parts)[:count]
    for source in sources:
        target = into / source.relative_to(like)
        target.parent.mkdir(parents=True, exist_ok=True)
        line = "# {{project-name}} ({{crate_name}})\n"
        filler = "x" * 70 + "\n"
        size = source.stat().st_size
        target.write_text(line + filler * max(0, (size - len(line)) // len(filler)))


def generation(work, runs):
    log("generation")
    results = {}
    gen = work / "gen"
    shutil.rmtree(gen, ignore_errors=True)
    gen.mkdir(parents=True)
    out = gen / "out"
    prepare = f"rm -rf {out}"
    for label, args in [
        ("plinth new --style micro --no-git", "--style micro --yes --no-git"),
        ("plinth new --style full --no-git", "--style full --yes --no-git"),
        ("plinth new --style full (with git)", "--style full --yes"),
    ]:
        results[label] = hyperfine(label, f"{PLINTH} new {out} {args}", prepare, runs, cwd=gen)
    reference = gen / "reference"
    run([PLINTH, "new", reference, "--style", "full", "--yes", "--no-git"])
    files, size = tree_size(reference)
    results["full tree"] = {"files": files, "bytes": size}
    results["cp -r of the full tree (floor)"] = hyperfine(
        "cp", f"cp -r {reference} {out}", prepare, runs, cwd=gen)
    results["django-admin startproject"] = hyperfine(
        "django", f"mkdir -p {out} && {VENV}/django-admin startproject benchsite {out}",
        prepare, runs, cwd=gen)
    template = gen / "cookiecutter-template"
    cookiecutter_template(reference, template)
    results["cookiecutter (template of the full tree's size)"] = hyperfine(
        "cookiecutter", f"{VENV}/cookiecutter --no-input {template} -o {out}", prepare, runs, cwd=gen)
    if have("cargo-generate"):
        template = gen / "cargo-generate-template"
        cargo_generate_template(reference, template)
        results["cargo generate (a 20-file template)"] = hyperfine(
            "cargo-generate", f"mkdir -p {out} && cargo-generate generate --path {template} "
            f"--name bench --destination {out} --vcs none --silent", prepare, runs, cwd=gen)
    if have("loco"):
        results["loco new (SaaS starter)"] = hyperfine(
            "loco", f"mkdir -p {out} && cd {out} && loco new --name app --db sqlite "
            "--bg async --assets serverside -a", prepare, runs, cwd=gen)
    return results


# ---------------------------------------------------------------------------------------
# 2. Builds


def axum_hello(folder):
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "Cargo.toml").write_text(AXUM_HELLO_MANIFEST)
    (folder / "src" / "main.rs").write_text(AXUM_HELLO_MAIN)


def loco_project(work):
    """Loco's SaaS starter, generated once; `None` when Loco's CLI is not installed."""
    if not have("loco"):
        return None
    folder = work / "loco"
    if not (folder / "app" / "Cargo.toml").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        run(["loco", "new", "--name", "app", "--db", "sqlite", "--bg", "async",
             "--assets", "serverside", "-a"], cwd=folder, capture=True)
    return folder / "app"


def build_projects(work):
    """The projects whose builds are measured, with the handler file a rebuild edits."""
    projects = work / "projects"
    projects.mkdir(parents=True, exist_ok=True)
    wanted = {
        "micro": (["--style", "micro"], "src/main.rs"),
        "micro + templates": (["--style", "micro", "--with", "templates"], "src/main.rs"),
        "full": (["--style", "full"], "src/views/home.rs"),
    }
    found = {}
    for label, (args, handler) in wanted.items():
        folder = projects / label.replace(" + ", "-")
        if not folder.exists():
            run([PLINTH, "new", folder, *args, "--yes", "--no-git"])
        found[label] = (folder, handler)
    hello = projects / "axum-hello"
    if not hello.exists():
        axum_hello(hello)
    found["bare axum hello world (floor)"] = (hello, "src/main.rs")
    loco = loco_project(work)
    if loco is not None:
        found["Loco SaaS starter"] = (loco, "src/controllers/page.rs")
    return found


# Replaces the function it appended last time with one returning another number: a
# change to the code of the handler's file, which cargo and rustc must rebuild.
EDIT_SCRIPT = """import pathlib, sys, time
path = pathlib.Path(sys.argv[1])
marker = "// bench edit\\n"
text = path.read_text().split(marker)[0]
edit = "#[allow(dead_code)]\\nfn bench_edit() -> u64 {\\n    %d\\n}\\n" % time.time_ns()
path.write_text(text + marker + edit)
"""


def builds(work, incremental_runs):
    log("builds (cold, then after an edit)")
    results = {}
    edit = work / "edit.py"
    edit.write_text(EDIT_SCRIPT)
    for label, (folder, handler) in build_projects(work).items():
        log(f"  {label}")
        run(["cargo", "fetch"], cwd=folder, capture=True)
        target = work / "targets" / folder.name
        shutil.rmtree(target, ignore_errors=True)
        env = {"CARGO_TARGET_DIR": str(target), "CARGO_TERM_COLOR": "never"}
        started = time.monotonic()
        output = run(["cargo", "build", "--offline"], cwd=folder, env=env, capture=True)
        cold = time.monotonic() - started
        crates = output.stderr.count("Compiling ")
        rebuild = hyperfine(
            label, "cargo build --offline",
            prepare=f"python3 {edit} {folder / handler}",
            runs=incremental_runs, warmup=1, cwd=folder)
        results[label] = {"cold_s": cold, "crates": crates, "rebuild_s": rebuild}
    return results


# ---------------------------------------------------------------------------------------
# 3. Serving


def release_build(folder, target):
    run(["cargo", "build", "--release", "--offline"], cwd=folder,
        env={"CARGO_TARGET_DIR": str(target)}, capture=True)


def binary(target, name):
    return target / "release" / name


def django_site(work):
    """A Django project with its admin, DEBUG off, a superuser and 99 more users."""
    site = work / "django"
    if not (site / "manage.py").exists():
        shutil.rmtree(site, ignore_errors=True)
        site.mkdir(parents=True)
        run([VENV / "django-admin", "startproject", "benchsite", site])
        settings = site / "benchsite" / "settings.py"
        text = settings.read_text()
        text = text.replace("DEBUG = True", "DEBUG = False")
        text = text.replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']")
        settings.write_text(text)
        python = VENV / "python"
        run([python, "manage.py", "migrate", "--noinput"], cwd=site)
        script = (
            "from django.contrib.auth.models import User\n"
            f"User.objects.create_superuser('admin', 'admin@example.com', '{PASSWORD}')\n"
            "User.objects.bulk_create([User(username=f'user{n:02}', email=f'user{n:02}@example.com')"
            " for n in range(99)])\n"
        )
        run([python, "manage.py", "shell", "-c", script], cwd=site)
    return site


def django_login(server):
    cookies = Cookies()
    _, page = cookies.request(server.url("/admin/login/"))
    token = hidden_input(page, "csrfmiddlewaretoken")
    status, _ = cookies.request(server.url("/admin/login/?next=/admin/"), {
        "csrfmiddlewaretoken": token, "username": "admin", "password": PASSWORD,
        "next": "/admin/"})
    if status != 302:
        raise RuntimeError(f"Django login answered {status}")
    return cookies.header()


# The full project as deployed, as Django runs with `DEBUG = False` and Loco in production:
# secure cookies, HSTS, host checks, no error details (SECRET_KEY comes from its `.env`).
FULL_PRODUCTION = {"APP_ENV": "production", "ALLOWED_HOSTS": "127.0.0.1",
                   "BASE_URL": "http://127.0.0.1"}


def plinth_full_site(work, target):
    """The full project, migrated, with a superuser and 99 more users (100 rows)."""
    folder = work / "projects" / "full"
    release_build(folder, target)
    app = binary(target, "full")
    database = folder / "full.db"
    if database.exists():
        database.unlink()
    run([app, "migrate"], cwd=folder)
    run([app, "createsuperuser", "--email", "admin@example.com", "--no-input"], cwd=folder,
        env={"SUPERUSER_PASSWORD": PASSWORD})
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO users (email, password_hash, is_staff, created_at) VALUES (?, ?, 0, ?)",
            [(f"user{n:02}@example.com", "not a hash", int(time.time())) for n in range(99)])
    return folder, app, database


def plinth_login(server):
    cookies = Cookies()
    _, page = cookies.request(server.url("/login"))
    token = hidden_input(page, "csrf_token")
    status, _ = cookies.request(server.url("/login"), {
        "email": "admin@example.com", "password": PASSWORD, "csrf_token": token})
    if status != 303:
        raise RuntimeError(f"plinth login answered {status}")
    return cookies.header()


def session_rows(database):
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]


def serving(work, runs, seconds):
    log("serving (release builds)")
    results = {}
    target = work / "targets" / "release"
    projects = build_projects(work)

    def measure(label, server, path, headers=()):
        log(f"  {label}")
        try:
            results[label] = measure_server(server, path, runs, seconds, headers)
        finally:
            server.stop()
        save("serving", results)

    micro, _ = projects["micro"]
    release_build(micro, target)
    measure("plinth micro GET /", Server([binary(target, "micro")], micro), "/")
    # What the access log costs: a release build leaves it out unless RUST_LOG asks.
    measure("plinth micro GET / (RUST_LOG=info,tower_http=debug: a line per request)",
            Server([binary(target, "micro")], micro, {"RUST_LOG": "info,tower_http=debug"}), "/")

    hello, _ = projects["bare axum hello world (floor)"]
    release_build(hello, target)
    measure("axum hello world GET / (floor)", Server([binary(target, "axum-hello")], hello), "/")
    # The 5 % target compares two servers whose gap is smaller than this machine's drift
    # between blocks of runs: measured again in turns, the ratio taken round by round.
    log("  plinth micro and axum hello GET /, in turns")
    turns = alternate({
        "micro": lambda: Server([binary(target, "micro")], micro),
        "hello": lambda: Server([binary(target, "axum-hello")], hello),
    }, "/", max(runs, 7), seconds)
    median, ratios = paired_ratio(turns["micro"], turns["hello"])
    results["micro / axum hello, in turns"] = {
        "ratio": median, "ratios": [round(r, 3) for r in ratios],
        "micro": [round(r) for r in turns["micro"]], "hello": [round(r) for r in turns["hello"]]}
    save("serving", results)

    flask = work / "flask"
    flask.mkdir(parents=True, exist_ok=True)
    (flask / "app.py").write_text(FLASK_APP)
    gunicorn = [VENV / "gunicorn", "-w", "2", "-b", "127.0.0.1:{port}", "--log-level", "warning"]
    measure("Flask hello world GET / (gunicorn, 2 workers)",
            Server(gunicorn + ["app:app"], flask), "/")

    folder, app, database = plinth_full_site(work, target)
    before = session_rows(database)
    measure("plinth full GET /login", Server([app], folder, FULL_PRODUCTION), "/login")
    results["plinth full GET /login"]["session rows written"] = session_rows(database) - before
    measure("plinth full GET /login (RUST_LOG=info: a line per request)",
            Server([app], folder, {**FULL_PRODUCTION, "RUST_LOG": "info"}), "/login")
    server = Server([app], folder, FULL_PRODUCTION)
    measure("plinth full admin list of 100 users", server, "/admin/users",
            [plinth_login(server)])

    site = django_site(work)
    measure("Django GET /admin/login/ (gunicorn, 2 workers)",
            Server(gunicorn + ["benchsite.wsgi"], site), "/admin/login/")
    server = Server(gunicorn + ["benchsite.wsgi"], site)
    measure("Django admin change list of 100 users (gunicorn, 2 workers)", server,
            "/admin/auth/user/", [django_login(server)])

    loco = projects.get("Loco SaaS starter")
    if loco is not None:
        folder, _ = loco
        release_build(folder, target)
        # Its production settings, with what they require from the environment.
        env = {
            "LOCO_ENV": "production", "BINDING": "127.0.0.1", "HOST": "http://127.0.0.1",
            "DATABASE_URL": "sqlite://app_production.sqlite?mode=rwc",
            "JWT_SECRET": "bench-secret-bench-secret", "MAILER_HOST": "localhost",
            "MAILER_USER": "bench", "MAILER_PASSWORD": "bench",
        }
        server = Server([binary(target, "app-cli"), "start"], folder, env)
        measure("Loco SaaS starter GET / (release; a Tera template)", server, "/")
    return results


# ---------------------------------------------------------------------------------------
# Report


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    rustc = run(["rustc", "--version"], capture=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "kernel": platform.release(), "rustc": rustc, "python": platform.python_version(),
        "load average at start": os.getloadavg(),
    }


def ratio(ours, theirs):
    return f"{theirs / ours:.1f}×" if ours else "n/a"


def report(results):
    lines = ["# plinth benchmark run", ""]
    info = results["machine"]
    lines.append(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
                 f"Linux {info['kernel']}; {info['rustc']}; Python {info['python']}; "
                 f"load average at start {info['load average at start']}.")
    gen = results.get("generation")
    if gen:
        lines += ["", "## Generation (median wall time)", "",
                  f"The full tree: {gen['full tree']['files']} files, {gen['full tree']['bytes']} bytes.", "",
                  "| command | median | plinth full --no-git is |", "|---|---|---|"]
        ours = gen["plinth new --style full --no-git"]
        for label, value in gen.items():
            if label == "full tree":
                continue
            if label.startswith("plinth new"):
                comparison = ""
            elif label.startswith("cp"):
                comparison = f"{ours / value:.2f}× this floor's time"
            else:
                comparison = ratio(ours, value) + " faster"
            lines.append(f"| {label} | {value * 1000:.1f} ms | {comparison} |")
    builds_ = results.get("builds")
    if builds_:
        floor = builds_.get("bare axum hello world (floor)")
        lines += ["", "## Builds (debug)", "",
                  "| project | cold build | crates compiled | rebuild after a handler edit | cold vs axum hello |",
                  "|---|---|---|---|---|"]
        for label, value in builds_.items():
            versus = f"{value['cold_s'] / floor['cold_s']:.2f}×" if floor else ""
            lines.append(f"| {label} | {value['cold_s']:.1f} s | {value['crates']} | "
                         f"{value['rebuild_s']:.2f} s | {versus} |")
    serve = results.get("serving")
    if serve:
        lines += ["", "## Serving (release, wrk -t2 -c32, medians)", "",
                  "| server | requests/s | p50 | p99 | peak RSS | non-2xx/3xx | runs (req/s) |",
                  "|---|---|---|---|---|---|---|"]
        for label, value in serve.items():
            if "ratio" in value:
                continue
            lines.append(f"| {label} | {value['rps']:.0f} | {value['p50_ms']:.2f} ms | "
                         f"{value['p99_ms']:.2f} ms | {value['rss_mib']:.1f} MiB | {value['bad']} | "
                         f"{', '.join(map(str, value['runs']))} |")
        lines += serving_ratios(serve)
        turns = serve.get("micro / axum hello, in turns")
        if turns:
            lines += ["", f"plinth micro / axum hello GET /, measured in turns: "
                      f"{turns['ratio']:.3f}× (median of the rounds' ratios "
                      f"{', '.join(f'{r:.3f}' for r in turns['ratios'])})."]
        if "plinth full GET /login" in serve:
            lines.append("")
            lines.append("Session rows written by the anonymous GET /login run: "
                         f"{serve['plinth full GET /login']['session rows written']}.")
    return "\n".join(lines) + "\n"


# The serving comparisons the targets are stated in: (ours, theirs).
SERVING_PAIRS = [
    ("plinth micro GET /", "axum hello world GET / (floor)"),
    ("plinth micro GET /", "Flask hello world GET / (gunicorn, 2 workers)"),
    ("plinth full GET /login", "Django GET /admin/login/ (gunicorn, 2 workers)"),
    ("plinth full GET /login", "Loco SaaS starter GET / (release; a Tera template)"),
    ("plinth full admin list of 100 users",
     "Django admin change list of 100 users (gunicorn, 2 workers)"),
]


def serving_ratios(serve):
    """Lines of a table: for each pair measured, our requests/s, p99 and peak memory as
    ratios of the peer's."""
    lines = ["", "| ours against | requests/s | p99 | peak RSS |", "|---|---|---|---|"]
    for ours, theirs in SERVING_PAIRS:
        if ours in serve and theirs in serve:
            a, b = serve[ours], serve[theirs]
            lines.append(f"| {ours} / {theirs} | {a['rps'] / b['rps']:.2f}× | "
                         f"{a['p99_ms'] / b['p99_ms']:.2f}× | {a['rss_mib'] / b['rss_mib']:.2f}× "
                         f"(1/{b['rss_mib'] / a['rss_mib']:.1f}) |")
    return lines if len(lines) > 3 else []


OUT = BENCH / "out"


def save(part, figures):
    """Records `figures` as `part` in OUT/results.json at once, so a failure later in
    the run keeps what was measured; returns the figures."""
    OUT.mkdir(exist_ok=True)
    path = OUT / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[part] = figures
    path.write_text(json.dumps(results, indent=2))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="generation,builds,serving",
                        help="comma-separated parts to run (default: all three)")
    parser.add_argument("--runs", type=int, default=20, help="runs per generation command")
    parser.add_argument("--rebuilds", type=int, default=5, help="runs per rebuild")
    parser.add_argument("--serve-runs", type=int, default=3, help="wrk runs per server")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--work", default=os.environ.get("BENCH_WORK", "/tmp/plinth-bench"),
                        help="scratch folder (kept between runs: projects, targets, peers)")
    parser.add_argument("--out", default=str(BENCH / "out"),
                        help="where results go (results.json keeps the parts not run again)")
    args = parser.parse_args()

    for tool in ("hyperfine", "wrk"):
        if not have(tool):
            sys.exit(f"error: {tool} is missing\nhelp: run bench/setup.sh first")
    if not (VENV / "gunicorn").exists():
        sys.exit("error: the Python peers are missing\nhelp: run bench/setup.sh first")
    run(["cargo", "build", "--release", "--locked"], cwd=ROOT)

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    global OUT
    OUT = Path(args.out)
    OUT.mkdir(parents=True, exist_ok=True)
    parts = set(args.only.split(","))
    # A part run again replaces its figures; the others stay from the last run.
    save("machine", machine())
    if "generation" in parts:
        save("generation", generation(work, args.runs))
    if "builds" in parts:
        save("builds", builds(work, args.rebuilds))
    if "serving" in parts:
        save("serving", serving(work, args.serve_runs, args.seconds))
    results = json.loads((OUT / "results.json").read_text())

    text = report(results)
    (OUT / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

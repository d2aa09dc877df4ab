#!/usr/bin/env bash
# Installs what the benchmarks need and sets the peers up, once per machine:
#   - hyperfine and wrk (Debian packages), /usr/bin/time (package `time`);
#   - a Python virtual environment in bench/.venv with Django, Flask, gunicorn and
#     cookiecutter;
#   - Loco's CLI (`cargo install loco`), unless BENCH_SKIP_LOCO=1, and cargo-generate
#     (without its git feature: the benchmark's template is local), unless
#     BENCH_SKIP_CARGO_GENERATE=1; a failure to install either is reported and the
#     benchmarks run without it.
# Safe to run again: each step is skipped when its result is there.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
command -v wrk >/dev/null || need_apt+=(wrk)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y "${need_apt[@]}" \
        || { $sudo_cmd apt-get update && $sudo_cmd apt-get install -y "${need_apt[@]}"; }
fi

if [ ! -x .venv/bin/gunicorn ] || [ ! -x .venv/bin/cookiecutter ] || [ ! -x .venv/bin/django-admin ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -r requirements.txt
fi

if [ "${BENCH_SKIP_LOCO:-0}" != 1 ] && ! command -v loco >/dev/null; then
    if ! cargo install loco --locked; then
        echo "warning: could not install Loco's CLI; the benchmarks will run without Loco" >&2
    fi
fi
if [ "${BENCH_SKIP_CARGO_GENERATE:-0}" != 1 ] && ! command -v cargo-generate >/dev/null; then
    # 0.23.7: the newest whose lock file builds with rustc 1.95 (0.24 wants 1.96).
    if ! cargo install cargo-generate@0.23.7 --locked --no-default-features; then
        echo "warning: could not install cargo-generate; the benchmarks will run without it" >&2
    fi
fi
echo "bench setup: done"

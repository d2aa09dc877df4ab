#!/usr/bin/env bash
# A new user's first site, timed: a fresh clone of plinth, the README's first command
# (install plinth with its lock file, generate a full project beside the clone), then
# `cargo run` in the project until it answers /health. Cargo's registry cache is the
# machine's (a machine that never fetched these crates adds their download); every build
# starts from empty target folders.
#
#   bench/first_site.sh [REPOSITORY]    (default: this checkout)
set -euo pipefail
repository=${1:-$(cd "$(dirname "$0")/.." && pwd)}
work=$(mktemp -d /tmp/plinth-first-site.XXXXXX)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export CARGO_INSTALL_ROOT=$work/install
export PATH=$work/install/bin:$PATH
unset CARGO_TARGET_DIR
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

start=$(now)
git clone --quiet "$repository" "$work/plinth"
cd "$work/plinth"
cloned=$(now)
# The README's first command.
cargo install --quiet --locked --path . && plinth new ../shop --style full --yes >/dev/null
installed=$(now)
cd ../shop
PORT=3917 cargo run --quiet >"$work/server.log" 2>&1 &
server=$!
until curl -fsS http://127.0.0.1:3917/health >/dev/null 2>&1; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.5
done
serving=$(now)

echo "| step | seconds |"
echo "|---|---|"
echo "| git clone | $(elapsed "$start" "$cloned") |"
echo "| \`cargo install --locked --path .\` and \`plinth new ../shop --style full --yes\` | $(elapsed "$cloned" "$installed") |"
echo "| \`cargo run\` until /health answers (a cold debug build, migrations) | $(elapsed "$installed" "$serving") |"
echo "| **fresh clone to a running full site** | **$(elapsed "$start" "$serving")** |"

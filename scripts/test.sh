#!/usr/bin/env bash
# Runs every check Akashi has: formatting, lints (with and without the pcsc feature), and all
# tests. This is the test command of README.md and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Where setup.sh put the pinned Python checkers (tests that run them read this).
export AKASHI_PY_TOOLS="$PWD/target/py-tools"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (default features)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo clippy (--features pcsc: the PC/SC transport must compile)"
cargo clippy -p akashi-card -p akashi-cli --all-targets --features pcsc --locked -- -D warnings

echo "== PostgreSQL: a throwaway cluster for the storage suite"
eval "$(scripts/pg-cluster.sh start)"
trap 'scripts/pg-cluster.sh stop "$AKASHI_PG_DIR"' EXIT

echo "== cargo test"
cargo test --workspace --locked

echo "== fuzz: akashi-bbs decoders, bounded (FUZZ_SECONDS each, default 30)"
scripts/fuzz.sh

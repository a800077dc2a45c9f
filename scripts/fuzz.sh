#!/usr/bin/env bash
# Fuzzes the decoders of every crate with a fuzz directory (crates/*/fuzz: akashi-bbs,
# akashi-cms) with cargo-fuzz and libFuzzer, each target for a bounded time; exits non-zero
# if any target crashes (a panic, a failed assertion, or an AddressSanitizer report). The
# crashing input is left in crates/<crate>/fuzz/artifacts/<target>/.
#
#   FUZZ_SECONDS  seconds per target (default 30)
#   FUZZ_TARGETS  space-separated targets (default: every target, `cargo fuzz list`)
#
# The machine's only toolchain is stable. cargo-fuzz passes nightly flags to rustc
# (-Zsanitizer=address and the sanitizer-coverage options); stable rustc accepts
# them under RUSTC_BOOTSTRAP=1, and ships the AddressSanitizer runtime for
# x86_64-unknown-linux-gnu.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
count=0
for fuzz_dir in crates/*/fuzz; do
  targets="${FUZZ_TARGETS:-$(cargo fuzz list --fuzz-dir "$fuzz_dir")}"
  for target in $targets; do
    [ -f "$fuzz_dir/fuzz_targets/$target.rs" ] || continue
    echo "== cargo fuzz run $target (${seconds}s)"
    corpus="$fuzz_dir/corpus/$target"
    mkdir -p "$corpus"
    # The first directory collects the corpus; the committed seeds (valid and invalid
    # encodings from fixtures and from OpenSSL) get past the outer structure, which random
    # bytes almost never do.
    cargo fuzz run --fuzz-dir "$fuzz_dir" "$target" "$corpus" "$fuzz_dir/seeds/$target" \
      -- -max_total_time="$seconds" -print_final_stats=1
    count=$((count + 1))
  done
done
echo "== fuzz: no crash in $count targets, ${seconds}s each"

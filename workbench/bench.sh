#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the long runs and the cost figures, host and kernel.
#   - iced-x86 differential decoding: 10^7 random and mutated byte strings
#   - live patching: 10^6 retargets of the clang -Os sites under 3 callers
#   - cargo fuzz of the decoder, encoder and classifiers
#   - the seam micro-bench: the crate's decisions against the C ones of the
#     7.3 tree, at the kernel's optimisation levels (tests/seam.rs)
#   - the in-kernel torture of 7.3 with 5000 updates (make check runs 300),
#     then the kernel cost table of workbench/bench-kernel.sh (updates,
#     size, static_call_init(), trap path); BENCH_KERNEL=0 leaves both out,
#     TORTURE_UPDATES sets the count
# Prints the case counts, rates and tables that README.md quotes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP/rust/text_poke"
export TEXT_POKE_DIFF_CASES=${TEXT_POKE_DIFF_CASES:-10000000}
export TEXT_POKE_LIVE_RETARGETS=${TEXT_POKE_LIVE_RETARGETS:-1000000}
step "bench: $(nproc) CPUs, $(uname -r), $(cargo --version)"
CARGO_TARGET_DIR=$BUILD_ROOT/cargo cargo test --release --quiet --test cpu --test iced --test live \
	-- --nocapture --test-threads=1 2>&1 | tee "$LOGS/bench.log" | grep -oE '(cpu|iced|live): .*|FAILED.*|panicked.*'
! grep -q FAILED "$LOGS/bench.log"

# The fuzz target, for FUZZ_SECONDS (default 60). cargo-fuzz wants nightly
# flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
command -v cargo-fuzz >/dev/null || cargo install --locked --quiet cargo-fuzz
step "fuzz: cargo fuzz run decode for ${FUZZ_SECONDS:-60} s"
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$BUILD_ROOT/cargo-fuzz cargo fuzz run decode -- \
	-max_total_time="${FUZZ_SECONDS:-60}" -max_len=16 > "$LOGS/fuzz.log" 2>&1 ||
	{ tail -30 "$LOGS/fuzz.log"; die "the fuzz target found a failure"; }
echo "fuzz: $(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$LOGS/fuzz.log" | tail -1)s, no failure"

# The seam micro-bench needs the 7.3 tree: C with clang-19 -Os, Rust with
# opt-level s, as this kernel configuration builds them.
bash "$TOP/workbench/hosttest.sh" seam

# The long in-kernel torture: the series kernel of `make` (7.3) with the
# torture test module's updates parameter raised.
if [ "${BENCH_KERNEL:-1}" = 1 ]; then
	export BASE=7.3
	step "kernel torture: text_poke_rs_torture_test updates=${TORTURE_UPDATES:=5000} (single-threaded TCG)"
	bash "$TOP/workbench/tree.sh" >/dev/null
	bash "$TOP/workbench/build.sh" out "$TOP/workbench/series.config" >/dev/null
	TORTURE_UPDATES=$TORTURE_UPDATES TORTURE_TIMEOUT=3600 bash "$TOP/workbench/torture.sh"
	step "kernel cost: X86_TEXT_POKE_RUST=y against =n (workbench/bench-kernel.sh)"
	bash "$TOP/workbench/bench-kernel.sh" | tee "$LOGS/bench-kernel.md"
fi

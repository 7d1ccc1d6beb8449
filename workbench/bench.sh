#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the host test bench with long settings, optimised build.
#   - iced-x86 differential decoding: 10^7 random and mutated byte strings
#   - live patching: 10^6 retargets of the clang -Os sites under 3 callers
# Prints the case counts and rates that README.md quotes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP/rust/text_poke"
export TEXT_POKE_DIFF_CASES=${TEXT_POKE_DIFF_CASES:-10000000}
export TEXT_POKE_LIVE_RETARGETS=${TEXT_POKE_LIVE_RETARGETS:-1000000}
step "bench: $(nproc) CPUs, $(uname -r), $(cargo --version)"
CARGO_TARGET_DIR=$BUILD/cargo cargo test --release --quiet --test cpu --test iced --test live \
	-- --nocapture --test-threads=1 2>&1 | tee "$LOGS/bench.log" | grep -oE '(cpu|iced|live): .*|FAILED.*|panicked.*'
! grep -q FAILED "$LOGS/bench.log"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the text_poke crate: the same files kbuild compiles, run by
# cargo: unit tests, doctests, the real-CPU Jcc test (tests/cpu.rs) and the
# differential test against iced-x86 (tests/iced.rs) and live patching of
# clang -Os code under concurrent callers (tests/live.rs), short settings.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP/rust/text_poke"
CARGO_TARGET_DIR=$BUILD_ROOT/cargo cargo test --quiet -- --nocapture --test-threads=1 2>&1 | tee "$LOGS/hosttest.log" |
	grep -oE '^test result.*|FAILED.*|panicked.*|(cpu|iced|live): .*' || true
! grep -q FAILED "$LOGS/hosttest.log" && grep -q '^test result: ok' "$LOGS/hosttest.log"

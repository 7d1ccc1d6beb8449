#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test, each one a PASS or FAIL line, then the count.
# Host tests first (seconds), then the kernel: build, static checks of the
# objects, boot, the boot report, and last the reproducer.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

passed=0 failed=0 t0=$(date +%s)
run() {
	local what=$1; shift
	local t=$(date +%s) out
	step "$what"
	if out=$("$@" 2>&1); then
		passed=$((passed + 1))
		printf '%s\n' "$out" | tail -n "${TAIL:-4}" | sed 's/^/    /'
		printf 'PASS: %s (%d s)\n' "$what" $(( $(date +%s) - t ))
	else
		failed=$((failed + 1))
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
		printf 'FAIL: %s (%d s)\n' "$what" $(( $(date +%s) - t ))
	fi
}
# The kernel steps need the tree and the build: stop early without them.
must() { run "$@"; [ $failed -eq 0 ] || finish; }
finish() {
	echo
	echo "make check: $(( $(date +%s) - t0 )) s"
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

R=$TOP/workbench
TAIL=12 run "host: cargo test: unit, doc, real CPU, iced-x86, live patching" bash "$R/hosttest.sh"
run "host: rustfmt of our Rust files" bash "$R/lint.sh" rustfmt
TAIL=6 run "host: scripts/text_poke_scan on made-up objects" bash "$R/lint.sh" scanner
must "tree: base + series + reproducer branches" bash "$R/tree.sh"
must "kernel: build (clang-19 -Os, Rust, X86_TEXT_POKE_RUST=y), no new objtool warning" \
	bash "$R/build.sh" out "$R/series.config"
run "kernel: our Rust objects reference no core::panicking symbol" bash "$R/lint.sh" panic
run "kernel: INT3-path entry points sit in .noinstr.text" bash "$R/lint.sh" noinstr
run "kernel: clippy on our Rust objects" bash "$R/lint.sh" clippy
run "kernel: rustdoc builds" bash "$R/lint.sh" rustdoc
TAIL=1 run "boot: series kernel boots under QEMU" bash "$R/boot.sh" out
TAIL=8 run "boot: Rust patched the conditional tail calls" bash "$R/lint.sh" report
TAIL=2 run "in-kernel: rust_text_poke torture (module-init patching, live text_poke_bp of 16 Jcc sites)" \
	bash "$R/torture.sh"
TAIL=3 run "in-kernel: corrupt static call site reported, left alone, still working" bash "$R/corrupt.sh"
TAIL=8 run "kunit.py: x86_text_poke_rs and kprobes_test suites (own kernel build, QEMU -smp 2)" \
	bash "$R/kunit.sh"
TAIL=6 run "kunit.py: a broken text_poke_rs_cond() fails exactly the cases that use it" \
	bash "$R/kunit-mutant.sh"
run "repro: the kernel without Jcc support fails the boot test" bash "$R/repro.sh"
finish

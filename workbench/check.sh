#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test, each one a PASS or FAIL line, then the count.
# Set-up on made-up machines and the host tests first (seconds), then on 7.3
# the kernel: build, static checks of the sources and objects, boot, the boot
# report, the in-kernel tests, KUnit, uprobes in user space and the mails of
# make series (checkpatch, git am); then on 6.12 the build, the boot, its
# report, the corrupt-text test, uprobes and rusttest.
#
# `make check-full` (CHECK_FULL=1) adds the proofs that guard no everyday
# change and cost a kernel build each, so that make check stays within an
# hour on two cores: the reproducer (the original bug), the GCC and i386
# builds of make matrix and 6.12's mails.
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
# The kernel steps need the tree and the build: stop early without them
# (only when this step failed: an earlier failure must not hide the rest).
must() { local before=$failed; run "$@"; [ $failed -eq $before ] || finish; }
finish() {
	echo
	[ ${#moved[@]} = 0 ] || printf 'make check-full adds: %s\n' "${moved[@]}"
	echo "make check$([ "$FULL" = 0 ] || echo -full): $(( $(date +%s) - t0 )) s"
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

R=$TOP/workbench
FULL=${CHECK_FULL:-0}
moved=()
# full WHAT ...: run in make check-full only.
full() {
	if [ "$FULL" = 1 ]; then run "$@"; else moved+=("$1"); fi
}
# 7.3 (mainline, the series' home): every test.
export BASE=7.3
TAIL=4 run "host: setup.sh resolves on made-up machines with and without backported QEMU (apt-get -s)" \
	bash "$R/setup-check.sh"
TAIL=12 run "host: cargo test: unit, doc, real CPU, iced-x86, live patching" bash "$R/hosttest.sh"
run "host: rustfmt of our Rust files" bash "$R/lint.sh" rustfmt
TAIL=6 run "host: scripts/text_poke_scan on made-up objects" bash "$R/lint.sh" scanner
must "7.3 tree: base + series + reproducer branches" bash "$R/tree.sh"
TAIL=7 run "7.3 host: the crate and the tree's C decisions agree in the seam micro-bench (short run)" \
	env SEAM_SAMPLES=3 bash "$R/hosttest.sh" seam
must "7.3 kernel: build (clang-19 -Os, Rust, X86_TEXT_POKE_RUST=y), no new objtool warning" \
	bash "$R/build.sh" out "$R/series.config"
run "7.3 source: no X86_TEXT_POKE_RUST conditional outside Kconfig, Makefiles, the seam header and bindings_helper.h" \
	bash "$R/lint.sh" seam
TAIL=6 run "7.3 kernel: X86_TEXT_POKE_RUST=n builds upstream's code, function by function" \
	bash "$R/same.sh"
run "7.3 kernel: our Rust objects reference no core::panicking symbol" bash "$R/lint.sh" panic
run "7.3 kernel: INT3-path entry points sit in .noinstr.text, call nothing, in an object of their own" bash "$R/lint.sh" noinstr
run "7.3 source: Rust entry points #[export]ed with bindgen's types, the crate's constants checked against C" \
	bash "$R/lint.sh" interface
run "7.3 kernel: make rust-analyzer lists the text_poke crate" bash "$R/lint.sh" analyzer
TAIL=1 run "7.3 kernel: with KASAN and KCOV the INT3 object alone is uninstrumented, and calls nothing" \
	bash "$R/lint.sh" kasan
run "7.3 kernel: clippy on our Rust objects" bash "$R/lint.sh" clippy
run "7.3 kernel: rustdoc builds" bash "$R/lint.sh" rustdoc
run "7.3 kernel: make rusttest runs the crate's unit tests and doctests" bash "$R/lint.sh" rusttest
run "7.3 source: make rustfmtcheck" bash "$R/lint.sh" rustfmtcheck
run "7.3 docs: the series' page builds with Sphinx and docutils, no warning" bash "$R/lint.sh" docs
TAIL=1 run "7.3 kernel: W=1 adds no warning" bash "$R/lint.sh" w1
TAIL=1 run "7.3 boot: series kernel boots under QEMU" bash "$R/boot.sh" out
TAIL=9 run "7.3 boot: the static call sites and conditional tail calls the kernel patched" \
	bash "$R/lint.sh" report
TAIL=6 run "7.3 in-kernel: torture test (module-init patching, live patching of 16 Jcc sites and rustc's call, tail call and Jcc, INT3 window hit); the Rust static call sample" \
	bash "$R/torture.sh"
TAIL=10 run "7.3 kernel: rustc compiles static_call!() to a call, a tail call and a Jcc.d32 of the trampoline; might_resched's Rust site" \
	bash "$R/rustsc.sh" forms
TAIL=2 run "7.3 in-kernel: made to call through the key's function pointer, the module fails the forms check and refuses to load" \
	bash "$R/rustsc.sh" mutant
TAIL=3 run "7.3 boot: x86_text_poke_rs passes again through KUnit's debugfs after boot, init sites skipped" \
	bash "$R/kunit-rerun.sh"
TAIL=1 run "7.3 boot: without the skip of init text that rerun fails static_call_sites" \
	bash "$R/kunit-rerun.sh" --mutant
TAIL=3 run "7.3 in-kernel: a site of unknown form is reported once and left calling its trampoline; every update is written" \
	bash "$R/corrupt.sh"
TAIL=2 run "7.3 in-kernel: updates that do not skip such a site meet it as corrupt text: report, then BUG()" \
	bash "$R/corrupt-mutant.sh"
TAIL=2 run "7.3 in-kernel: foreign bytes at a static call site: report, then BUG()" bash "$R/corrupt-bug.sh"
TAIL=1 run "7.3 boot: without Jcc in the Rust site check the kernel boots, its Jcc sites reported and left" \
	bash "$R/nojcc.sh" rust
TAIL=1 run "7.3 boot: =n (the C series without Rust): KUnit batching, the torture test, the sample and uprobes pass; without Jcc in the C site check it boots as above" \
	bash "$R/nojcc.sh" c
uprobes() {
	run "$BASE kernel: uprobes calls the Rust condition evaluator; KVM untouched, nothing exported" \
		bash "$R/lint.sh" evaluator
	TAIL=20 run "$BASE in-kernel: uprobes on the 16 Jcc conditions, rel8 and rel32, in a user program" \
		bash "$R/uprobes.sh"
}
uprobes
TAIL=5 run "7.3 in-kernel: with jl inverted in text_poke_cond() exactly the jl uprobes fail" \
	bash "$R/uprobes-mutant.sh"
TAIL=8 run "7.3 kunit.py: x86_text_poke_rs, x86_static_call and kprobes_test suites (own kernel build, QEMU -smp 2)" \
	bash "$R/kunit.sh"
TAIL=6 run "7.3 kunit.py: a broken text_poke_cond() fails exactly the cases that use it" \
	bash "$R/kunit-mutant.sh"
TAIL=4 run "7.3 kunit.py: kernel::static_call's doctests pass on UML, which has no HAVE_STATIC_CALL" \
	bash "$R/kunit-um.sh"
full "7.3 repro: the base kernel without Jcc support fails the boot test" bash "$R/repro.sh"
# The mails of make series, rendered without sign-off (no identity needed).
mails() {
	local r=${1:-run}
	$r "$BASE mails: make series renders the C series and the Rust RFC, each with cover letter, To and Cc" \
		bash "$R/series.sh" --check
	TAIL=2 $r "$BASE mails: checkpatch --strict says only what each cover letter lists" \
		bash "$R/mailcheck.sh" checkpatch
	TAIL=3 $r "$BASE mails: b4 am and git am of the C series, then the RFC, onto a fresh Debian tree give the series tree" \
		bash "$R/mailcheck.sh" am
	$r "$BASE mails: the RFC cover letter's figures are this run's boot" bash "$R/mailcheck.sh" figures
}
mails
# The cheapest configurations of make matrix: build-only, no Rust.
TAIL=2 full "7.3 matrix: GCC with X86_TEXT_POKE_RUST=n builds" bash "$R/matrix.sh" gcc
TAIL=2 full "7.3 matrix: i386 with static calls, jump labels and kprobes builds" bash "$R/matrix.sh" i386

# 6.12 (the LTS backport): the same series sources with the 6.12 diffs.
export BASE=6.12
must "6.12 tree: base + series + reproducer branches" bash "$R/tree.sh"
must "6.12 kernel: build (clang-19 -Os, Rust, X86_TEXT_POKE_RUST=y), no new objtool warning" \
	bash "$R/build.sh" out "$R/series.config"
run "6.12 source: no X86_TEXT_POKE_RUST conditional outside Kconfig, Makefiles, the seam header and bindings_helper.h" \
	bash "$R/lint.sh" seam
run "6.12 source: Rust entry points #[export]ed with bindgen's types, the crate's constants checked against C" \
	bash "$R/lint.sh" interface
TAIL=6 run "6.12 kernel: X86_TEXT_POKE_RUST=n builds upstream's code, function by function" \
	bash "$R/same.sh"
TAIL=1 run "6.12 kernel: W=1 adds no warning" bash "$R/lint.sh" w1
TAIL=1 run "6.12 boot: series kernel boots under QEMU" bash "$R/boot.sh" out
TAIL=9 run "6.12 boot: the static call sites and conditional tail calls the kernel patched (KUnit at boot)" \
	bash "$R/lint.sh" report
TAIL=3 run "6.12 in-kernel: a site of unknown form is reported once and left calling its trampoline; every update is written" \
	bash "$R/corrupt.sh"
uprobes
run "6.12 kernel: make rusttest runs the crate's unit tests and doctests" bash "$R/lint.sh" rusttest
mails full
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# nojcc.sh c|rust
#
# The original bug, with the series: the series kernel with Jcc.d32 taken
# out of the site check must now boot. c: workbench/mutants/c-no-jcc.diff
# in the C check, built with X86_TEXT_POKE_RUST=n into build/out-nojcc
# (seeded from build/out, so an incremental build; that kernel is first
# booted without the mutant, and on 7.3 must pass the C KUnit test of
# batched static call updates there, and the torture test and the Rust
# static call sample must pass there: Rust static calls patched by the C
# decisions; then workbench/uprobes.sh runs on it,
# so that the C series is tested without Rust); rust:
# workbench/mutants/rust-no-jcc.diff in the crate, the series kernel
# (build/out) with X86_TEXT_POKE_RUST=y, booted with kunit.enable=0 (the
# KUnit suite compares the crate with the C check, which the mutant breaks
# on purpose). Required: the boot passes (no BUG, Oops or WARNING), every
# conditional tail call that vmlinux.o has (llvm-objdump) is reported once
# as a site of unknown form left calling its trampoline, and nothing else
# is; apic_ack_irq()'s is among them, so every interrupt acknowledged on
# the way to the boot marker went through that trampoline. workbench/repro.sh
# is the same change without the series: that kernel dies.
# The tree is restored afterwards, and build/out rebuilt for rust.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

impl=${1:?c or rust}
log=$LOGS/boot-nojcc-$impl.log
case $impl in
rust)
	mutant_build "$TOP/workbench/mutants/rust-no-jcc.diff"
	name=out
	;;
c)
	[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"
	if [ ! -d "$BUILD/out-nojcc" ] && [ -f "$OUT/vmlinux.o" ]; then
		step "seeding build/out-nojcc from build/out"
		cp -a "$OUT" "$BUILD/out-nojcc"
	fi
	# The series kernel's configuration but for what needs the crate, so
	# that out-nojcc builds incrementally from its copy of out. On 7.3 it
	# keeps the C KUnit test of batched updates.
	frag=$BUILD/out-nojcc.config
	cat "$TOP/workbench/series.config" $(ls "$TOP/workbench/series-$BASE.config" 2>/dev/null) |
		grep -vE '^CONFIG_X86_TEXT_POKE_RUST(=|_KUNIT_TEST|_CORRUPT_TEST)' > "$frag"
	echo CONFIG_X86_TEXT_POKE_RUST=n >> "$frag"
	nconfig=("$frag")
	step "the series kernel with X86_TEXT_POKE_RUST=n, as it is"
	bash "$TOP/workbench/build.sh" out-nojcc "${nconfig[@]}" > "$LOGS/build-nojcc.log" 2>&1 ||
		die "the =n kernel does not build, see $LOGS/build-nojcc.log"
	bash "$TOP/workbench/boot.sh" out-nojcc "$LOGS/boot-n.log" || die "the =n kernel did not boot"
	if [ "$BASE" = 7.3 ]; then
		# One case, so KTAP has no totals line: the suite's own result.
		n=$(tr -d '\r' < "$LOGS/boot-n.log")
		grep -aqE '^ok [0-9]+ x86_static_call$' <<< "$n" ||
			die "x86_static_call did not pass in the =n kernel"
		echo "=n kernel: ok x86_static_call, $(grep -aoE '[0-9]+ sites: [0-9]+ synchronisations \(want [0-9]+\)' <<< "$n" | head -1)"
	fi
	if [ "$BASE" = 7.3 ]; then
		# Rust static calls, and rustc's three forms of site, patched by
		# the C decisions: the torture test module and the sample.
		step "the torture test and the Rust static call sample in the =n kernel"
		OUT_NAME=out-nojcc TORTURE_UPDATES=100 bash "$TOP/workbench/torture.sh" |
			grep -E '^(text_poke_rs_torture_test:|  rustc |rust_static_call:)' ||
			die "the torture test or the sample failed in the =n kernel"
	fi
	# The C series' uprobes patch, without Rust: __emulate_cc() decides.
	step "uprobes on the 16 Jcc conditions in the =n kernel"
	OUT_NAME=out-nojcc bash "$TOP/workbench/uprobes.sh" | grep -E '^(PASS|uprobe_profile)' ||
		die "uprobes failed in the =n kernel"
	step "and with workbench/mutants/c-no-jcc.diff"
	git -C "$SRC" apply "$TOP/workbench/mutants/c-no-jcc.diff"
	trap 'git -C "$SRC" apply -R "$TOP/workbench/mutants/c-no-jcc.diff"' EXIT
	bash "$TOP/workbench/build.sh" out-nojcc "${nconfig[@]}" > "$LOGS/build-nojcc.log" 2>&1 ||
		die "the mutant kernel does not build, see $LOGS/build-nojcc.log"
	name=out-nojcc
	;;
*) die "nojcc.sh c|rust" ;;
esac

BOOT_TESTS=$TOP/workbench/guest/nojcc.sh BOOT_APPEND=kunit.enable=0 bash "$TOP/workbench/boot.sh" "$name" "$log" ||
	die "the kernel without Jcc in its site check did not boot"
want=$(jcc_sites "$BUILD/$name" | awk '{ print $1 }' | sort)
[ -n "$want" ] || die "vmlinux.o has no conditional tail call to a trampoline"
n=$(echo "$want" | wc -l)
text=$(tr -d '\r' < "$log")
# Printed before the console exists, each line reaches the serial port twice:
# from earlyprintk, and again when the console replays the log buffer.
rx='static_call: site of unknown form at \K[^+ ]+(?=\+0x[0-9a-f]+/0x[0-9a-f]+: 0f 8[0-9a-f]( [0-9a-f]{2}){4}, expected [^;]+; left calling its trampoline$)'
got=$(grep -aoP "$rx" <<< "$text" | sort -u)
[ "$got" = "$want" ] || die "reported: $(echo $got); conditional tail calls: $(echo $want)"
[ "$(grep -a 'static_call: ' <<< "$text" | sort -u | wc -l)" = "$n" ] ||
	die "other static_call messages: $(grep -a 'static_call: ' <<< "$text" | grep -v 'left calling')"
grep -aq "textpoke-test: log buffer: $n sites left calling their trampoline, at warning level" <<< "$text" ||
	die "the log buffer does not hold each report once: $(grep -a 'textpoke-test: log buffer' <<< "$text")"
grep -qx apic_ack_irq <<< "$want" || die "apic_ack_irq has no conditional tail call here"
echo "booted; $n Jcc sites reported once each and left calling their trampolines: $(echo $want)"

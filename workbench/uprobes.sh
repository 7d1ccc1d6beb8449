#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# uprobes.sh [--mutant]
#
# uprobes on every conditional jump, in user space: build
# workbench/guest/uprobe_jcc.c as a static binary with clang, boot the series
# kernel ($OUT) with it and require its PASS line: 16 conditions, rel8 and
# rel32, each Jcc probed through tracefs uprobe_events, every path as without
# the probe, every probed run a hit in uprobe_profile and emulated in the
# kernel (a kretprobe event on arch_uprobe_skip_sstep() sees it return true
# as often, never false; a control probe on a mov must be single-stepped every
# time). Prints the counts. uprobes emulates a probed Jcc
# (branch_emulate_op()) with text_poke_cond(): the Rust crate in this kernel,
# __emulate_cc() in a kernel with X86_TEXT_POKE_RUST=n (OUT_NAME=out-nojcc,
# from workbench/nojcc.sh c).
#
# --mutant: the kernel was built with workbench/mutants/kunit-jl.diff (jl
# inverted in text_poke_cond()); require that exactly the two jl probes fail
# and all others pass (workbench/uprobes-mutant.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutant=
[ "${1:-}" != --mutant ] || mutant=1
log=$LOGS/boot-uprobes${mutant:+-mutant}${OUT_NAME:+-$OUT_NAME}.log
bin=$OUT/uprobe_jcc
clang-19 -static -O2 -Wall -Wextra -Werror -o "$bin" "$TOP/workbench/guest/uprobe_jcc.c"

# The KUnit suites, built in, have checks of their own: not at this boot.
rc=0
BOOT_BINS=$bin BOOT_TESTS=$TOP/workbench/guest/uprobe_jcc.sh BOOT_APPEND=kunit.enable=0 \
	bash "$TOP/workbench/boot.sh" "${OUT_NAME:-out}" "$log" > "$log.verdict" || rc=$?
[ $rc -eq 0 ] || { cat "$log.verdict"; die "the boot with the uprobe test failed (log: $log)"; }

# The serial console ends its lines with CR LF.
lines=$(tr -d '\r' < "$log" | grep -aoP 'uprobe-jcc: \K.*' || true)
[ -n "$lines" ] || die "no output from uprobe_jcc (log: $log)"
# "jl rel8 @0x1845: 256 of 256 hits, 256 emulated, 0 wrong paths"
per_probe=$(grep -P '^j\w+ rel(8|32) @0x[0-9a-f]+: -?\d+ of \d+ hits, -?\d+ emulated, \d+ wrong paths$' <<< "$lines" || true)
[ "$(wc -l <<< "$per_probe")" = 32 ] || { echo "$lines"; die "expected 32 probe lines"; }
failed=$(awk '$4 != $6 || $8 != $6 || $10 != 0 { print $1, $2 }' <<< "$per_probe")
! grep -q 'not emulated' <<< "$lines" || { grep 'not emulated' <<< "$lines"; die "hits single-stepped"; }
hits=$(awk '{ s += $4 } END { print s }' <<< "$per_probe")
emulated=$(awk '{ s += $8 } END { print s }' <<< "$per_probe")

# The control, a probe on a mov: every hit single-stepped, none emulated.
control=$(grep -P '^control \(mov\)' <<< "$lines" || true)
[ -n "$control" ] || { echo "$lines" | tail -3; die "no control probe line"; }
echo "$control"
grep -qP ': 64 of 64 hits, 0 emulated, 64 stepped, 0 wrong$' <<< "$control" ||
	die "the control probe was not single-stepped every time"
if [ -z "$mutant" ]; then
	echo "$per_probe" | awk '{ printf "  %-4s %-5s %s/%s hits, %s emulated, %s wrong\n", $1, $2, $4, $6, $8, $10 }' |
		paste -d' ' - - | sed 's/^ *//'
	[ -z "$failed" ] || die "probes that failed: $(echo $failed)"
	grep -q '^PASS: 32 probes' <<< "$lines" || { echo "$lines" | tail -3; die "no PASS line"; }
	grep '^PASS' <<< "$lines"
	echo "uprobe_profile: $hits hits in all; arch_uprobe_skip_sstep() true $emulated times"
else
	echo "failed with the mutant:"
	echo "$failed" | sed 's/^/  /'
	[ "$failed" = $'jl rel8\njl rel32' ] || die "expected exactly jl rel8 and jl rel32 to fail"
	grep -m3 '^jl rel8 probed' <<< "$lines" | sed 's/^/  /' || true
	echo "$(grep -c 'wrong paths' <<< "$per_probe") probes ran, the 30 others passed"
fi

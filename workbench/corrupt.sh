#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The corrupt-text test: boot the series kernel, load text_poke_rs_corrupt_test
# and require: no WARN; one report, at load, of its site of unknown form (the
# address, the bytes found, the forms expected, "left calling its
# trampoline"), although the module updates the site's key three times; the
# module's PASS line (that site untouched, the key's plain site patched
# inline, and both landing on the current target after every update, the
# first through the trampoline), and the boot marker after it (the kernel is
# alive). workbench/corrupt-bug.sh is the other half: foreign bytes at a
# site must BUG().
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# CORRUPT_LOG: where the console goes (the mutant run keeps its own).
log=${CORRUPT_LOG:-$LOGS/boot-corrupt.log}
boot_module text_poke_rs_corrupt_test "$log"

text=$(tr -d '\r' < "$log")
# once LABEL REGEX: exactly one line matches REGEX.
once() {
	local n
	n=$(grep -cE "$2" <<< "$text" || true)
	[ "$n" = 1 ] || die "$1: $n lines match, want 1"
	grep -E "$2" <<< "$text"
}
once "site report" 'static_call: site of unknown form at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[text_poke_rs_corrupt_test\]: 2e e9( [0-9a-f]{2}){4}, expected [^;]+; left calling its trampoline$'
[ "$(grep -c 'static_call: ' <<< "$text")" = 1 ] ||
	die "more than one static_call message: $(grep 'static_call: ' <<< "$text")"
once "site case" 'text_poke_rs_corrupt_test: PASS: site .*, plain site patched inline, calls landed \[\(1, 1\), \(2, 2\), \(0, 0\), \(1, 1\)\] '
! grep -E 'text_poke_rs_corrupt_test: FAIL' "$log" || die "text_poke_rs_corrupt_test failed"
grep -q 'textpoke-test: text_poke_rs_corrupt_test loaded, kernel alive' "$log" || die "kernel not alive after the load"
echo "reported once, left calling its trampoline; three updates written; kernel alive"

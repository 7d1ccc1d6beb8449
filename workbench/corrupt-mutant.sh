#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proof that the corrupt-text test can fail, and that skipping the sites
# left calling their trampoline is what keeps later updates alive: build the
# series kernel with workbench/mutants/no-skip.diff (updates patch every
# site again) and require that workbench/corrupt.sh fails, with the
# corrupt-text module's load reported as before and its first update then
# meeting the prefixed site as corrupt text: the report, then BUG() in
# static_call.c. The tree is restored and the kernel rebuilt afterwards
# (one object and the link each way); a failure to restore fails the check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$LOGS/boot-corrupt-mutant.log
mutant_build "$TOP/workbench/mutants/no-skip.diff"
! CORRUPT_LOG=$log bash "$TOP/workbench/corrupt.sh" > "$LOGS/corrupt-mutant.txt" 2>&1 ||
	die "the corrupt-text test passed with the mutant"
text=$(tr -d '\r' < "$log")
grep -qE 'static_call: site of unknown form at rust_tp_corrupt_site\+.*; left calling its trampoline$' <<< "$text" ||
	die "the load did not report the site as before"
report_then_bug "$text" \
	'static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[text_poke_rs_corrupt_test\]: 2e e9' |
	sed '1s/^/without the skip: /; 2s/^/then: /'

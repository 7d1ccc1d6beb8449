#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proof that the corrupt-text test can fail, and that the trampoline check of
# the generic __static_call_update() is what keeps an update whole: build
# the series kernel with workbench/mutants/no-tramp-check.diff and require
# that the bad-trampoline case sees the torn update (key and inline site on
# the new function, the trampoline on the old one) while the corrupt-site
# case still passes. The tree is restored and the kernel rebuilt afterwards
# (one object and the link each way); a failure to restore fails the check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$LOGS/boot-corrupt-mutant.log
mutant_build "$TOP/workbench/mutants/no-tramp-check.diff"
! CORRUPT_LOG=$log bash "$TOP/workbench/corrupt.sh" > "$LOGS/corrupt-mutant.txt" 2>&1 ||
	die "the corrupt-text test passed with the mutant"
grep -oP 'text_poke_rs_corrupt_test: \K(PASS|FAIL): .*' "$log" | sort -u | sed 's/^/    /'
grep -q 'text_poke_rs_corrupt_test: FAIL: bad trampoline: update refused, key CHANGED, .* site \[[0-9a-f, ]*\] CHANGED, calls landed 1 2 ' "$log" ||
	die "the mutant did not tear the update as expected"
grep -q 'text_poke_rs_corrupt_test: PASS: site ' "$log" || die "the corrupt-site case failed too"
echo "torn without the check: key and inline site moved to B, the trampoline stayed on A"

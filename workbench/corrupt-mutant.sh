#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# corrupt-mutant.sh [no-tramp-check|no-site-check]
#
# Proof that the corrupt-text test can fail, and that the checks of the
# generic __static_call_update() are what keep an update whole: build the
# series kernel with workbench/mutants/MUTANT.diff and require
#   no-tramp-check (default): the bad-trampoline case sees the torn update
#     (key and inline site on the new function, the trampoline on the old
#     one) while the corrupt-site case still passes;
#   no-site-check (batched updates, 7.3): the corrupt-site case sees the
#     update written although its site is unexpected (calls through the
#     trampoline reach the new function) while the bad-trampoline case
#     still passes.
# The tree is restored and the kernel rebuilt afterwards (one object and the
# link each way); a failure to restore fails the check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutant=${1:-no-tramp-check}
log=$LOGS/boot-corrupt-mutant-$mutant.log
mutant_build "$TOP/workbench/mutants/$mutant.diff"
! CORRUPT_LOG=$log bash "$TOP/workbench/corrupt.sh" > "$LOGS/corrupt-mutant-$mutant.txt" 2>&1 ||
	die "the corrupt-text test passed with the mutant"
grep -oP 'text_poke_rs_corrupt_test: \K(PASS|FAIL): .*' "$log" | sort -u | sed 's/^/    /'
case $mutant in
no-tramp-check)
	grep -q 'text_poke_rs_corrupt_test: FAIL: bad trampoline: update refused, key CHANGED, .* site \[[0-9a-f, ]*\] CHANGED, calls landed 1 2 ' "$log" ||
		die "the mutant did not tear the update as expected"
	grep -q 'text_poke_rs_corrupt_test: PASS: site ' "$log" || die "the corrupt-site case failed too"
	echo "torn without the check: key and inline site moved to B, the trampoline stayed on A"
	;;
no-site-check)
	grep -q 'text_poke_rs_corrupt_test: FAIL: site \[2e, e9, [0-9a-f, ]*\] left untouched, calls through the trampoline landed 1 2 0 1 (want 1 1 1 1)' "$log" ||
		die "the mutant did not write the update as expected"
	grep -q 'text_poke_rs_corrupt_test: PASS: bad trampoline: ' "$log" || die "the bad-trampoline case failed too"
	echo "written without the check: the update with the unexpected site moved the trampoline to B, then to NULL"
	;;
*) die "unknown mutant $mutant" ;;
esac

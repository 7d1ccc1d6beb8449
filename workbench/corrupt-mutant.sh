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

MUTANT=$TOP/workbench/mutants/no-tramp-check.diff
log=$LOGS/boot-corrupt-mutant.log
[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"

# rebuild LOG: the series kernel from the tree as it is now.
rebuild() { bash "$TOP/workbench/build.sh" out "$TOP/workbench/series.config" > "$1" 2>&1; }
restore() {
	local rc=$?
	trap - EXIT
	if ! git -C "$SRC" apply -R "$MUTANT"; then
		echo "ERROR: cannot take $(basename "$MUTANT") out of $SRC again"
		exit 1
	fi
	rebuild "$LOGS/build-unmutant.log" ||
		{ echo "ERROR: the kernel without the mutant does not build again, see $LOGS/build-unmutant.log"; exit 1; }
	exit $rc
}
git -C "$SRC" apply "$MUTANT"
trap restore EXIT
step "building the series kernel with $(basename "$MUTANT")"
rebuild "$LOGS/build-mutant.log" || die "the mutant kernel does not build, see $LOGS/build-mutant.log"
! CORRUPT_LOG=$log bash "$TOP/workbench/corrupt.sh" > "$LOGS/corrupt-mutant.txt" 2>&1 ||
	die "the corrupt-text test passed with the mutant"
grep -oP 'text_poke_rs_corrupt_test: \K(PASS|FAIL): .*' "$log" | sort -u | sed 's/^/    /'
grep -q 'text_poke_rs_corrupt_test: FAIL: bad trampoline: update refused, key CHANGED, .* site \[[0-9a-f, ]*\] CHANGED, calls landed 1 2 ' "$log" ||
	die "the mutant did not tear the update as expected"
grep -q 'text_poke_rs_corrupt_test: PASS: site ' "$log" || die "the corrupt-site case failed too"
echo "torn without the check: key and inline site moved to B, the trampoline stayed on A"

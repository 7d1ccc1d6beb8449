#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proof that the corrupt-text test can fail, and that the trampoline check of
# the generic __static_call_update() is what keeps an update whole: build
# the series kernel with workbench/mutants/no-tramp-check.diff and require
# that the bad-trampoline case sees the torn update (key and inline site on
# the new function, the trampoline on the old one) while the corrupt-site
# case still passes. The tree is restored and the kernel rebuilt afterwards
# (one object and the link each way).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MUTANT=$TOP/workbench/mutants/no-tramp-check.diff
log=$LOGS/boot-corrupt.log
[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"

rebuild() { bash "$TOP/workbench/build.sh" out "$TOP/workbench/series.config" > "$LOGS/build-mutant.log" 2>&1; }
restore() {
	git -C "$SRC" apply -R "$MUTANT"
	rebuild || echo "ERROR: rebuilding the kernel without the mutant failed, see $LOGS/build-mutant.log"
}
git -C "$SRC" apply "$MUTANT"
trap restore EXIT
step "building the series kernel with $(basename "$MUTANT")"
rebuild || die "the mutant kernel does not build, see $LOGS/build-mutant.log"
! bash "$TOP/workbench/corrupt.sh" > "$LOGS/corrupt-mutant.txt" 2>&1 || die "the corrupt-text test passed with the mutant"
grep -oP 'rust_text_poke_corrupt: \K(PASS|FAIL): .*' "$log" | sort -u | sed 's/^/    /'
grep -q 'rust_text_poke_corrupt: FAIL: bad trampoline: update refused, key CHANGED, .* site \[[0-9a-f, ]*\] CHANGED, calls landed 1 2 ' "$log" ||
	die "the mutant did not tear the update as expected"
grep -q 'rust_text_poke_corrupt: PASS: site ' "$log" || die "the corrupt-site case failed too"
echo "torn without the check: key and inline site moved to B, the trampoline stayed on A"

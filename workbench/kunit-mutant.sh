#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proof that the KUnit suite can fail, and that kprobes emulates a Jcc through
# the Rust code: build the KUnit kernel with workbench/mutants/kunit-jl.diff
# (text_poke_cond() with jl inverted) and require that exactly the cases
# that use text_poke_cond() fail, and all others pass. The tree is restored
# afterwards; the next kunit.py run rebuilds the one object incrementally.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

JSON=$LOGS/kunit-mutant.json
LOG=$LOGS/kunit-mutant.log
MUTANT=$TOP/workbench/mutants/kunit-jl.diff
# text_poke_cond() directly, as KVM's emulator calls it (SETcc, CMOVcc),
# int3_emulate_jcc() (also kprobes), a kprobe.
WANT_FAIL="x86_text_poke_rs.jcc_cond_vs_cpu
x86_text_poke_rs.setcc_cmovcc_cond_vs_cpu
x86_text_poke_rs.jcc_emulate_vs_cpu
x86_text_poke_rs.kprobe_on_jcc"

[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"
git -C "$SRC" apply "$MUTANT"
trap 'git -C "$SRC" apply -R "$MUTANT"' EXIT
step "kunit.py run with $(basename "$MUTANT") (log $LOG)"
rc=0
kunit_py "$JSON" "$LOG" || rc=$?
grep -E '^\[..:..:..\] Testing complete' "$LOG" | sed 's/^/    /' || true
[ $rc -ne 0 ] || die "kunit.py passed with the mutant"
[ -s "$JSON" ] || { tail -n 30 "$LOG"; die "the mutant kernel produced no results"; }

cases=$(kunit_cases "$JSON")
failed=$(echo "$cases" | grep -v '^PASS ' | cut -d' ' -f2- | sort)
echo "failed with the mutant:"
echo "$failed" | sed 's/^/  /'
[ "$failed" = "$(echo "$WANT_FAIL" | sort)" ] ||
	die "expected exactly these to fail: $(echo $WANT_FAIL)"
echo "$(echo "$cases" | grep -c '^PASS ') other cases passed"

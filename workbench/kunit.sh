#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit run of make check: tools/testing/kunit/kunit.py builds a kernel
# from workbench/text_poke.kunitconfig (its own O= directory, build/kunit) and
# runs it under QEMU with two CPUs. Passes when kunit.py does and its KTAP,
# parsed to JSON, holds every suite named below with every case passed (none
# failed, skipped or missing), and the console has no WARN, Oops or BUG.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

JSON=$LOGS/kunit.json
LOG=$LOGS/kunit.log
# The suites that must run: the Rust text_poke suite, the C test of batched
# static call updates and the kernel's kprobes
# tests (KPROBES_SANITY_TEST); the kunitconfig enables no others.
SUITES="x86_text_poke_rs x86_static_call kprobes_test"

[ -d "$SRC/.git" ] || die "no $SRC: run workbench/tree.sh"
step "kunit.py run --arch=x86_64 (build/kunit, log $LOG)"
rc=0
kunit_py "$JSON" "$LOG" || rc=$?
grep -E '^QEMU: |^\[..:..:..\] (Testing complete|Elapsed time)' "$LOG" | sed 's/^/    /' || true
[ $rc -eq 0 ] || { tail -n 40 "$LOG"; die "kunit.py failed (exit $rc)"; }
[ -s "$JSON" ] || die "kunit.py wrote no $JSON"

cases=$(kunit_cases "$JSON")
bad=0
for suite in $SUITES; do
	mine=$(echo "$cases" | awk -v s="$suite" 'index($2, s ".") == 1')
	n=$(echo "$mine" | grep -c . || true)
	ok=$(echo "$mine" | grep -c '^PASS ' || true)
	echo "$suite: $ok/$n cases passed"
	echo "$mine" | grep -v '^PASS ' | sed 's/^/  /' || true
	[ "$n" -gt 0 ] && [ "$ok" = "$n" ] || bad=1
done
[ $bad = 0 ] || die "a suite did not run or did not pass"

# The kernel log around the tests: no splat (the static call selftest WARNs
# on a wrong result) and the static call sites the KUnit case listed.
console=$BUILD/kunit/test.log
[ -s "$console" ] || die "no console log $console"
splat=$(grep -n -E "BUG:|kernel BUG|Oops|$WARN_RX|Call Trace|Kernel panic" "$console" | head -3 || true)
[ -z "$splat" ] || die "console: $splat"
grep -aoP 'static_call_sites: \K[0-9]+ static call sites after static_call_init\(\):.*' "$console" ||
	die "console: no static call site report"
grep -aoP 'static_call_sites: \Kconditional tail call at .*' "$console" | sed 's/^/  /' ||
	die "console: no conditional tail call listed (pr_debug, dynamic debug)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit run of make check: tools/testing/kunit/kunit.py builds a kernel
# from workbench/text_poke.kunitconfig (its own O= directory, build/kunit) and
# runs it under QEMU with two CPUs. Passes when kunit.py does and its KTAP,
# parsed to JSON, holds every suite named below with no case failed, skipped
# or missing, and the console has no WARN, Oops or BUG.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KDIR=$BUILD/kunit
JSON=$LOGS/kunit.json
LOG=$LOGS/kunit.log
# The suites that must run: the Rust text_poke suite and the kernel's kprobes
# tests (KPROBES_SANITY_TEST); the kunitconfig enables no others.
SUITES="x86_text_poke_rs kprobes_test"

[ -d "$SRC/.git" ] || die "no $SRC: run workbench/tree.sh"
# kunit.py needs a clean source tree: every build of ours uses O=.
[ ! -e "$SRC/.config" ] || die "$SRC/.config exists: kunit.py needs a clean source tree"

rm -f "$JSON"
step "kunit.py run --arch=x86_64 ($(basename "$KDIR"), log $LOG)"
rc=0
(cd "$SRC" && python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--build_dir="$KDIR" --kunitconfig="$TOP/workbench/text_poke.kunitconfig" \
	--make_options LLVM=-19 --make_options RUSTC="$RUSTC" \
	--make_options RUSTDOC="$RUSTDOC" --make_options BINDGEN="$BINDGEN" \
	--make_options HOSTRUSTC="$RUSTC" --jobs="$(nproc)" --timeout=900 \
	--qemu_args="-smp 2 -cpu EPYC" --json="$JSON") > "$LOG" 2>&1 || rc=$?
grep -E '^\[..:..:..\] (Testing complete|Elapsed time)' "$LOG" | sed 's/^/    /' || true
[ $rc -eq 0 ] || { tail -n 40 "$LOG"; die "kunit.py failed (exit $rc)"; }
[ -s "$JSON" ] || die "kunit.py wrote no $JSON"

# Every case of every suite: PASS; parameterised cases count their params.
python3 - "$JSON" $SUITES <<'EOF'
import json, sys

top = json.load(open(sys.argv[1]))
want = sys.argv[2:]

def cases(group, path):
    for c in group.get("test_cases", []):
        yield path + [c["name"]], c["status"]
    for g in group.get("sub_groups", []):
        yield from cases(g, path + [g["name"]])

suites = {g["name"]: g for g in top.get("sub_groups", [])}
bad = 0
for name in want:
    if name not in suites:
        print(f"FAIL: suite {name} did not run")
        bad += 1
        continue
    results = list(cases(suites[name], []))
    failed = [(".".join(p), s) for p, s in results if s != "PASS"]
    print(f"{name}: {len(results) - len(failed)}/{len(results)} cases passed")
    for p, s in failed:
        print(f"  {s}: {name}.{p}")
    bad += bool(failed) or not results
sys.exit(1 if bad else 0)
EOF

# The kernel log around the tests: no splat, the static call selftest quiet,
# and the boot report of the Rust patcher.
console=$KDIR/test.log
[ -s "$console" ] || die "no console log $console"
splat=$(grep -n -E 'BUG:|kernel BUG|Oops|WARNING: CPU:|Call Trace|Kernel panic' "$console" | head -3 || true)
[ -z "$splat" ] || die "console: $splat"
grep -oE 'static_call: [0-9]+ sites patched at boot, [0-9]+ conditional tail calls \(Rust text_poke\)' \
	"$console" || die "console: no Rust static call report"
grep -oE 'static_call: conditional tail call at .*' "$console" | sed 's/^/  /' || true

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# With X86_TEXT_POKE_RUST=n the series must build upstream's code. Build
# the objects that the series touches from the base tree (a worktree at tag
# "base") and from the series tree with one configuration (the series
# kernel's, X86_TEXT_POKE_RUST=n), disassemble every function and compare
# them after normalising what moves with any edit: addresses, offsets of
# relocations, string placement. A difference must be listed, with its
# reason, in workbench/same-allow-$BASE.txt, and must still make the same
# calls and references, unless its reason starts with "new:" (a function the
# series adds) or "changed:" (a deliberate change of what =n does, such as
# the trampoline check before an update); a listed one that went away is an
# error too, so the list stays true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OBJS="arch/x86/kernel/static_call.o arch/x86/kernel/alternative.o arch/x86/kernel/kprobes/core.o kernel/static_call_inline.o arch/x86/kernel/uprobes.o"
ALLOW=$TOP/workbench/same-allow-$BASE.txt
wt=$BUILD/linux-base
[ -f "$OUT/.config" ] || die "no $OUT/.config: build the series kernel first"
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" base

# build_objs TREE DIR: the objects of $OBJS from TREE with the =n config.
build_objs() {
	local tree=$1 dir=$2
	mkdir -p "$dir"
	cp "$OUT/.config" "$dir/.config"
	"$SRC/scripts/config" --file "$dir/.config" -d X86_TEXT_POKE_RUST \
		-d X86_TEXT_POKE_RUST_KUNIT_TEST -d X86_TEXT_POKE_RUST_TORTURE_TEST
	local k=(make -C "$tree" O="$dir" "${KMAKE[@]:4}")
	"${k[@]}" -s olddefconfig >/dev/null
	! grep -q '^CONFIG_X86_TEXT_POKE_RUST=y' "$dir/.config" || die "$dir: X86_TEXT_POKE_RUST still set"
	"${k[@]}" $OBJS > "$dir/build.log" 2>&1 || { tail -20 "$dir/build.log"; die "building $OBJS in $dir failed"; }
}

step "building $(echo $OBJS | wc -w) objects, base and series, X86_TEXT_POKE_RUST=n"
build_objs "$wt" "$BUILD/same-base"
build_objs "$SRC" "$BUILD/same-series"
# The series' own symbols aside: X86_TEXT_POKE_*, and on 7.3 the batched
# static call updates that x86 selects (HAVE_STATIC_CALL_BATCH) and their
# C KUnit test, the assembler strings of static calls that x86 selects
# (ARCH_HAS_STATIC_CALL_ASM_STR) and the Rust static call sample.
ours='X86_TEXT_POKE|HAVE_STATIC_CALL_BATCH|X86_STATIC_CALL_KUNIT_TEST|ARCH_HAS_STATIC_CALL_ASM_STR|SAMPLE_RUST_STATIC_CALL'
cmp -s <(grep -v '^#' "$BUILD/same-base/.config" | grep -vE "$ours") \
       <(grep -v '^#' "$BUILD/same-series/.config" | grep -vE "$ours") ||
	die "the two configurations differ beyond the series' own options"

python3 - "$BUILD/same-base" "$BUILD/same-series" "$ALLOW" $OBJS <<'EOF'
import re, subprocess, sys

base, series, allow_file, objs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

def functions(path):
    """Normalised instructions of every function of the object at path."""
    out = subprocess.run(["llvm-objdump-19", "-d", "-r", "--no-show-raw-insn", path],
                         check=True, capture_output=True, text=True).stdout
    funcs, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m and m.group(1).startswith(".L") and cur is not None:
            continue  # a local label (a BUG() site, say) inside the function
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        if cur is None or not line.strip():
            continue
        m = re.match(r"^\s*[0-9a-f]+:\s+(R_\S+)\s+(\S+)", line)
        if m:  # a relocation: the symbol, not where in its section
            sym = re.sub(r"[+-]0x[0-9a-f]+$", "", m.group(2))
            sym = re.sub(r"^\.L\S*|^\.rodata\.str\S*", ".str", sym)
            cur.append(f"  {m.group(1)} {sym}")
            continue
        m = re.match(r"^\s*[0-9a-f]+:\s+(.*)$", line)
        if m:
            insn = re.sub(r"\b0x[0-9a-f]+ <", "<", m.group(1))  # branch targets by symbol+offset
            insn = re.sub(r"\s+", " ", insn).strip()
            cur.append(insn)
    return funcs

allowed = {}
for line in open(allow_file):
    line = line.strip()
    if line and not line.startswith("#"):
        obj, func, reason = line.split(None, 2)
        allowed[(obj, func)] = reason

seen, bad, same = set(), [], 0
for obj in objs:
    b, s = functions(f"{base}/{obj}"), functions(f"{series}/{obj}")
    for name in sorted(set(b) | set(s)):
        if b.get(name) == s.get(name):
            same += 1
            continue
        what = "only in base" if name not in s else "only in series" if name not in b else "differs"
        if (obj, name) in allowed:
            seen.add((obj, name))
            reason = allowed[(obj, name)]
            if reason.startswith("new:") or reason.startswith("changed:"):
                if reason.startswith("new:") != (what == "only in series"):
                    bad.append(f"{obj} {name}: {what}, but listed as {reason.split(':')[0]}")
                else:
                    print(f"allowed: {obj} {name} ({what}): {reason}")
                continue
            # Allowed to differ in registers and order, not in what it
            # calls or references.
            refs = lambda f: sorted(l for l in f.get(name, []) if l.startswith("  R_"))
            if refs(b) != refs(s):
                bad.append(f"{obj} {name}: calls or references differ")
                continue
            n = len(refs(b))
            print(f"allowed: {obj} {name} ({what}, same {n} calls and references): {allowed[(obj, name)]}")
        else:
            bad.append(f"{obj} {name}: {what}")
for key in sorted(set(allowed) - seen):
    bad.append(f"{key[0]} {key[1]}: listed in {allow_file} but identical now")
print(f"{same} functions identical in {len(objs)} objects, {len(seen)} allowed differences")
if bad:
    print("\n".join("DIFFERENT: " + x for x in bad))
    sys.exit(1)
EOF

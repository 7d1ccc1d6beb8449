#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# export.sh: write patches/*/$BASE.diff from the working tree of $SRC, for
# editing the upstream files of the series in the kernel tree itself. Each
# patch directory lists the upstream files it changes in "upstream", one
# path per line; a file that two patches change names, in the later one, a
# regular expression: the lines that the working tree adds and that match it
# belong to that patch, the other changes to the first. Overlay files (the
# "files" lists) are not diffed: they live in this repository.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

python3 - "$SRC" "$TOP/patches" "$BASE" <<'EOF'
import difflib, os, re, subprocess, sys, tempfile

src, patches, base = sys.argv[1:]
dirs = sorted(d for d in os.listdir(patches) if re.match(r"\d{4}-", d))
owners = {}  # path -> [(index, regex or None)]
for i, d in enumerate(dirs):
    f = os.path.join(patches, d, "upstream")
    if not os.path.exists(f):
        continue
    for line in open(f):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        path, _, rx = line.partition(" ")
        owners.setdefault(path, []).append((i, re.compile(rx) if rx else None))

def show(path):
    r = subprocess.run(["git", "-C", src, "show", f"base:{path}"], capture_output=True, text=True)
    return r.stdout.splitlines(True) if r.returncode == 0 else None

def stage(path, k):
    """The content of path after patch k (-1: the base), None if absent."""
    old = show(path)
    final = open(os.path.join(src, path)).read().splitlines(True)
    own = owners[path]
    plain = min(i for i, rx in own if rx is None)
    def owner(line):
        for i, rx in own:
            if rx is not None and rx.search(line):
                return i
        return plain
    if old is None:
        return final if plain <= k else None
    out = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, final, autojunk=False).get_opcodes():
        if tag == "equal":
            out += old[a1:a2]
            continue
        if plain > k:
            out += old[a1:a2]  # deletions belong to the plain owner
        out += [l for l in final[b1:b2] if owner(l) <= k]
    return out

for i, d in enumerate(dirs):
    chunks = []
    for path in sorted(p for p, own in owners.items() if any(j == i for j, _ in own)):
        a, b = stage(path, i - 1), stage(path, i)
        with tempfile.TemporaryDirectory() as t:
            fa, fb = os.path.join(t, "a"), os.path.join(t, "b")
            for f, c in ((fa, a), (fb, b)):
                if c is not None:
                    open(f, "w").write("".join(c))
            r = subprocess.run(["git", "diff", "--no-index", "--no-color", "--full-index",
                                fa if a is not None else "/dev/null",
                                fb if b is not None else "/dev/null"],
                               capture_output=True, text=True)
            out = r.stdout.replace(fa, "/" + path).replace(fb, "/" + path)
            out = re.sub(r"^diff --git a/\S+ b/\S+", f"diff --git a/{path} b/{path}", out, flags=re.M)
            out = re.sub(r"^--- a/\S+", f"--- a/{path}", out, flags=re.M)
            out = re.sub(r"^\+\+\+ b/\S+", f"+++ b/{path}", out, flags=re.M)
            out = re.sub(r"^index [0-9a-f]+\.\.[0-9a-f]+( \d+)?\n", "", out, flags=re.M)
            chunks.append(out)
    target = os.path.join(patches, d, f"{base}.diff")
    text = "".join(chunks)
    if text:
        open(target, "w").write(text)
    elif os.path.exists(target):
        os.remove(target)
    print(f"{d}/{base}.diff: {text.count(chr(10))} lines")
EOF

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the unpatched base tree (a git worktree at tag "base") with the same
# configuration and record its objtool warnings in
# workbench/objtool-baseline.txt: build.sh fails on any warning not listed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

wt=$BUILD/linux-base
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" base
: > "$TOP/workbench/objtool-baseline.txt"
SRC=$wt bash "$TOP/workbench/build.sh" out-base
cp "$BUILD/out-base/objtool-warnings.txt" "$TOP/workbench/objtool-baseline.txt"
info "baseline: $(wc -l < "$TOP/workbench/objtool-baseline.txt") objtool warnings in the base tree"

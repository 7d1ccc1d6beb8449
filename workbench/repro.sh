#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The reproducer: branch "repro" (the base tree alone, plus patches/repro,
# which drops Jcc.d32 acceptance from __static_call_validate(), as before
# upstream learned conditional tail calls), built into build/out-repro from
# a worktree of its own, $BUILD/repro-linux. That kernel must fail the boot
# test, as the original report did; exit 0 when it does.
# workbench/nojcc.sh makes the same change with the series: that kernel boots.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# A worktree of its own: checking the base out in $SRC would make the next
# build of the series kernel a full one.
wt=$BUILD/repro-linux
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" repro
git -C "$wt" checkout -q --detach repro
SRC=$wt bash "$TOP/workbench/build.sh" out-repro

jcc=$(jcc_sites "$BUILD/out-repro" | wc -l)
info "the reproducer kernel has $jcc conditional tail calls to static call trampolines"

log=$LOGS/boot-repro.log
if BOOT_TIMEOUT=${REPRO_TIMEOUT:-30} bash "$TOP/workbench/boot.sh" out-repro "$log" > "$log.verdict"; then
	cat "$log.verdict"
	die "the kernel without Jcc support booted: the boot test cannot see the bug"
fi
cat "$log.verdict"
lines=$(grep -vc '^qemu-system' "$log" || true)
info "reproduced: no Jcc support, boot failed ($lines console lines; the original report died silently)"

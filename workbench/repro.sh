#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The reproducer: branch "repro" (the series plus patches/repro, which drops
# Jcc.d32 acceptance from the C __static_call_validate()) built with
# X86_TEXT_POKE_RUST=n in the same tree, into build/out-repro: seeded from a
# copy of build/out, so that it is an incremental rebuild and build/out stays
# the series kernel. That kernel has no Jcc tail-call support at all and must
# fail the boot test; exit 0 when it does. The tree is left on "series".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

restore() { git -C "$SRC" checkout -q series; }
trap restore EXIT
if [ ! -d "$BUILD/out-repro" ] && [ -f "$OUT/vmlinux.o" ]; then
	step "seeding build/out-repro from build/out"
	cp -a "$OUT" "$BUILD/out-repro"
fi
git -C "$SRC" checkout -q repro
bash "$TOP/workbench/build.sh" out-repro CONFIG_X86_TEXT_POKE_RUST=n

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

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bisect-check`: every prefix of the series builds with the series
# configuration, without a new objtool warning, and with GCC (make matrix's
# gcc row, X86_TEXT_POKE_RUST=n), commit by commit in a worktree of $SRC
# ($BUILD/bisect-linux) and two build directories ($BUILD/bisect,
# $BUILD/bisect-gcc), so that each build after the first is incremental. The
# options of series.config that an early commit does not define yet are let
# go (build.sh: BUILD_ALLOW_UNKNOWN); the configuration is made again at
# every commit, so that each gets the options it defines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

wt=$BUILD/bisect-linux
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" base
mapfile -t commits < <(git -C "$SRC" rev-list --reverse base..series)
t0=$(date +%s)
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	step "$((i + 1))/${#commits[@]}: $(git -C "$SRC" log -1 --format='%h %s' "$c")"
	git -C "$wt" checkout -q --detach "$c"
	t=$(date +%s)
	rm -f "$BUILD/bisect/textpoke.config"  # configure again: Kconfig changed
	SRC=$wt BUILD_ALLOW_UNKNOWN=1 bash "$TOP/workbench/build.sh" bisect "$TOP/workbench/series.config" \
		> "$LOGS/bisect-step.log" 2>&1 ||
		{ tail -20 "$LOGS/bisect-step.log"; die "commit $((i + 1)) does not build: $(git -C "$SRC" log -1 --format='%h %s' "$c")"; }
	grep -vE '^    [0-9]+ s: ' "$LOGS/bisect-step.log" || true
	info "$(( $(date +%s) - t )) s; X86_TEXT_POKE_RUST: $(grep -E '^(# )?CONFIG_X86_TEXT_POKE_RUST[= ]' "$BUILD/bisect/.config" || echo 'not defined yet')"
	# The C changes reach every kernel: GCC, without Rust, =n, too.
	SRC=$wt MATRIX_DIR=bisect bash "$TOP/workbench/matrix.sh" gcc | grep -E '^(PASS|FAIL)|^       ' ||
		die "commit $((i + 1)) does not build with GCC: $(git -C "$SRC" log -1 --format='%h %s' "$c")"
done
echo "make bisect-check: all ${#commits[@]} commits of the $BASE series build, $(( $(date +%s) - t0 )) s"

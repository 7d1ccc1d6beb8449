#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [NAME [EXTRA-CONFIG-LINE-OR-FRAGMENT...]]
#
# Configure (tinyconfig + workbench/textpoke.config + extra lines or fragment
# files, each F.config followed by F-$BASE.config if there is one) and build
# (BUILD_BASECONFIG=x86_64_defconfig BUILD_FRAGMENT=F: that configuration
# target and F instead of tinyconfig and textpoke.config)
# $SRC into $BUILD/NAME (default: out). Fails when a requested option did not
# make it into .config (with BUILD_ALLOW_UNKNOWN=1, an option that no Kconfig
# of $SRC defines is let go), and when objtool reports a warning that the
# base tree does not have (workbench/objtool-baseline.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-out}; shift || true
OUT=$BUILD/$name
KMAKE=("${KMAKE[@]/#O=*/O=$OUT}")
log=$LOGS/build-$name.log
mkdir -p "$OUT"

"${KMAKE[@]}" -s rustavailable >/dev/null || die "make rustavailable failed: see workbench/setup.sh"

frag=$OUT/textpoke.config
# An argument is a config line, or a fragment file to add.
{
	echo "# base: ${BUILD_BASECONFIG:-tinyconfig}"
	cat "${BUILD_FRAGMENT:-$TOP/workbench/textpoke.config}"
	for a in "$@"; do
		if [ -f "$a" ]; then
			cat "$a"
			# F.config comes with F-$BASE.config where one base needs more.
			[ ! -f "${a%.config}-$BASE.config" ] || cat "${a%.config}-$BASE.config"
		else
			printf '%s\n' "$a"
		fi
	done
} > "$frag.new"
if ! cmp -s "$frag.new" "$frag" || [ ! -f "$OUT/.config" ]; then
	step "configuring $name: ${BUILD_BASECONFIG:-tinyconfig} + $(basename "${BUILD_FRAGMENT:-textpoke.config}") $*"
	"${KMAKE[@]}" -s "${BUILD_BASECONFIG:-tinyconfig}" >/dev/null
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$OUT/.config" "$frag.new" >/dev/null
	"${KMAKE[@]}" -s olddefconfig >/dev/null
	mv "$frag.new" "$frag"
else
	rm -f "$frag.new"
fi
bad=0
while read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	opt=${line%%=*}
	if [ "${line#*=}" = n ]; then
		want="# $opt is not set"
	else
		want=$line
	fi
	grep -qxF "$want" "$OUT/.config" && continue
	# =n is met too when the option does not exist with this configuration.
	[ "${line#*=}" = n ] && ! grep -qE "(^| )$opt[= ]" "$OUT/.config" && continue
	# make bisect-check: an early commit of the series lacks later options.
	[ -n "${BUILD_ALLOW_UNKNOWN:-}" ] &&
		! grep -rqE "^\s*(menu)?config ${opt#CONFIG_}\b" --include='Kconfig*' "$SRC" && continue
	echo "ERROR: $line requested, .config has: $(grep -E "(^| )$opt[= ]" "$OUT/.config" || echo nothing)"
	bad=1
done < <(tac "$frag" | awk -F= '/^CONFIG_/ && !seen[$1]++')  # a later line overrides
[ $bad -eq 0 ] || { rm -f "$frag"; die "configuration dropped options (missing dependency or toolchain?)"; }

step "building $name ($(nproc) jobs, log: ${log#$TOP/})"
start=$(date +%s)
# Progress: every 30 s, how far the build got.
( while sleep 30; do
	info "$(( $(date +%s) - start )) s: $(grep -cE '^  (CC|RUSTC|AS|LD)' "$log" 2>/dev/null) steps, $(tail -1 "$log" 2>/dev/null | cut -c1-60)"
  done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null' EXIT
if ! "${KMAKE[@]}" bzImage modules > "$log" 2>&1; then
	grep -E "error|Error" "$log" | head -30
	die "kernel build failed, see $log"
fi
info "built in $(( $(date +%s) - start )) s: $(du -h "$OUT/arch/x86/boot/bzImage" | cut -f1) bzImage"

# objtool: a warning is compared without its offset, which moves with any edit.
grep -h "warning: objtool:" "$log" | sed -E 's/\+0x[0-9a-f]+//g' | sort -u > "$OUT/objtool-warnings.txt" || true
new=$(comm -13 <(sort -u "$TOP/workbench/objtool-baseline.txt") "$OUT/objtool-warnings.txt")
if [ -n "$new" ]; then
	echo "$new"
	die "objtool warnings that the base tree does not have (above)"
fi
info "objtool: $(wc -l < "$OUT/objtool-warnings.txt") warnings, none new"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# summary.sh [NAME]: what `make` shows at the end, read from the build and the
# boot log of $BUILD/NAME. Exit 1 unless the boot passed and the kernel
# reported its conditional tail calls.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-out}
log=$LOGS/boot-$name.log
[ -f "$log" ] || die "no boot log $log: run make"

echo
echo "===================== text_poke series: summary ====================="
echo "base:      $(git -C "$SRC" log -1 --format=%s base) ($(make -s -C "$SRC" kernelversion)); BASE=$BASE"
echo "series:    $(git -C "$SRC" rev-list --count base..series) commits (git -C ${SRC#$TOP/} log base..series)"
echo "toolchain: $(clang-19 --version | head -1 | sed 's/ (.*//'), $($RUSTC --version | cut -d' ' -f1-2), $($BINDGEN --version)"
echo "config:    X86_TEXT_POKE_RUST=$(grep -oP '^CONFIG_X86_TEXT_POKE_RUST=\K.*' "$BUILD/$name/.config" || echo n)," \
     "$(grep -c '^CONFIG_' "$BUILD/$name/.config") options set"
report=$(grep -aoP 'static_call_sites: \K[0-9]+ static call sites after static_call_init\(\):.*' "$log" || true)
echo "static_call (booted kernel, KUnit): ${report:-no report in the boot log}"
booted_jcc_sites "$log" "$BUILD/$name" | sed 's/^/  Jcc site: /' || true
agree=0
scan=$(bash "$TOP/workbench/lint.sh" report 2>&1) && agree=1
echo "static_call (vmlinux.o, scripts/text_poke_scan): $(echo "$scan" | grep -oP 'vmlinux.o: \K.*' || echo "scan failed")"
echo "$scan" | grep -E '^(kernel|ERROR): ' | grep -v 'after static_call_init():' | sed 's/^ERROR: /  DISAGREE: /; s/^kernel: /  /'
echo "boot:      $(cat "$log.seconds") s under QEMU $(cat "$log.qemu-version" 2>/dev/null || echo "(version unknown)") TCG (-cpu EPYC -smp 2), log ${log#$TOP/}"
if bash "$TOP/workbench/boot.sh" --verdict "$name" "$log" >/dev/null && [ -n "$report" ] && [ $agree = 1 ]; then
	echo "result:    PASS"
else
	echo "result:    FAIL"
	exit 1
fi

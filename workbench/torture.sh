#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel torture: boot the series kernel with the torture test module,
# text_poke_rs_torture_test, and the Rust static call sample,
# rust_static_call, in the initramfs, load them, and require the torture's
# PASS line, its three rustc sites patched at module init in the forms rustc
# gave them, and the sample's results. Single-threaded TCG: under
# multi-threaded TCG even the unpatched kernel takes spurious INT3
# Oopses from concurrent cross-modification (a QEMU artefact), while the
# single-threaded run still interleaves the vCPUs and the INT3 emulation.
# OUT_NAME=out-nojcc: the same in the X86_TEXT_POKE_RUST=n kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# TORTURE_UPDATES: the module's updates parameter (its default is 300, what
# make check runs; make bench asks for 5000).
log=${TORTURE_LOG:-$LOGS/boot-torture${OUT_NAME:+-$OUT_NAME}.log}
mods=$OUT/arch/x86/kernel/text_poke_rs_torture_test.ko
[ -f "$mods" ] || die "no $mods: build with workbench/series.config"
sample=$OUT/samples/rust/rust_static_call.ko
[ ! -f "$sample" ] || mods+=" $sample"
BOOT_ACCEL=tcg,thread=single BOOT_TIMEOUT=${TORTURE_TIMEOUT:-1800} \
	BOOT_APPEND="${BOOT_APPEND:-}${TORTURE_UPDATES:+ textpoke.updates=$TORTURE_UPDATES}" \
	BOOT_MODULES=$mods \
	BOOT_TESTS="$TOP/workbench/guest/text_poke_rs_torture_test.sh $TOP/workbench/guest/rust_static_call.sh" \
	bash "$TOP/workbench/boot.sh" "${OUT_NAME:-out}" "$log"
text=$(tr -d '\r' < "$log")
line=$(grep -aoP "text_poke_rs_torture_test: \\KPASS: ${TORTURE_UPDATES:-300} updates .*" <<< "$text") || {
	grep -aE 'text_poke_rs_torture_test|textpoke-test' <<< "$text" | head -10
	die "no PASS line from text_poke_rs_torture_test"
}
echo "text_poke_rs_torture_test: $line"
# rustc's sites as module-init patching left them, disassembled here.
for form in call 'tail call' Jcc.d32; do
	bytes=$(grep -aoP "text_poke_rs_torture_test: rustc $form site, patched at module init: 0x[0-9a-f]+: \\[\\K[0-9a-f, ]+(?=\\] -> target A)" <<< "$text") ||
		die "no line for rustc's $form site"
	insn=$(echo "0x${bytes//, / 0x}" | llvm-mc-19 --disassemble -triple=x86_64 2>/dev/null | awk 'NR > 1 { $1 = $1; print }')
	echo "  rustc $form site after module init: ${bytes//, / }  ($insn, to target A)"
done
[ -f "$sample" ] || exit 0
want='Rust static call sample (init)|scale(14) = 42|now multiplying: true|observer: 42|scale(14) = 42|Rust static call sample (exit)'
got=$(grep -aoP 'rust_static_call: \K.*' <<< "$text" | paste -sd'|')
[ "$got" = "$want" ] || die "rust_static_call printed: $got"
grep -aq 'textpoke-test: rust_static_call loaded and unloaded' <<< "$text" || die "rust_static_call did not load and unload"
echo "rust_static_call: $(echo "$got" | sed 's/|/; /g')"

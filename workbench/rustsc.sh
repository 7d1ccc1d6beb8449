#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# rustsc.sh forms|mutant
#
# Static calls of Rust code (kernel::static_call), in the series kernel's
# objects (build/out, with workbench/series.config).
#
# forms: the three functions of text_poke_rs_torture_test.ko that call the
# static call with static_call!() are a call, a tail call and a
# conditional tail call (Jcc.d32) to its trampoline, in rustc's code as
# llvm-objdump shows it, and scripts/text_poke_scan finds them among the
# module's sites; the sample rust_static_call.ko has sites too; in vmlinux.o,
# kernel::task::might_resched() calls the might_resched static call, whose
# key the kernel crate names in .discard.addressable, and no C helper of
# it is left. Fails when rustc stops emitting one of the forms.
#
# mutant: workbench/mutants/rustc-fnptr.diff makes the module's three
# functions call through the key's function pointer instead: the forms
# check must fail, and loading the module must fail with its FAIL line
# (its own .static_call_sites no longer has them). Only the module is
# rebuilt, with the mutant and again without it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ko=$OUT/arch/x86/kernel/text_poke_rs_torture_test.ko
sample=$OUT/samples/rust/rust_static_call.ko

# reloc_insn OBJECT FUNCTION TRAMPOLINE: the instruction of FUNCTION that has
# the PLT32 relocation to TRAMPOLINE, as llvm-objdump prints it: "offset:
# bytes mnemonic target  (relocation)".
reloc_insn() {
	llvm-objdump-19 -dr --disassemble-symbols="$2" "$1" | awk -v t="$3-0x4" '
		/^ +[0-9a-f]+:/ { insn = $0 }
		/R_X86_64_PLT32/ && $3 == t { r = $3; $0 = insn; $1 = $1; print $0 "  (" r ")" }'
}
site() { reloc_insn "$ko" "$1" __SCT__rust_tp_torture; }

forms() {
	local f want line fail=0
	[ -f "$ko" ] || die "no $ko: build with workbench/series.config"
	echo "llvm-objdump -dr text_poke_rs_torture_test.ko, rustc's sites before patching:"
	for f in call:call tail:jmp jcc:j; do
		want=${f#*:} f=rust_tp_rustc_${f%%:*}
		line=$(site "$f")
		printf '  %-20s %s\n' "$f:" "${line:-(no site)}"
		case "$want" in
		j) [[ "$line" =~ ^[0-9a-f]+:\ 0f\ 8[0-9a-f]( [0-9a-f]{2}){4}\ j[a-z]+\  ]] && [[ ! "$line" =~ jmp ]] ;;
		*) [[ "$line" =~ ^[0-9a-f]+:\ e[89]( [0-9a-f]{2}){4}\ $want ]] ;;
		esac || { echo "    not a $want to the trampoline"; fail=1; }
	done
	[ $fail = 0 ] || die "rustc no longer emits the three forms"
	scan=$(bash "$TOP/workbench/scan.sh" "$ko") || { echo "$scan"; die "scanner: unhandled sites"; }
	echo "scripts/text_poke_scan text_poke_rs_torture_test.ko: $(echo "$scan" | tail -1)"
	echo "$scan" | grep rust_tp_rustc_jcc | sed 's/^/  /'
	[[ "$(echo "$scan" | tail -1)" =~ ^19\ static\ call\ sites:\ 1\ calls,\ 1\ tail\ calls,\ 17\ conditional ]] ||
		die "the scanner does not find rustc's call, tail call and Jcc beside the 16 assembly sites"
	grep -q "^rust_tp_rustc_jcc+0x[0-9a-f]*/0x[0-9a-f]* j[a-z]* __SCT__rust_tp_torture$" <<< "$scan" ||
		die "the scanner does not list rustc's Jcc.d32 site"
	scan=$(bash "$TOP/workbench/scan.sh" "$sample") || { echo "$scan"; die "scanner: unhandled sites in the sample"; }
	echo "scripts/text_poke_scan rust_static_call.ko: $(echo "$scan" | tail -1)"
	# vmlinux.o: the Rust site of might_resched, and its key reference.
	local sym
	sym=$(llvm-nm-19 "$OUT/vmlinux.o" | awk '$2 == "T" && $3 ~ /^_R.*6kernel4task13might_resched$/ { print $3 }')
	[ -n "$sym" ] || die "vmlinux.o has no kernel::task::might_resched"
	line=$(reloc_insn "$OUT/vmlinux.o" "$sym" __SCT__might_resched)
	echo "vmlinux.o, kernel::task::might_resched(): ${line:-no site}"
	[ -n "$line" ] || die "kernel::task::might_resched() does not call the might_resched trampoline"
	llvm-readelf-19 -r "$OUT/rust/kernel.o" |
		awk '/^Relocation section/ { s = $3 } s ~ /discard\.addressable/ && /__SCK__might_resched/' | grep -q . ||
		die "rust/kernel.o does not name __SCK__might_resched in .discard.addressable"
	! llvm-nm-19 "$OUT/vmlinux.o" | grep -q ' rust_helper_might_resched$' ||
		die "rust_helper_might_resched is still built"
	echo "rust/kernel.o names __SCK__might_resched in .discard.addressable; no rust_helper_might_resched"
}

mutant() {
	# Globals: the EXIT trap reads them.
	m=$TOP/workbench/mutants/rustc-fnptr.diff target=arch/x86/kernel/text_poke_rs_torture_test.ko
	local log=$LOGS/boot-rustc-fnptr.log
	[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"
	git -C "$SRC" apply "$m"
	restore() {
		trap - EXIT
		git -C "$SRC" apply -R "$m"
		"${KMAKE[@]}" -s "$target" > "$LOGS/build-rustc-fnptr.log" 2>&1 ||
			die "the module does not build again without the mutant"
	}
	trap restore EXIT
	step "text_poke_rs_torture_test.ko with $(basename "$m")"
	"${KMAKE[@]}" -s "$target" > "$LOGS/build-rustc-fnptr.log" 2>&1 ||
		die "the mutant module does not build, see $LOGS/build-rustc-fnptr.log"
	if out=$(forms 2>&1); then
		die "the forms check passes with the mutant"
	fi
	echo "forms check with the mutant: $(echo "$out" | grep -m1 ERROR)"
	BOOT_ACCEL=tcg,thread=single boot_module text_poke_rs_torture_test "$log" || true
	grep -aq 'textpoke-test: text_poke_rs_torture_test FAILED to load' "$log" ||
		die "the mutant module loaded"
	line=$(grep -aoP 'text_poke_rs_torture_test: \KFAIL: rustc.*' "$log" | head -1)
	[ -n "$line" ] || die "the mutant module did not say why it failed"
	echo "loading it: $line"
}

case "${1:-}" in
forms) forms ;;
mutant) mutant ;;
*) die "rustsc.sh forms|mutant" ;;
esac

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# matrix.sh [NAME...]: `make matrix`, the series in the configurations a
# maintainer would try, one line per configuration. Without NAME: all of
# them, on BASE (default 7.3). Most x86-64 kernels are the series kernel
# (tinyconfig + textpoke.config + series.config) with one thing changed,
# built in build/BASE/matrix-NAME (no new objtool warning), booted under
# QEMU (KUnit at boot, no splat) and checked as its line says; o2 has no
# test option at all, kprobes is the series kernel itself. gcc, i386 and um
# are build-only. Logs: build/BASE/logs/matrix-NAME.log. MATRIX_DIR=D puts
# the build-only trees in build/BASE/D-NAME instead (make bisect-check).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

W=$TOP/workbench
SERIES=$W/series.config
MATRIX_DIR=${MATRIX_DIR:-matrix}

# name|what|config lines (series kernel plus these; "-" starts from
# textpoke.config alone; "=out" is the series kernel itself; "defconfig"
# is x86_64_defconfig + defconfig.config)|checks after the boot
MATRIX=(
"gcc|GCC, X86_TEXT_POKE_RUST=n (build only)|gcc|"
"i386|i386 tinyconfig with static calls, jump labels, kprobes (build only)|i386|"
"um|ARCH=um (kunit.py's default), build only|um|"
"o2|clang -O2, X86_TEXT_POKE_RUST=y without any test option|- CONFIG_CC_OPTIMIZE_FOR_SIZE=n CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE=y CONFIG_X86_TEXT_POKE_RUST=y|notest noinstr jcc"
"noibt|IBT off|CONFIG_X86_KERNEL_IBT=n|"
"norethunk|return thunks off, the torture test and W=1 too|CONFIG_MITIGATION_RETHUNK=n|torture w1"
"nocalldepth|call-depth tracking off|CONFIG_MITIGATION_CALL_DEPTH_TRACKING=n|"
"preempt|PREEMPT (full)|CONFIG_PREEMPT=y|"
"kprobes|KPROBES with its sanity tests: the series kernel of make (build/BASE/out)|=out|kprobes_test"
"nokprobes|the KUnit suite with KPROBES off|CONFIG_KPROBES_SANITY_TEST=n CONFIG_KPROBES=n|kunit_skip"
"kasan|KASAN (generic): objtool, noinstr entry points|CONFIG_SLUB_TINY=n CONFIG_KASAN=y|noinstr"
"defconfig|x86_64_defconfig with Rust, -Os, X86_TEXT_POKE_RUST=y and the KUnit suite (workbench/defconfig.config)|defconfig|report noinstr"
)

# other NAME KIND LOG: the build-only kernels, from tinyconfig.
other() {
	local o=$BUILD/$MATRIX_DIR-$1 frag=$BUILD/$MATRIX_DIR-$1.config kind=$2
	mkdir -p "$o"
	case $kind in
	gcc)	# Plain GCC, no LLVM and so no Rust: the series' C with =n.
		{ grep '^CONFIG_' "$W/textpoke.config" | grep -v '^CONFIG_RUST='
		  echo CONFIG_JUMP_LABEL=y; } > "$frag"
		set -- make -C "$SRC" O="$o" -j"$(nproc)" CC=gcc HOSTCC=gcc ;;
	i386)
		printf '%s\n' CONFIG_SMP=y CONFIG_MODULES=y CONFIG_KPROBES=y CONFIG_JUMP_LABEL=y \
			CONFIG_PERF_EVENTS=y CONFIG_CPU_SUP_AMD=y CONFIG_STATIC_CALL_SELFTEST=y > "$frag"
		set -- make -C "$SRC" O="$o" -j"$(nproc)" LLVM=-19 ARCH=i386 ;;
	um)
		# UML has no jump labels; 64-bit, as kunit.py builds it (a 32-bit
		# UML needs 32-bit libc headers).
		printf '%s\n' CONFIG_64BIT=y CONFIG_MODULES=y CONFIG_KUNIT=y > "$frag"
		set -- make -C "$SRC" O="$o" -j"$(nproc)" LLVM=-19 ARCH=um ;;
	esac
	"$@" -s tinyconfig >/dev/null &&
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$frag" >/dev/null &&
		"$@" -s olddefconfig >/dev/null || return 1
	while read -r l; do
		grep -qxF "$l" "$o/.config" || { echo "$l dropped by Kconfig"; return 1; }
	done < "$frag"
	if [ "$kind" = um ]; then "$@" linux; else "$@" bzImage modules; fi
}

# checks NAME CHECK...: what a booted configuration must show beyond a clean
# boot (LOG is its boot log).
checks() {
	local name=$1 log=$LOGS/boot-matrix-$1.log c o=$BUILD/matrix-$1 text
	shift
	# The serial console ends its lines with CR LF.
	text=$(tr -d '\r' < "$log" 2>/dev/null || true)
	for c in "$@"; do
		case $c in
		notest)	# No test code in a kernel without the test options.
			! grep -q '^CONFIG_X86_TEXT_POKE_RUST_KUNIT_TEST=y' "$o/.config" ||
				{ echo "the KUnit test is configured"; return 1; }
			local syms
			syms=$(llvm-nm-19 "$o/vmlinux") || { echo "llvm-nm failed"; return 1; }
			! echo "$syms" | grep -E ' (__ksymtab_)?(text_poke_rs_|tp_)' ||
				{ echo "test symbols in a kernel without the test"; return 1; }
			grep -qE ' text_poke_emulate$' <<< "$syms" || { echo "no text_poke_emulate"; return 1; }
			echo "no test symbol (text_poke_emulate is there)" ;;
		noinstr) OUT_NAME=matrix-$name bash "$W/lint.sh" noinstr || return 1 ;;
		report)	# The boot's site report against the scanner and objtool's list.
			OUT_NAME=matrix-$name bash "$W/lint.sh" report || return 1 ;;
		jcc)	# What the compiler made of the static calls (no verdict).
			echo "conditional tail calls in vmlinux.o: $(jcc_sites "$o" | wc -l)" ;;
		torture)
			[ -f "$o/arch/x86/kernel/text_poke_rs_torture_test.ko" ] || [ "$BASE" != 6.12 ] ||
				{ echo "no torture test on 6.12"; continue; }
			OUT_NAME=matrix-$name BOOT_ACCEL=tcg,thread=single \
				TORTURE_LOG=$LOGS/boot-matrix-$name-torture.log bash "$W/torture.sh" || return 1 ;;
		w1)	OUT_NAME=matrix-$name bash "$W/lint.sh" w1own || return 1 ;;
		kprobes_test)
			grep -aqE '^ *ok [0-9]+ kprobes_test$' <<< "$text" || { echo "kprobes_test did not pass"; return 1; }
			echo "kprobes_test: $(grep -aoE '# kprobes_test: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+' <<< "$text")" ;;
		kunit_skip)
			grep -aqE '^ *ok [0-9]+ kprobe_on_jcc # SKIP' <<< "$text" ||
				{ echo "the kprobe case was not skipped"; return 1; }
			echo "KUnit: kprobe_on_jcc skipped, $(grep -aoP '# x86_text_poke_rs: \K.*' <<< "$text")" ;;
		esac
	done
}

one() {
	local name=$1 what=$2 cfg=$3 chk=$4 t=$(date +%s) log=$LOGS/$MATRIX_DIR-$1.log
	{
		case $cfg in
		gcc|i386|um) other "$name" "$cfg" ;;
		=out)	bash "$W/build.sh" out "$SERIES" &&
			bash "$W/boot.sh" out "$LOGS/boot-matrix-$name.log" &&
			checks "$name" $chk ;;
		defconfig)
			BUILD_BASECONFIG=x86_64_defconfig BUILD_FRAGMENT=$W/defconfig.config \
				bash "$W/build.sh" "matrix-$name" &&
			BOOT_TIMEOUT=300 bash "$W/boot.sh" "matrix-$name" "$LOGS/boot-matrix-$name.log" &&
			checks "$name" $chk ;;
		-\ *)	bash "$W/build.sh" "matrix-$name" ${cfg#- } &&
			BOOT_TIMEOUT=300 bash "$W/boot.sh" "matrix-$name" "$LOGS/boot-matrix-$name.log" &&
			checks "$name" $chk ;;
		*)	bash "$W/build.sh" "matrix-$name" "$SERIES" $cfg &&
			BOOT_TIMEOUT=300 bash "$W/boot.sh" "matrix-$name" "$LOGS/boot-matrix-$name.log" &&
			checks "$name" $chk ;;
		esac
	} > "$log" 2>&1
	local rc=$?
	printf '%-4s %-12s %4d s  %s\n' "$([ $rc = 0 ] && echo PASS || echo FAIL)" "$name" \
		$(( $(date +%s) - t )) "$what"
	[ $rc = 0 ] || { tail -5 "$log" | sed 's/^/       /'; echo "       log: $log"; }
	return $rc
}

[ -e "$SRC/.git" ] || die "no $SRC: run workbench/tree.sh"
echo "make matrix: BASE=$BASE ($(git -C "$SRC" rev-parse --short series)), $(nproc) CPUs"
fail=0 n=0
for row in "${MATRIX[@]}"; do
	IFS='|' read -r name what cfg chk <<< "$row"
	[ $# = 0 ] || [[ " $* " == *" $name "* ]] || continue
	n=$((n + 1))
	one "$name" "$what" "$cfg" "$chk" || fail=$((fail + 1))
done
echo "make matrix: $((n - fail))/$n configurations passed"
[ $fail = 0 ]

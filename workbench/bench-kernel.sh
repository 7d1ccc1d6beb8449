#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel half of `make bench` (7.3): the cost of the series against the
# C code it replaces, X86_TEXT_POKE_RUST=y against =n, in one run.
#
# Two kernels from branch "bench" (the series plus patches/bench, which
# counts the cycles of static_call_init()), alike but for that option:
# textpoke.config + bench.config, into build/7.3/out-bench and out-bench-n
# (seeded from build/out: incremental). Then
#   - static_call_update(): workbench/bench/static_call_bench.ko, loaded in
#     the first boot of each, single-threaded TCG: synchronisations counted
#     per update and time per update, for keys of 1, 16, 64 and 256 sites,
#     batched (the kernel's update) and unbatched (the per-site path);
#   - size: scripts/bloat-o-meter from =n to =y, the Rust core library
#     that CONFIG_RUST brings anyway counted apart;
#   - boot: static_call_init() in cycles, median of BENCH_BOOTS (5) boots;
#   - trap: the instructions of the INT3 handler path of a Jcc, from the
#     disassembly of both kernels.
# Prints one table (Markdown, as README.md quotes it); exits non-zero when a
# bench case fails (a call that went astray, a wrong count of syncs).
# BENCH_REPORT_ONLY=1 prints the table again from the last run's logs.
set -euo pipefail
export BASE=7.3
. "$(dirname "$0")/lib.sh"

boots=${BENCH_BOOTS:-5}
KY=out-bench KN=out-bench-n

restore() { git -C "$SRC" checkout -q series; }
if [ "${BENCH_REPORT_ONLY:-0}" != 1 ]; then
trap restore EXIT
for k in $KY $KN; do
	if [ ! -d "$BUILD/$k" ] && [ -f "$OUT/vmlinux.o" ]; then
		step "seeding build/7.3/$k from build/7.3/out"
		cp -a "$OUT" "$BUILD/$k"
	fi
done
git -C "$SRC" rev-parse -q --verify bench >/dev/null || die "no branch bench in $SRC: run workbench/tree.sh"
git -C "$SRC" checkout -q bench
bash "$TOP/workbench/build.sh" $KY "$TOP/workbench/bench.config" CONFIG_X86_TEXT_POKE_RUST=y >/dev/null
bash "$TOP/workbench/build.sh" $KN "$TOP/workbench/bench.config" CONFIG_X86_TEXT_POKE_RUST=n >/dev/null
for k in $KY $KN; do
	step "building workbench/bench/static_call_bench.ko against $k"
	"${KMAKE[@]/#O=*/O=$BUILD/$k}" M="$TOP/workbench/bench" MO="$BUILD/bench-mod-$k" modules \
		> "$LOGS/build-bench-mod-$k.log" 2>&1 || { tail -20 "$LOGS/build-bench-mod-$k.log"; die "module build failed"; }
done
restore

# Boot each kernel $boots times; the first boot loads the update bench.
# Times are only meaningful on an otherwise idle machine.
for k in $KY $KN; do
	for i in $(seq 1 "$boots"); do
		log=$LOGS/boot-bench-$k-$i.log
		step "boot $i/$boots of $k$([ "$i" != 1 ] || echo ", with static_call_bench")"
		if [ "$i" = 1 ]; then
			BOOT_MODULES=$BUILD/bench-mod-$k/static_call_bench.ko \
				BOOT_TESTS=$TOP/workbench/guest/static_call_bench.sh
		else
			BOOT_MODULES= BOOT_TESTS=
		fi
		BOOT_MODULES=$BOOT_MODULES BOOT_TESTS=$BOOT_TESTS BOOT_ACCEL=tcg,thread=single \
			BOOT_TIMEOUT=600 BOOT_APPEND='dyndbg="file arch/x86/kernel/setup.c +p"' \
			bash "$TOP/workbench/boot.sh" $k "$log" > "$log.verdict" ||
			{ cat "$log.verdict"; die "boot $i of $k failed"; }
	done
done
fi
for k in $KY $KN; do
	grep -q 'static_call_bench: done' "$LOGS/boot-bench-$k-1.log" ||
		{ grep -a 'static_call_bench' "$LOGS/boot-bench-$k-1.log" | head; die "static_call_bench failed on $k"; }
done

# bench K N HOW: "syncs want ns" of the update bench on kernel K.
bench() {
	grep -aoP "static_call_bench: PASS: N=$2 $3: \\K\\d+\\.\\.\\d+ syncs per update \\(want \\d+\\), \\d+ ns" \
		"$LOGS/boot-bench-$1-1.log" | sed -E 's/^([0-9]+)\.\.[0-9]+ syncs per update \(want ([0-9]+)\), ([0-9]+) ns/\1 \2 \3/'
}
# cycles K: the median cycles of static_call_init() over the boots of K,
# each of which must have printed them.
cycles() {
	local v
	v=$(for i in $(seq 1 "$boots"); do
		grep -aoP 'static_call_init: \K\d+(?= cycles)' "$LOGS/boot-bench-$1-$i.log" | head -1
	done)
	[ "$(echo "$v" | grep -c .)" = "$boots" ] || die "$1: not every boot printed static_call_init's cycles"
	echo "$v" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
sites() { grep -aoP 'static_call_init: \d+ cycles for \K\d+' "$LOGS/boot-bench-$1-1.log" | head -1; }
us() { awk -v ns="$1" 'BEGIN { printf "%.0f", ns / 1000 }'; }
cpus=$(grep -aoP 'static_call_bench: \K\d+(?= CPUs)' "$LOGS/boot-bench-$KY-1.log" | head -1)

echo
echo "#### static_call_update(), per update (single-threaded QEMU TCG, $(nproc) host CPUs, $cpus guest CPUs)"
echo
echo "| sites N | syncs batched (3 x ceil((N+1)/256)) | syncs unbatched | batched =y | batched =n | unbatched =y | unbatched =n | speed-up =y |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in 1 16 64 256; do
	read -r sy wy ty <<< "$(bench $KY $n batched)"
	read -r su _ tu <<< "$(bench $KY $n unbatched)"
	read -r _ _ tny <<< "$(bench $KN $n batched)"
	read -r _ _ tnu <<< "$(bench $KN $n unbatched)"
	[ -n "$sy" ] && [ -n "$su" ] && [ -n "$ty" ] && [ -n "$tu" ] && [ -n "$tny" ] && [ -n "$tnu" ] ||
		die "no bench figures for N=$n"
	printf '| %s | %s (want %s) | %s | %s us | %s us | %s us | %s us | %sx |\n' "$n" "$sy" "$wy" "$su" \
		"$(us "$ty")" "$(us "$tny")" "$(us "$tu")" "$(us "$tnu")" "$(awk -v a="$tu" -v b="$ty" 'BEGIN { printf "%.1f", a / b }')"
done

# Size: functions only; the Rust core library apart from the rest.
bloat=$("$SRC/scripts/bloat-o-meter" -t "$BUILD/$KN/vmlinux" "$BUILD/$KY/vmlinux")
echo "$bloat" > "$LOGS/bench-bloat.txt"
sum() {  # sum REGEX-ON-NAME [-v]: total size change of the matching functions
	echo "$bloat" | awk -v rx="$1" -v inv="${2:-}" '
		/^[^ ]+ +[0-9-]+ +[0-9-]+ +[+-][0-9]+$/ && $1 != "function" {
			m = $1 ~ rx; if (inv) m = !m; if (m) s += $4 }
		END { printf "%+d", s }'
}
core='^_RN.*4core'
echo
echo "#### Size: scripts/bloat-o-meter -t, X86_TEXT_POKE_RUST=n to =y (bytes of text)"
echo
echo "| what | change |"
echo "|---|---:|"
echo "| all functions | $(echo "$bloat" | grep -oP '^Total: .*' | sed 's/^Total: //') |"
echo "| without the Rust core library (what replaces C, against the C it replaces) | $(sum "$core" -v) |"
echo "| Rust core library functions (CONFIG_RUST brings them anyway) | $(sum "$core") |"
echo "$bloat" | awk '/^[^ ]+ +[0-9-]+ +[0-9-]+ +[+-][0-9]+$/ && $1 != "function"' | grep -v -E "$core" |
	sort -k4,4nr | awk '{ printf "| %s | %+d |\n", $1, $4 }'

echo
echo "#### static_call_init(): cycles, median of $boots boots (TCG: the TSC runs at host time, QEMU's translation included)"
echo
cy=$(cycles $KY) cn=$(cycles $KN) sy=$(sites $KY) sn=$(sites $KN)
echo "| kernel | sites | cycles | cycles per site |"
echo "|---|---:|---:|---:|"
awk -v c="$cn" -v n="$sn" 'BEGIN { printf "| =n | %d | %d | %.0f |\n", n, c, c / n }'
awk -v c="$cy" -v n="$sy" 'BEGIN { printf "| =y | %d | %d | %.0f |\n", n, c, c / n }'
awk -v y="$cy" -v n="$cn" -v a="$sy" -v b="$sn" 'BEGIN { printf "| =y/=n | | %.3f | %.3f |\n", y / n, (y / a) / (n / b) }'

# Trap path: the handler and what it calls on the way to a Jcc's emulation.
insns() {  # insns K FUNC: instructions of FUNC in K's vmlinux, without int3 padding
	llvm-objdump-19 -d --no-show-raw-insn --disassemble-symbols="$2" "$BUILD/$1/vmlinux" |
		grep -E '^ *[0-9a-f]+:\s' | grep -cvE '\sint3$'
}
calls() {  # calls K FUNC: the functions FUNC calls directly
	llvm-objdump-19 -d --no-show-raw-insn --disassemble-symbols="$2" "$BUILD/$1/vmlinux" |
		grep -oP 'call\w*\s+0x[0-9a-f]+ <\K[^>+]+' | sort -u
}
echo
echo "#### INT3 handler and what it calls to emulate: instructions in the disassembly (static, all paths)"
echo
echo "| kernel | function | instructions |"
echo "|---|---|---:|"
for k in $KN $KY; do
	opt=$([ $k = $KY ] && echo =y || echo =n)
	total=0
	for f in smp_text_poke_int3_handler $(calls $k smp_text_poke_int3_handler | grep -E '^text_poke_(emulate|cond)$' || true); do
		n=$(insns $k "$f")
		total=$((total + n))
		echo "| $opt | $f | $n |"
	done
	echo "| $opt | total | $total |"
done

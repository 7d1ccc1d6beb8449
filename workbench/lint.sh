#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh CHECK: the static checks of `make check`, one per argument.
#   rustfmt  our Rust files are formatted (kernel .rustfmt.toml settings)
#   panic    rust/text_poke.o, text_poke_ffi.o and text_poke_int3.o reference
#            no panic path
#   noinstr  the INT3-path entry points are in .noinstr.text of their own
#            object and call nothing, test kernels included; that object
#            alone is uninstrumented
#   interface  the Rust entry points use bindgen's types and #[export], the
#            crate's constants are checked against C's, nothing is copied
#   seam     no X86_TEXT_POKE_RUST conditional in C or Rust sources but the
#            seam header <asm/text-poke-insn.h> (and bindings_helper.h, which
#            includes it for bindgen behind the option)
#   clippy   `make CLIPPY=1` of our Rust objects prints no warning
#   w1       W=1 adds no warning: our objects have none, the upstream objects
#            that the series changes none that the base tree's lack
#   rustdoc  `make rustdoc` documents the text_poke crate
#   rusttest `make rusttest` runs the crate's unit tests and doctests
#   rustfmtcheck  `make rustfmtcheck` passes on the whole tree
#   docs     the series' Documentation page builds with Sphinx and docutils
#            without a warning about it
#   scanner  scripts/text_poke_scan on made-up objects: good, bad, not ELF,
#            not x86-64, missing
#   kasan    with KASAN and KCOV, text_poke_int3.o is uninstrumented and
#            calls nothing, text_poke_ffi.o is instrumented
#   analyzer `make rust-analyzer` lists the text_poke crate
#   evaluator  with X86_TEXT_POKE_RUST=y, uprobes calls the Rust
#            text_poke_cond(); KVM's emulator keeps its own and nothing
#            exports it
#   report   the booted kernel's static call sites, as its KUnit case
#            static_call_sites lists them, are those of vmlinux.o, by form,
#            and its conditional tail calls those of vmlinux.o
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OURS_RS=("$TOP"/rust/text_poke/lib.rs "$TOP"/rust/text_poke/tests/*.rs
	 "$TOP"/arch/x86/kernel/text_poke_ffi.rs "$TOP"/arch/x86/kernel/text_poke_int3.rs
	 "$TOP"/scripts/text_poke_scan/src/main.rs "$TOP"/rust/text_poke/tests/seam/export/lib.rs
	 "$TOP"/arch/x86/kernel/text_poke_rs_torture_test.rs "$TOP"/arch/x86/kernel/text_poke_rs_corrupt_test.rs
	 "$TOP"/rust/kernel/static_call.rs "$TOP"/samples/rust/rust_static_call.rs)
OURS_O=(rust/text_poke.o arch/x86/kernel/text_poke_ffi.o arch/x86/kernel/text_poke_int3.o)

case "$1" in
rustfmt)
	cd "$TOP"
	rustfmt --check --edition 2021 --config newline_style=Unix "${OURS_RS[@]}"
	echo "${#OURS_RS[@]} files (crate roots with their modules) formatted"
	;;
panic)
	for o in "${OURS_O[@]}"; do
		[ -f "$OUT/$o" ] || die "$o not built"
		bad=$(llvm-nm-19 "$OUT/$o" | grep -iE 'panic|_fail|unwrap|expect_failed' || true)
		[ -z "$bad" ] || { echo "$o:"; echo "$bad"; exit 1; }
		echo "$o: $(llvm-nm-19 -U "$OUT/$o" | wc -l) symbols defined, no panic path referenced"
	done
	;;
noinstr)
	# In the object the section is named; in vmlinux it is merged into
	# .text between __noinstr_text_start and __noinstr_text_end.
	syms=$(llvm-objdump-19 -t "$OUT/vmlinux")
	addr() { echo "$syms" | awk -v f="$1" '$NF == f { print $1 }'; }
	lo=$(addr __noinstr_text_start) hi=$(addr __noinstr_text_end)
	for f in text_poke_emulate text_poke_cond; do
		sec=$(llvm-objdump-19 -t "$OUT/arch/x86/kernel/text_poke_int3.o" |
		      awk -v f="$f" '$NF == f { print $(NF-2) }')
		[ "$sec" = .noinstr.text ] || die "$f is in '$sec' in text_poke_int3.o, not .noinstr.text"
		a=$(addr "$f")
		[[ "$a" > "$lo" || "$a" = "$lo" ]] && [[ "$a" < "$hi" ]] ||
			die "$f at $a is outside __noinstr_text_start..end ($lo..$hi) in vmlinux"
		body=$(llvm-objdump-19 -d --no-show-raw-insn --disassemble-symbols="$f" "$OUT/vmlinux")
		# No call at all, in test kernels too: nothing to count traps.
		! echo "$body" | grep -E '\scall' || die "$f calls out"
		! echo "$body" | grep -E '\slock\s' || die "$f has a locked instruction"
		echo "$f: .noinstr.text at $a, $(echo "$body" | grep -cE '^ *[0-9a-f]+:') instructions, no calls, no lock"
	done
	# The INT3 object alone is built without instrumentation.
	cmd() { tr ' ' '\n' < "$OUT/arch/x86/kernel/.$1.cmd" | grep -cE -- '-Zsanitizer|sanitizer-coverage' || true; }
	if grep -qE '^CONFIG_(KASAN|KCOV)=y' "$OUT/.config"; then
		[ "$(cmd text_poke_int3.o)" = 0 ] || die "text_poke_int3.o is instrumented"
		[ "$(cmd text_poke_ffi.o)" != 0 ] || die "text_poke_ffi.o is not instrumented"
		echo "instrumentation: text_poke_ffi.o yes, text_poke_int3.o no"
	fi
	;;
seam)
	# The seam header is the one place that picks the implementation:
	# #if/#ifdef/IS_ENABLED()/cfg() on X86_TEXT_POKE_RUST nowhere else.
	SEAM_RX='(^\s*#\s*(if|elif)|IS_ENABLED\(|cfg\().*CONFIG_X86_TEXT_POKE_RUST(?!_)'
	bad=$(git -C "$SRC" diff --name-only base series -- '*.c' '*.h' '*.rs' '*.S' |
	      grep -vE '^(arch/x86/include/asm/text-poke-insn.h|rust/bindings/bindings_helper.h)$' |
	      while read -r f; do
		grep -HnP "$SEAM_RX" "$SRC/$f" | sed "s#^$SRC/##"
	      done || true)
	[ -z "$bad" ] || { echo "$bad"; die "X86_TEXT_POKE_RUST conditional outside the seam header"; }
	n=$(git -C "$SRC" diff --name-only base series | wc -l)
	echo "$n files changed by the series; X86_TEXT_POKE_RUST only in Kconfig, Makefiles, <asm/text-poke-insn.h> and what bindgen reads:"
	git -C "$SRC" grep -nP "$SEAM_RX" series -- '*.c' '*.h' '*.rs' '*.S' | sed 's/^series:/  /'
	;;
w1)
	# The C and Rust objects of the series with W=1, in the series build;
	# the upstream ones also in the base tree's (same.sh made it, with the
	# series configuration and X86_TEXT_POKE_RUST=n). W=1 changes the
	# command lines, so kbuild rebuilds exactly these objects.
	new=(arch/x86/kernel/text_poke_rs_kunit.o arch/x86/kernel/text_poke_rs_corrupt_test.o "${OURS_O[@]}")
	[ "$BASE" != 7.3 ] || new+=(arch/x86/kernel/text_poke_rs_torture_test.o)
	up=(arch/x86/kernel/static_call.o arch/x86/kernel/alternative.o
	    arch/x86/kernel/kprobes/core.o kernel/static_call_inline.o)
	[ -d "$BUILD/linux-base" ] && [ -f "$BUILD/same-base/.config" ] ||
		die "no base build in $BUILD/same-base: run workbench/same.sh first"
	# warnings LOG: "file: message [-Wflag]" per warning, without paths and
	# line numbers, which the series moves.
	warnings() {
		grep -E '(warning|error)(\[[A-Za-z0-9_:]+\])?: ' "$1" |
			sed -E 's#^.*/(linux|linux-base)/##; s#^([^:]+):[0-9]+:([0-9]+:)? #\1: #' | sort -u || true
	}
	"${KMAKE[@]}" W=1 "${new[@]}" "${up[@]}" > "$LOGS/w1-series.log" 2>&1 ||
		{ tail -20 "$LOGS/w1-series.log"; die "W=1 build of the series objects failed"; }
	# Rust prints the file on a line of its own: count its warnings apart.
	rust=$(grep -cE '^warning(\[[A-Za-z0-9_:]+\])?: ' "$LOGS/w1-series.log" || true)
	base_log=$LOGS/w1-base.log
	make -C "$BUILD/linux-base" O="$BUILD/same-base" "${KMAKE[@]:4}" W=1 "${up[@]}" > "$base_log" 2>&1 ||
		{ tail -20 "$base_log"; die "W=1 build of the base objects failed"; }
	added=$(comm -13 <(warnings "$base_log") <(warnings "$LOGS/w1-series.log"))
	[ -z "$added" ] && [ "$rust" = 0 ] || {
		echo "$added"
		grep -E -A4 '^warning' "$LOGS/w1-series.log" | head -30 || true
		die "W=1 warnings that the base tree does not have (log $LOGS/w1-series.log)"
	}
	echo "W=1: ${new[*]} ${up[*]}: no warning the base tree lacks ($(warnings "$base_log" | wc -l) in the base objects)"
	;;
clippy)
	# clippy speaks only when it compiles: make sure it does.
	touch "$SRC/arch/x86/kernel/text_poke_ffi.rs" "$SRC/arch/x86/kernel/text_poke_int3.rs" \
		"$SRC/rust/text_poke/lib.rs" "$SRC/arch/x86/kernel/text_poke_rs_corrupt_test.rs"
	objs=("${OURS_O[@]}" arch/x86/kernel/text_poke_rs_corrupt_test.o)
	if [ "$BASE" = 7.3 ]; then
		touch "$SRC/arch/x86/kernel/text_poke_rs_torture_test.rs" "$SRC/samples/rust/rust_static_call.rs"
		objs+=(arch/x86/kernel/text_poke_rs_torture_test.o samples/rust/rust_static_call.o)
	fi
	out=$("${KMAKE[@]}" CLIPPY=1 "${objs[@]}" 2>&1) || { echo "$out"; exit 1; }
	! echo "$out" | grep -E -A5 '^(warning|error)' || exit 1
	echo "clippy: ${objs[*]}: no warnings"
	if [ "$BASE" = 7.3 ]; then
		# The kernel crate: what the series changes in it, kernel::static_call
		# and kernel::task, says nothing (the rest is not ours to judge).
		touch "$SRC/rust/kernel/lib.rs"
		out=$("${KMAKE[@]}" CLIPPY=1 rust/kernel.o 2>&1) || { echo "$out"; exit 1; }
		! echo "$out" | grep -E -A8 '^(warning|error)' | grep -B3 -A5 -E 'rust/kernel/(static_call|task)\.rs' ||
			exit 1
		echo "clippy: rust/kernel.o: no warning in rust/kernel/static_call.rs or task.rs"
	fi
	;;
w1own)
	# make matrix: in another configuration (OUT_NAME), W=1 of the series'
	# own objects and static_call.o, whose helpers depend on the return
	# thunk configuration, prints no warning at all.
	objs=(arch/x86/kernel/static_call.o "${OURS_O[@]}")
	! grep -q '^CONFIG_X86_TEXT_POKE_RUST_KUNIT_TEST=y' "$OUT/.config" ||
		objs+=(arch/x86/kernel/text_poke_rs_kunit.o)
	"${KMAKE[@]}" W=1 "${objs[@]}" > "$LOGS/w1-$(basename "$OUT").log" 2>&1 ||
		{ tail -20 "$LOGS/w1-$(basename "$OUT").log"; die "W=1 build failed"; }
	! grep -E -A3 '(^|: )warning(\[[A-Za-z0-9_:]+\])?: ' "$LOGS/w1-$(basename "$OUT").log" ||
		die "W=1 warnings in $(basename "$OUT")"
	echo "W=1 in $(basename "$OUT"): ${objs[*]}: no warning"
	;;
rustdoc)
	"${KMAKE[@]}" rustdoc > "$LOGS/rustdoc.log" 2>&1 || { tail -20 "$LOGS/rustdoc.log"; exit 1; }
	! grep -E '^(warning|error)' "$LOGS/rustdoc.log" || exit 1
	doc=$OUT/Documentation/output/rust/rustdoc/text_poke/index.html
	[ -f "$doc" ] || die "no $doc"
	echo "rustdoc: ${doc#$TOP/}"
	;;
rusttest)
	# make rusttest: the crate's unit tests and doctests on the host, the
	# kernel's way (the series adds rusttest-text_poke to rust/Makefile).
	# -j1: the test binaries of other crates must not interleave with ours.
	"${KMAKE[@]}" -j1 rusttest > "$LOGS/rusttest.log" 2>&1 || { tail -30 "$LOGS/rusttest.log"; exit 1; }
	ours=$(awk '/RUSTC T  .*rust\/text_poke\/lib.rs$/ { u = 1 } /RUSTDOC T .*rust\/text_poke\/lib.rs$/ { d = 1 }
		/^test result:/ { if (u) { print "unit", $0; u = 0 } else if (d) { print "doc", $0; d = 0 } }' "$LOGS/rusttest.log")
	unit=$(echo "$ours" | grep -oP '^unit test result: ok\. \K[0-9]+ passed; 0 failed' || true)
	doc=$(echo "$ours" | grep -oP '^doc test result: ok\. \K[0-9]+ passed; 0 failed' || true)
	[ -n "$unit" ] && [ -n "$doc" ] || { echo "$ours"; die "no passing text_poke unit tests and doctests in $LOGS/rusttest.log"; }
	! grep -E '^(warning|error)' "$LOGS/rusttest.log" || exit 1
	echo "make rusttest: text_poke unit tests $unit, doctests $doc"
	;;
rustfmtcheck)
	"${KMAKE[@]}" rustfmtcheck > "$LOGS/rustfmtcheck.log" 2>&1 || { head -30 "$LOGS/rustfmtcheck.log"; exit 1; }
	echo "make rustfmtcheck: every Rust file of the tree formatted, ours included"
	;;
docs)
	# The series' page with the kernel's documentation build (Sphinx,
	# Debian's python3-sphinx: /usr/bin first, a pyenv python3 lacks it),
	# only Documentation/arch/x86; and docutils alone, halting on any
	# warning. Warnings of other pages in that directory are not ours.
	page=Documentation/arch/x86/text-poke-rust.rst
	PATH=/usr/bin:$PATH make -C "$SRC" O="$BUILD/docs" SPHINXDIRS=arch/x86 htmldocs \
		> "$LOGS/htmldocs.log" 2>&1 || { tail -20 "$LOGS/htmldocs.log"; die "make htmldocs failed"; }
	! grep -E 'text-poke-rust|arch/x86/index' "$LOGS/htmldocs.log" | grep -iE 'warning|error' ||
		die "Sphinx warns about the series' page (log $LOGS/htmldocs.log)"
	html=$BUILD/docs/Documentation/output/arch/x86/text-poke-rust.html
	[ -f "$html" ] || die "no $html"
	grep -q 'text-poke-rust.html' "$BUILD/docs/Documentation/output/arch/x86/index.html" ||
		die "the x86 index does not link the page"
	PATH=/usr/bin:$PATH rst2html --halt=2 --report=2 "$SRC/$page" > /dev/null ||
		die "docutils warns about $page"
	echo "make htmldocs SPHINXDIRS=arch/x86: $(basename "$html") built and in the x86 index, no warning about it; rst2html --halt=2 clean"
	;;
scanner)
	d=$BUILD_ROOT/scan-test
	mkdir -p "$d"
	src=$TOP/scripts/text_poke_scan/tests/sites.S
	clang-19 -c "$src" -o "$d/good.o"
	clang-19 -DBAD -c "$src" -o "$d/bad.o"
	echo 'int f(int x) { return x; }' > "$d/f.c"
	clang-19 --target=aarch64-linux-gnu -c "$d/f.c" -o "$d/arm64.o"
	scan() { bash "$TOP/workbench/scan.sh" "$@" 2>&1; }
	expect() {  # EXIT PATTERN OBJECT
		local out rc=0
		out=$(scan "$3") || rc=$?
		[ "$rc" = "$1" ] && echo "$out" | grep -q -- "$2" ||
			die "scanner on $3: exit $rc, wanted $1 and '$2'; said: $out"
		echo "  $(basename "$3"): exit $rc: $(echo "$out" | grep -- "$2" | head -1)"
	}
	expect 0 "f_jcc+0x3/0xa jne __SCT__key_b" "$d/good.o"
	expect 0 "3 static call sites: 1 calls, 1 tail calls, 1 conditional tail calls, 0 unhandled" "$d/good.o"
	expect 1 "UNHANDLED: f_bad+0x1/0x3 tail-call site for __SCT__key_a: \[ff, e0\]" "$d/bad.o"
	expect 2 "not an ELF file" "$d/f.c"
	expect 2 "not x86-64" "$d/arm64.o"
	expect 2 "No such file" "$d/missing.o"
	;;
report)
	log=$LOGS/boot-${OUT_NAME:-out}.log
	scan=$(bash "$TOP/workbench/scan.sh" "$OUT/vmlinux.o") || { echo "$scan"; die "scanner: unhandled sites"; }
	# Compared as "func+0xoff mnemonic __SCT__key": kallsyms and ELF sizes
	# differ (padding), so /size is dropped; llvm-objdump gives no offset.
	scanned=$(echo "$scan" | grep -v 'static call sites:' | sed -E 's/\/0x[0-9a-f]+//' | sort)
	objdump=$(jcc_sites)
	# The KUnit case static_call_sites lists what static_call_init() left.
	jcc_booted=$(booted_jcc_sites "$log")
	got=$(echo "$jcc_booted" | awk 'NF { sub(/\/0x[0-9a-f]+:$/, "", $1); sub(/^__SCK__/, "__SCT__", $3); print $1, $2, $3 }' | sort)
	echo "scripts/text_poke_scan vmlinux.o: $(echo "$scan" | tail -1)"
	echo "$scan" | grep -v 'static call sites:' | sed 's/^/  /'
	echo "reported by the booted kernel:"
	echo "$jcc_booted" | sed "s/^/  conditional tail call at /"
	[ -n "$scanned" ] || die "vmlinux.o has no conditional tail call: clang no longer emits them?"
	# Without offsets, two sites of one function sort by condition.
	[ "$(echo "$scanned" | sed -E 's/\+0x[0-9a-f]+//' | sort)" = "$objdump" ] ||
		die "the scanner and llvm-objdump disagree"
	[ "$scanned" = "$got" ] || die "the boot report and the scanner disagree"
	forms=$(booted_forms "$log")
	[ -n "$forms" ] || die "no static call site report (KUnit static_call_sites) in the boot log"
	read -r booted calls tails jcc < <(form_counts "$forms")
	read -r total scalls stails sjcc < <(echo "$scan" | tail -1 |
		sed -E 's/^([0-9]+) static call sites: ([0-9]+) calls, ([0-9]+) tail calls, ([0-9]+) conditional.*/\1 \2 \3 \4/')
	[ "$booted" = "$total" ] || die "the kernel has $booted sites, vmlinux.o $total"
	[ "$calls $tails $jcc" = "$scalls $stails $sjcc" ] ||
		die "booted calls/tail calls/Jcc $calls/$tails/$jcc, vmlinux.o $scalls/$stails/$sjcc"
	echo "kernel: $forms"
	echo "kernel: $booted sites = $total in vmlinux.o ($calls calls, $tails tail calls, $jcc Jcc); Jcc sites agree with scanner and llvm-objdump"
	# Rust's own site of the might_resched static call (kernel::static_call,
	# PREEMPT_DYNAMIC on 7.3): what C's patcher writes there, as for C's.
	if grep -qx CONFIG_PREEMPT_DYNAMIC=y "$OUT/.config" && [ "$BASE" = 7.3 ]; then
		rs=$(grep -aoP 'static_call_sites: Rust site \K.*' "$log" | sort -u)
		key=$(llvm-nm-19 "$OUT/vmlinux" | awk '$3 == "__SCK__might_resched" { print "0x" $1 }')
		rs=${rs//$key/__SCK__might_resched}
		grep -q '6kernel4task13might_resched+.*C sites of __SCK__might_resched' <<< "$rs" ||
			die "no Rust site of might_resched in the boot report"
		echo "$rs" | sed 's/^/kernel: Rust site /'
		! grep -v "as C's patcher writes it" <<< "$rs" || die "a Rust site is not what C's patcher writes"
	fi
	# The KUnit suite ran at boot too (boot.sh fails on any "not ok"); the
	# case counts include parameters.
	suite=$(grep -aoE '^ *ok [0-9]+ x86_text_poke_rs\b' "$log") ||
		die "the x86_text_poke_rs KUnit suite did not pass at boot"
	echo "kernel: KUnit at boot: $(echo $suite), $(kunit_totals "$log" x86_text_poke_rs); kprobes_test $(kunit_totals "$log" kprobes_test)"
	;;
kasan)
	# With KASAN (generic) and KCOV, the INT3 object is built without
	# instrumentation and the other Rust object of the series with it: the
	# Rust objects alone, from the series configuration plus those two
	# options, checked on relocations and disassembly. (make matrix kasan
	# links and boots the whole kernel with KASAN.)
	o=$BUILD/kasan-objs
	mkdir -p "$o"
	cp "$OUT/.config" "$o/.config"
	"$SRC/scripts/config" --file "$o/.config" -e KASAN -e KASAN_GENERIC -d SLUB_TINY -e KCOV
	kmake=("${KMAKE[@]/#O=*/O=$o}")
	"${kmake[@]}" -s olddefconfig > "$LOGS/kasan-objs.log" 2>&1
	grep -qx 'CONFIG_KASAN=y' "$o/.config" && grep -qx 'CONFIG_KCOV=y' "$o/.config" ||
		die "KASAN or KCOV dropped by Kconfig"
	objs=(arch/x86/kernel/text_poke_ffi.o arch/x86/kernel/text_poke_int3.o)
	"${kmake[@]}" rust/ "${objs[@]}" >> "$LOGS/kasan-objs.log" 2>&1 ||
		{ tail -20 "$LOGS/kasan-objs.log"; die "KASAN build of the Rust objects failed"; }
	refs() { llvm-objdump-19 -r "$o/$1" | grep -cE '__(asan|sanitizer_cov)_' || true; }
	[ "$(refs arch/x86/kernel/text_poke_int3.o)" = 0 ] || die "text_poke_int3.o references KASAN or KCOV"
	[ "$(refs arch/x86/kernel/text_poke_ffi.o)" -gt 0 ] || die "text_poke_ffi.o is not instrumented"
	for f in text_poke_emulate text_poke_cond; do
		body=$(llvm-objdump-19 -dr --no-show-raw-insn --disassemble-symbols="$f" "$o/arch/x86/kernel/text_poke_int3.o")
		[ -n "$body" ] || die "no $f in text_poke_int3.o"
		! echo "$body" | grep -E '\scall|\slock\s|R_X86_64_PLT32' | grep -v '__x86_return_thunk' || die "$f calls out or locks under KASAN"
	done
	echo "KASAN+KCOV: text_poke_int3.o no instrumentation, text_poke_emulate/text_poke_cond call nothing; text_poke_ffi.o $(refs arch/x86/kernel/text_poke_ffi.o) instrumentation relocations"
	;;
analyzer)
	# scripts/generate_rust_analyzer.py knows the crate.
	"${KMAKE[@]}" rust-analyzer > "$LOGS/rust-analyzer.log" 2>&1 || { tail -20 "$LOGS/rust-analyzer.log"; exit 1; }
	python3 -c 'import json, sys
crates = json.load(open(sys.argv[1]))["crates"]
tp = [c for c in crates if c.get("display_name") == "text_poke"]
assert tp, "no text_poke crate in rust-project.json"
print("make rust-analyzer: text_poke crate at", tp[0]["root_module"].split("/linux/")[-1], "of", len(crates), "crates")' "$OUT/rust-project.json"
	;;
evaluator)
	# One condition evaluator: kprobes and text poking reach it through
	# int3_emulate_jcc() (KUnit), uprobes calls it by name.
	o=arch/x86/kernel/uprobes.o
	[ -f "$OUT/$o" ] || die "$o not built"
	llvm-nm-19 -u "$OUT/$o" | grep -qx ' *U text_poke_cond' || die "$o does not call text_poke_cond()"
	echo "$o: calls text_poke_cond()"
	llvm-nm-19 --defined-only "$OUT/arch/x86/kernel/text_poke_int3.o" | grep -q ' T text_poke_cond$' ||
		die "text_poke_cond() is not the Rust one"
	# KVM keeps its test_cc(): the series changes nothing there.
	! git -C "$SRC" diff --name-only base series | grep '^arch/x86/kvm/' || die "the series changes KVM"
	! awk '$2 == "text_poke_cond"' "$OUT/Module.symvers" | grep . || die "vmlinux exports text_poke_cond()"
	echo "KVM untouched, text_poke_cond() not exported"
	;;
interface)
	# The Rust entry points: bindgen's types and #[export] (7.3; 6.12's
	# macros have no #[export] of their own and get the backport's), no
	# hand-made copy of a C struct or enum, no layout assertions, and the
	# crate's constants asserted against C's.
	ffi=("$SRC/arch/x86/kernel/text_poke_ffi.rs" "$SRC/arch/x86/kernel/text_poke_int3.rs")
	n=$(grep -c '^#\[export\]' "${ffi[@]}" | awk -F: '{ s += $2 } END { print s }')
	[ "$n" = 5 ] || die "$n #[export] entry points, want 5"
	! grep -nE 'no_mangle|#\[repr\(C\)\]|offset_of!|size_of::<' "${ffi[@]}" || die "hand-made C layout in the FFI files"
	! grep -nE '^const TEXT_POKE_|: c_int = [0-9]' "${ffi[@]}" || die "an enum of C copied by hand"
	! grep -nE 'static_assert\(sizeof\(struct text_poke|offsetof\(struct text_poke' \
		"$SRC/arch/x86/include/asm/text-poke-insn.h" || die "layout assertions in the header"
	! grep -nE -- '-22|-34|to_errno' "$SRC"/rust/text_poke/*.rs "${ffi[@]}" || die "errno values copied into Rust"
	for c in NOP2 NOP5 XOR5RAX TRAMP_UD WARNINSN UNLOCKINSN; do
		grep -q "bindings::TEXT_POKE_$c)" "$SRC/arch/x86/kernel/text_poke_ffi.rs" ||
			die "the crate's $c is not checked against C's"
	done
	for f in CF PF ZF SF OF; do
		grep -q "EFLAGS_$f == 1 << bindings::X86_EFLAGS_${f}_BIT" "$SRC/arch/x86/kernel/text_poke_ffi.rs" ||
			die "the crate's EFLAGS_$f is not checked against C's"
	done
	grep -q '^#include <asm/text-poke-insn.h>' "$SRC/rust/bindings/bindings_helper.h" ||
		die "bindings_helper.h does not include <asm/text-poke-insn.h>"
	for f in text_poke_sc_check text_poke_rs_sc_patch text_poke_classify text_poke_emulate text_poke_cond; do
		grep -qE "pub fn $f\(" "$OUT/rust/bindings/bindings_generated.rs" || die "bindgen has no $f()"
	done
	echo "5 entry points #[export]ed against bindgen's prototypes, bindgen's types, 11 constants checked against C, no copies"
	;;
*)
	die "unknown check $1"
	;;
esac

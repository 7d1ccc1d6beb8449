#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the text_poke crate: the same files kbuild compiles, run by
# cargo: unit tests, doctests, the real-CPU Jcc test (tests/cpu.rs) and the
# differential test against iced-x86 (tests/iced.rs) and live patching of
# clang -Os code under concurrent callers (tests/live.rs), short settings.
#
# hosttest.sh seam: the C-against-Rust micro-bench (tests/seam.rs) against
# the 7.3 tree (workbench/tree.sh first), optimised as the kernel here is
# (C -Os, Rust opt-level s): both sides must agree on every input, then
# both are timed. SEAM_SAMPLES (default 21) samples per decision; make check
# runs 3, for the agreement.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$TOP/rust/text_poke"
if [ "${1:-}" = seam ]; then
	ksrc=$BUILD_ROOT/7.3/linux
	[ -f "$ksrc/arch/x86/include/asm/text-poke-insn-c.h" ] || die "no 7.3 series tree: run BASE=7.3 workbench/tree.sh"
	step "seam: the crate against the C decisions of $ksrc, ${SEAM_SAMPLES:-21} samples"
	# The FFI files' kernel::bindings: bindgen over the tree's headers as
	# kbuild runs it, with the byte-string constants of its bindings_helper.h.
	gen=$BUILD_ROOT/cargo-seam/bindings
	mkdir -p "$gen"
	{ echo "#ifdef CONFIG_X86_TEXT_POKE_RUST"; echo "/*"
	  sed -n '/^ \* The byte strings that the text_poke crate/,$p' "$ksrc/rust/bindings/bindings_helper.h"
	} > "$gen/text_poke_consts.h"
	grep -q RUST_CONST_HELPER_TEXT_POKE_NOP5 "$gen/text_poke_consts.h" ||
		die "no text_poke constants in $ksrc/rust/bindings/bindings_helper.h"
	"$BINDGEN" tests/seam/bindings.h --use-core --ctypes-prefix crate::ffi --no-layout-tests \
		--no-doc-comments --allowlist-item 'text_poke_.*|TEXT_POKE_.*|RUST_CONST_HELPER_.*|X86_EFLAGS_.*_BIT|E(INVAL|RANGE)' \
		-- -I"$gen" -Itests/seam/include -I"$ksrc/arch/x86/include" \
		-DTP_NOPS_H="\"$ksrc/arch/x86/include/asm/nops.h\"" \
		-DTP_TOOLS_INSN_H="\"$ksrc/tools/arch/x86/include/asm/insn.h\"" |
		sed 's/RUST_CONST_HELPER_//' > "$gen/bindings.rs"
	TEXT_POKE_SEAM_BINDINGS=$gen/bindings.rs TEXT_POKE_KSRC=$ksrc TEXT_POKE_SEAM_SAMPLES=${SEAM_SAMPLES:-21} CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
		CARGO_TARGET_DIR=$BUILD_ROOT/cargo-seam cargo test --release --quiet --test seam -- --nocapture 2>&1 |
		tee "$LOGS/seam.log" | grep -oE '^test result.*|FAILED.*|panicked.*|seam: .*' || true
	! grep -q FAILED "$LOGS/seam.log" && grep -q '^test result: ok' "$LOGS/seam.log"
	exit
fi
CARGO_TARGET_DIR=$BUILD_ROOT/cargo cargo test --quiet -- --nocapture --test-threads=1 2>&1 | tee "$LOGS/hosttest.log" |
	grep -oE '^test result.*|FAILED.*|panicked.*|(cpu|iced|live): .*' || true
! grep -q FAILED "$LOGS/hosttest.log" && grep -q '^test result: ok' "$LOGS/hosttest.log"

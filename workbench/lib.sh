# SPDX-License-Identifier: GPL-2.0
# Shared settings of the workbench scripts. Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The kernel the series applies to: 7.3 (mainline, the default) or 6.12 (the
# LTS backport). Everything of one base lives in build/BASE/.
BASE=${BASE:-7.3}
BASES="7.3 6.12"
case " $BASES " in *" $BASE "*) ;; *) echo "ERROR: BASE=$BASE: one of $BASES" >&2; exit 1 ;; esac
export BASE
BUILD_ROOT=${BUILD_ROOT:-$TOP/build}
BUILD=$BUILD_ROOT/$BASE
SRC=${SRC:-$BUILD/linux}  # base tree + series, a git repository
OUT=$BUILD/${OUT_NAME:-out}  # O= directory of the kernel build (make matrix: others)
LOGS=$BUILD/logs
BINDGEN_VERSION=0.73.2
# The QEMU of the boot tests and kunit.py (workbench/bin): the installed one,
# or another, e.g. bookworm's 7.2 from workbench/qemu-bookworm.sh.
export QEMU_SYSTEM=${QEMU_SYSTEM:-/usr/bin/qemu-system-x86_64}

RUSTC=/usr/bin/rustc
RUSTDOC=/usr/bin/rustdoc
RUST_LIB_SRC=/usr/lib/rustlib/src/rust/library
BINDGEN=${CARGO_HOME:-$HOME/.cargo}/bin/bindgen
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
export RUST_LIB_SRC

# Every kernel make goes through these variables: the rustup toolchain that
# may come first on PATH has no library source, Debian's rustc-web has.
KMAKE=(make -C "$SRC" O="$OUT" LLVM=-19 -j"$(nproc)"
       RUSTC="$RUSTC" RUSTDOC="$RUSTDOC" BINDGEN="$BINDGEN"
       RUSTFMT=/usr/bin/rustfmt CLIPPY_DRIVER=/usr/bin/clippy-driver
       HOSTRUSTC="$RUSTC")

# The conditional tail calls of vmlinux.o: "function mnemonic __SCT__key",
# from the disassembly and the PLT32 relocations against the trampolines.
jcc_sites() {  # [OUTDIR]
	llvm-objdump-19 -dr --no-show-raw-insn "${1:-$OUT}/vmlinux.o" | awk '
		/^[0-9a-f]+ <.*>:$/ { fn = substr($2, 2, length($2) - 3) }
		/^ +[0-9a-f]+:/ { insn = $2 }
		/R_X86_64_PLT32[ \t]+__SCT__/ && insn ~ /^j/ && insn != "jmp" {
			key = $3; sub(/-0x4$/, "", key); print fn, insn, key
		}' | sort
}

# booted_jcc_sites LOG [OUTDIR]: the conditional tail calls that the KUnit
# case static_call_sites listed in LOG, "func+0xoff/0xsize: jcc __SCK__key ->
# target". Keys are data, which kallsyms names only with KALLSYMS_ALL:
# otherwise the names come from the vmlinux symbol table.
booted_jcc_sites() {
	local keys
	keys=$(llvm-nm-19 "${2:-$OUT}/vmlinux" 2>/dev/null | awk '$3 ~ /^__SCK__/ { print $1, $3 }')
	grep -aoP 'static_call_sites: conditional tail call at \K\S+: \S+ key \S+ .*' "$1" |
		while read -r at cc _ key rest; do
			# %pS names the key with KALLSYMS_ALL, else prints 0xaddress.
			case "$key" in
			__SCK__*) name=${key%%+*} ;;
			*) name=$(echo "$keys" | awk -v k="${key#0x}" '$1 == k { print $2 }') ;;
			esac
			echo "$at $cc ${name:-key $key} $rest"
		done
}

# booted_forms LOG: the summary line of the KUnit case static_call_sites in
# LOG, "N static call sites after static_call_init(): nop5 N ... jcc N".
booted_forms() {
	tr -d '\r' < "$1" | grep -aoP 'static_call_sites: \K[0-9]+ static call sites after static_call_init\(\):.*' | tail -1
}

# form_counts FORMS: "sites calls tail-calls jcc" of such a line; calls are
# NOP5, XOR5, WARN5, UNLOCK5 and CALL sites, tail calls JMP and RET sites.
form_counts() {
	echo "$1" | awk '{ for (i = 2; i < NF; i++) c[$i] = $(i + 1)
		print $1, c["nop5"] + c["xor5rax"] + c["warn"] + c["unlock"] + c["call"],
		      c["jmp"] + c["ret"], c["jcc"] + 0 }'
}

# kunit_totals LOG SUITE: "Totals: pass:N fail:N skip:N" of SUITE in LOG.
kunit_totals() {
	grep -aA1 "# $2: pass:" "$1" | grep -aoE 'Totals: pass:[0-9]+ fail:[0-9]+ skip:[0-9]+' | tail -1
}

# mutant_build DIFF: the series kernel (out) with DIFF applied to $SRC, for a
# check that must fail with it. At exit DIFF comes out again and the kernel
# is rebuilt (one object and the link each way); a failure to restore fails
# the script, else it keeps its status.
mutant_build() {
	MUTANT=$1
	[ -z "$(git -C "$SRC" status --porcelain)" ] || die "$SRC has local changes: run workbench/tree.sh"
	git -C "$SRC" apply "$MUTANT"
	trap mutant_restore EXIT
	step "building the series kernel with $(basename "$MUTANT")"
	mutant_rebuild "$LOGS/build-mutant.log" || die "the mutant kernel does not build, see $LOGS/build-mutant.log"
}
mutant_rebuild() { bash "$TOP/workbench/build.sh" out "$TOP/workbench/series.config" > "$1" 2>&1; }
mutant_restore() {
	local rc=$?
	trap - EXIT
	if ! git -C "$SRC" apply -R "$MUTANT"; then
		echo "ERROR: cannot take $(basename "$MUTANT") out of $SRC again"
		exit 1
	fi
	mutant_rebuild "$LOGS/build-unmutant.log" ||
		{ echo "ERROR: the kernel without the mutant does not build again, see $LOGS/build-unmutant.log"; exit 1; }
	exit $rc
}

# report_then_bug TEXT REPORT_RX: TEXT (a console log without CRs) has a
# line matching REPORT_RX and, after it, the BUG() of static_call.c; prints
# both lines.
report_then_bug() {
	local r b
	r=$(grep -m1 -nE "$2" <<< "$1") || die "no report matching: $2"
	b=$(grep -m1 -nE 'kernel BUG at arch/x86/kernel/static_call.c:[0-9]+!' <<< "$1") ||
		die "no BUG() in static_call.c"
	[ "${r%%:*}" -lt "${b%%:*}" ] || die "the BUG() came before the report"
	echo "${r#*:}"
	echo "${b#*:}"
}

# boot_module MODULE LOG: boot the series kernel with MODULE.ko (a sample or
# a test module of arch/x86/kernel)
# and workbench/guest/MODULE.sh (which loads it) in the initramfs, console
# to LOG. BOOT_* settings given before the call pass through to boot.sh.
boot_module() {
	local ko
	ko=$(find "$OUT/samples/rust" "$OUT/arch/x86/kernel" -maxdepth 1 -name "$1.ko" 2>/dev/null | head -1 || true)
	[ -n "$ko" ] || die "no $1.ko in $OUT: build with workbench/series.config"
	BOOT_MODULES=$ko BOOT_TESTS=$TOP/workbench/guest/$1.sh \
		bash "$TOP/workbench/boot.sh" "${OUT_NAME:-out}" "$2"
}

# kunit_py JSON LOG: tools/testing/kunit/kunit.py run of
# workbench/text_poke.kunitconfig, built in $BUILD/kunit with our toolchain
# and run under QEMU with two CPUs; results to JSON, output to LOG.
kunit_py() {
	[ ! -e "$SRC/.config" ] || die "$SRC/.config exists: kunit.py needs a clean source tree"
	rm -f "$1"
	echo "QEMU: $("$QEMU_SYSTEM" --version | head -1)" > "$2"
	(cd "$SRC" && PATH=$TOP/workbench/bin:$PATH python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
		--build_dir="$BUILD/kunit" \
		--kunitconfig="$TOP/workbench/text_poke.kunitconfig" \
		--make_options LLVM=-19 --make_options RUSTC="$RUSTC" \
		--make_options RUSTDOC="$RUSTDOC" --make_options BINDGEN="$BINDGEN" \
		--make_options HOSTRUSTC="$RUSTC" --jobs="$(nproc)" --timeout=900 \
		--qemu_args="-smp 2 -cpu EPYC" --kernel_args=text_poke_rs_kunit.dyndbg=+p \
		--kernel_args=loglevel=8 --json="$1") >> "$2" 2>&1
}

# kunit_cases JSON: "STATUS suite.case" per case (parameters as cases).
kunit_cases() {
	python3 - "$1" <<'EOF'
import json, sys

def walk(group, path):
    for c in group.get("test_cases", []):
        print(c["status"], ".".join(path + [c["name"]]))
    for g in group.get("sub_groups", []):
        walk(g, path + [g["name"]])

for suite in json.load(open(sys.argv[1])).get("sub_groups", []):
    walk(suite, [suite["name"]])
EOF
}

# The first line of a WARN splat: "WARNING: CPU: 0 PID: 1 at file:line" up to
# 6.x, "WARNING: file:line at func+0x0/0x0, CPU#0: comm/pid" in 7.3. A bare
# "WARNING:" also starts the harmless SRSO line of -cpu EPYC.
WARN_RX='WARNING: (CPU:|[^ ]+:[0-9]+ at )'

# overlay_files DIR: the overlay files of patch directory DIR, one path per
# line of DIR/files (comments and the "only:" line left out).
overlay_files() {
	[ -f "$1/files" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' -e '/^only:/d' "$1/files"
}

# patch_dirs: the patch directories of the series on $BASE, in order. A
# directory belongs to every base unless its "files" has a line "only: BASE"
# (the 6.12 backport leaves one commit out).
patch_dirs() {
	local d only
	for d in "$TOP"/patches/[0-9][0-9][0-9][0-9]-*/; do
		d=${d%/}
		only=$(sed -n 's/^only:[[:space:]]*//p' "$d/files" 2>/dev/null)
		[ -z "$only" ] || [[ " $only " == *" $BASE "* ]] || continue
		echo "$d"
	done
}

# sender: "Name <email>" of whoever sends the series: $SERIES_FROM, else
# git config user.name and user.email (of this repository, which includes
# the global ones). Prints nothing when neither is set; never makes one up.
sender() {
	local name email
	if [ -n "${SERIES_FROM:-}" ]; then
		[[ "$SERIES_FROM" =~ ^[^\<\>@]+\ \<[^\<\>\ ]+@[^\<\>\ ]+\>$ ]] ||
			die "SERIES_FROM='$SERIES_FROM' is not 'Full Name <you@your.domain>'"
		echo "$SERIES_FROM"
		return
	fi
	name=$(git -C "$TOP" config user.name || true)
	email=$(git -C "$TOP" config user.email || true)
	[ -z "$name" ] || [ -z "$email" ] || echo "$name <$email>"
}

# sendable "Name <address>": the address can take mail, so a Signed-off-by
# with it can be asked about: not in a domain reserved by RFC 2606/6761
# (example, invalid, test, localhost) and not a noreply address.
sendable() {
	local addr domain
	addr=$(echo "$1" | sed -n 's/.*<\(.*\)>$/\1/p' | tr 'A-Z' 'a-z')
	domain=${addr#*@}
	[ -n "$addr" ] && [ "$domain" != "$addr" ] || return 1
	case ".$domain" in  # the leading dot: "*.x" matches x itself too
	*.example|*.invalid|*.test|*.localhost|*.example.com|*.example.org|*.example.net) return 1 ;;
	esac
	case "$addr" in *noreply*|*no-reply*) return 1 ;; esac
	return 0
}

# local_ident: the identity of the commits in $SRC, which stay on this
# machine: the sender's, or without one the login and host name, the identity
# git itself falls back to. make series never mails it (it needs sender()).
local_ident() {
	local s
	s=$(sender) || exit 1
	[ -n "$s" ] || s="$(id -un) <$(id -un)@$(hostname)>"
	export GIT_AUTHOR_NAME="${s% <*}" GIT_AUTHOR_EMAIL=$(echo "$s" | sed 's/.*<\(.*\)>$/\1/')
	export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
}

mkdir -p "$LOGS"

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

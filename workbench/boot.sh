#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh [NAME [LOG]]
# boot.sh --verdict NAME LOG: only judge an existing log.
#
# Boot $BUILD/NAME/arch/x86/boot/bzImage (default NAME: out) under TCG with a
# busybox initramfs, console to LOG. Exit 0 when the boot reached the marker
# with no BUG, Oops, WARNING, Call Trace, KUnit failure or panic in the log.
# BOOT_TIMEOUT (seconds) bounds the boot; BOOT_APPEND adds to the command
# line; BOOT_TESTS names extra /tests/*.sh scripts for the guest, BOOT_BINS
# extra programs for its /bin.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

verdict_only=
[ "${1:-}" != --verdict ] || { verdict_only=1; shift; }
name=${1:-out}
OUT=$BUILD/$name
log=${2:-$LOGS/boot-$name.log}
timeout=${BOOT_TIMEOUT:-120}
kernel=$OUT/arch/x86/boot/bzImage

fail() { echo "FAIL: $name boot: $*"; echo "      log: $log"; exit 1; }

# verdict: the boot passed when it reached the marker and printed no BUG,
# Oops, WARNING, Call Trace, KUnit failure or panic.
# BOOT_EXPECT_WARN=PATTERN: exactly BOOT_EXPECT_WARNS (default 1) WARN
# splats are expected, each from a place matching PATTERN; their blocks are
# then left out of the check.
verdict() {
	# A bare "WARNING:" also starts the harmless SRSO line of -cpu EPYC.
	local bad text=$log
	if [ -n "${BOOT_EXPECT_WARN:-}" ]; then
		local warns
		warns=$(grep -cE "$WARN_RX" "$log" || true)
		[ "$warns" = "${BOOT_EXPECT_WARNS:-1}" ] ||
			fail "expected ${BOOT_EXPECT_WARNS:-1} WARN splat(s), found $warns"
		[ "$(grep -E "$WARN_RX" "$log" | grep -c -- "$BOOT_EXPECT_WARN")" = "$warns" ] ||
			fail "a WARN is not from $BOOT_EXPECT_WARN: $(grep -E "$WARN_RX" "$log" | grep -v -- "$BOOT_EXPECT_WARN")"
		text=$log.unwarned
		sed '/cut here/,/end trace/d' "$log" > "$text"
	fi
	bad=$(grep -n -E 'BUG:|kernel BUG|Oops|WARNING:|Call Trace|^(\[[ 0-9.]+\] )? *not ok|Kernel panic' "$text" |
	      grep -v 'Speculative Return Stack Overflow: WARNING' | head -5 || true)
	[ -z "$bad" ] || fail "$(echo "$bad" | head -1)"
	grep -q TEXTPOKE-BOOT-OK "$log" || fail "no boot marker ($(wc -l < "$log") log lines)"
}
if [ -n "$verdict_only" ]; then
	verdict
	exit 0
fi
[ -f "$kernel" ] || die "no kernel at $kernel: build it first"

# The initramfs, made with the kernel's own gen_init_cpio: no root needed for
# the console device node.
initrd=$OUT/textpoke-initramfs.cpio
list=$OUT/textpoke-initramfs.list
{
	echo "dir /dev 755 0 0"
	echo "nod /dev/console 600 0 0 c 5 1"
	echo "nod /dev/kmsg 600 0 0 c 1 11"
	for d in /bin /proc /sys /tests /lib /lib/modules; do echo "dir $d 755 0 0"; done
	echo "file /bin/busybox $(command -v busybox) 755 0 0"
	echo "file /init $TOP/workbench/init.sh 755 0 0"
	for t in ${BOOT_TESTS:-}; do echo "file /tests/$(basename "$t") $t 755 0 0"; done
	for b in ${BOOT_BINS:-}; do echo "file /bin/$(basename "$b") $b 755 0 0"; done
	for m in ${BOOT_MODULES:-}; do echo "file /lib/modules/$(basename "$m") $m 644 0 0"; done
} > "$list"
"$OUT/usr/gen_init_cpio" "$list" > "$initrd"

# The KUnit report's per-site lines are pr_debug(): dynamic debug turns them
# on, loglevel=8 lets the console print KERN_DEBUG.
# printk.time=0: the checks read KTAP and report lines from the start of a
# line, also on kernels with PRINTK_TIME (make matrix's defconfig).
append="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 printk.devkmsg=on printk.time=0"
append+=" text_poke_rs_kunit.dyndbg=+p loglevel=8 ${BOOT_APPEND:-}"
"$QEMU_SYSTEM" --version | head -1 | sed 's/ *(.*//; s/.*version //' > "$log.qemu-version"
start=$(date +%s.%N)
set +e
timeout "$timeout" "$QEMU_SYSTEM" -cpu EPYC -smp 2 -m 512M \
	${BOOT_ACCEL:+-accel "$BOOT_ACCEL"} \
	-display none -monitor none -no-reboot -serial "file:$log" \
	-kernel "$kernel" -initrd "$initrd" -append "$append" </dev/null 2>"$log.qemu"
rc=$?
set -e
secs=$(echo "$(date +%s.%N) - $start" | bc)
printf '%.1f\n' "$secs" > "$log.seconds"

[ $rc -ne 124 ] || fail "timed out after $timeout s"
verdict
printf 'PASS: %s boot in %.1f s\n' "$name" "$secs"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-kernel torture: boot the series kernel with the torture test module,
# text_poke_rs_torture_test, in the initramfs, load it, and require its PASS
# line. Single-threaded TCG: under multi-threaded TCG even the unpatched kernel takes spurious INT3
# Oopses from concurrent cross-modification (a QEMU artefact), while the
# single-threaded run still interleaves the vCPUs and the INT3 emulation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# TORTURE_UPDATES: the module's updates parameter (its default is 300, what
# make check runs; make bench asks for 5000).
log=${TORTURE_LOG:-$LOGS/boot-torture.log}
BOOT_ACCEL=tcg,thread=single BOOT_TIMEOUT=${TORTURE_TIMEOUT:-1800} \
	BOOT_APPEND="${BOOT_APPEND:-}${TORTURE_UPDATES:+ textpoke.updates=$TORTURE_UPDATES}" \
	boot_module text_poke_rs_torture_test "$log"
line=$(grep -oP "text_poke_rs_torture_test: \\KPASS: ${TORTURE_UPDATES:-300} updates .*" "$log") || {
	grep -E 'text_poke_rs_torture_test|textpoke-test' "$log" | head -10
	die "no PASS line from text_poke_rs_torture_test"
}
echo "text_poke_rs_torture_test: $line"

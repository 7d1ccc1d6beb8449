#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The corrupt-site test: boot the series kernel, load rust_text_poke_corrupt
# and require: the error line (address, bytes found, forms expected), exactly
# one WARN and from static_call.c, the module's PASS line (site untouched,
# calls through the trampoline reach every target), and the boot marker after
# it (the kernel is alive).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$LOGS/boot-corrupt.log
BOOT_EXPECT_WARN=arch/x86/kernel/static_call.c boot_module rust_text_poke_corrupt "$log"
err=$(grep -oE 'static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[rust_text_poke_corrupt\]: 2e e9 [0-9a-f ]+, expected [^;]+; not patched' "$log" | head -1) && [ -n "$err" ] ||
	die "no error line for the corrupt site"
echo "$err"
grep -oP 'rust_text_poke_corrupt: \KPASS: .*' "$log" || die "no PASS line from rust_text_poke_corrupt"
grep -q 'textpoke-test: rust_text_poke_corrupt loaded, kernel alive' "$log" || die "kernel not alive after the load"
echo "one WARN from static_call.c; kernel alive after the load"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The corrupt-text test: boot the series kernel, load rust_text_poke_corrupt
# and require: exactly two WARNs, both from static_call.c: one for the
# unexpected site and one for the unexpected trampoline, each with the
# address, the bytes found and the forms expected, each printed once although
# the module updates the site's key three times; the module's PASS lines
# (site untouched and calls through the trampoline reach every target; the
# update through the bad trampoline refused as a whole: key, trampoline and
# inline site unchanged), and the boot marker after them (the kernel is
# alive).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$LOGS/boot-corrupt.log
BOOT_EXPECT_WARN=arch/x86/kernel/static_call.c BOOT_EXPECT_WARNS=2 \
	boot_module rust_text_poke_corrupt "$log"

# once LABEL REGEX: the line matching REGEX is in the log exactly once.
once() {
	local n
	n=$(grep -cE "$2" "$log" || true)
	[ "$n" = 1 ] || die "$1: $n lines match, want 1"
	grep -oE "$2" "$log"
}
once "site report" 'static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[rust_text_poke_corrupt\]: 2e e9 [0-9a-f ]+, expected [^;]+; not patched'
once "trampoline report" 'static_call: unexpected trampoline at __SCT__rust_tp_badtramp\+0x0/0x8 \[rust_text_poke_corrupt\]: e9 [0-9a-f ]+ cc cc cc, expected [^;]+; key not updated'
n=$(grep -cP 'rust_text_poke_corrupt: PASS: ' "$log" || true)
grep -oP 'rust_text_poke_corrupt: \K(PASS|FAIL): .*' "$log" || true
[ "$n" = 2 ] || die "want 2 PASS lines from rust_text_poke_corrupt, found $n"
grep -q 'textpoke-test: rust_text_poke_corrupt loaded, kernel alive' "$log" || die "kernel not alive after the load"
echo "two WARNs from static_call.c, one per kind; kernel alive after the load"

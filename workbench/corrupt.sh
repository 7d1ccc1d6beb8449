#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The corrupt-text test: boot the series kernel, load text_poke_rs_corrupt_test
# and require: exactly two WARNs (three with batched updates), all from
# static_call.c: one for the
# unexpected site and one for the unexpected trampoline, each with the
# address, the bytes found and the forms expected, each printed once although
# the module updates the site's key three times; the module's PASS lines
# (site untouched and calls through the trampoline reach every target; the
# update through the bad trampoline refused as a whole: key, trampoline and
# inline site unchanged), and the boot marker after them (the kernel is
# alive). With batched updates (7.3), an update with the unexpected site is
# refused as a whole too: a third WARN, once, and the calls stay on the first
# target.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# CORRUPT_LOG: where the console goes (the mutant run keeps its own).
log=${CORRUPT_LOG:-$LOGS/boot-corrupt.log}
batched=0
grep -q '^CONFIG_HAVE_STATIC_CALL_BATCH=y' "$OUT/.config" && batched=1
# 7.3 batches (patches 4-5): a kernel that lost it must not pass as unbatched.
[ "$BASE" != 7.3 ] || [ $batched = 1 ] || die "7.3 kernel without HAVE_STATIC_CALL_BATCH"
BOOT_EXPECT_WARN=arch/x86/kernel/static_call.c BOOT_EXPECT_WARNS=$((2 + batched)) \
	boot_module text_poke_rs_corrupt_test "$log"

# The serial console may print a record partly and then again in full when
# a WARN takes it over mid-line: count distinct complete lines. That each
# message is printed once is what the two WARN splats above say.
# once LABEL REGEX: exactly one distinct line matches REGEX.
text=$(tr -d '\r' < "$log")
once() {
	local n
	n=$(echo "$text" | grep -oE "$2" | sort -u | wc -l)
	[ "$n" = 1 ] || die "$1: $n distinct lines match, want 1"
	echo "$text" | grep -oE "$2" | head -1
}
once "site report" 'static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[text_poke_rs_corrupt_test\]: 2e e9 [0-9a-f ]+, expected [^;]+; not patched$'
once "trampoline report" 'static_call: unexpected trampoline at __SCT__rust_tp_badtramp\+0x0/0x8 \[text_poke_rs_corrupt_test\]: e9 [0-9a-f ]+ cc cc cc, expected [^;]+; update refused$'
if [ $batched = 1 ]; then
	once "site refusal" 'static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[text_poke_rs_corrupt_test\]: 2e e9 [0-9a-f ]+, expected [^;]+; update refused$'
	once "site case" 'text_poke_rs_corrupt_test: PASS: site .*\(want 1 1 1 1\)$'
else
	once "site case" 'text_poke_rs_corrupt_test: PASS: site .*\(want 1 2 0 1\)$'
fi
once "trampoline case" 'text_poke_rs_corrupt_test: PASS: bad trampoline: .*\(want 1 1\)$'
! grep -E 'text_poke_rs_corrupt_test: FAIL' "$log" || die "text_poke_rs_corrupt_test failed a case"
grep -q 'textpoke-test: text_poke_rs_corrupt_test loaded, kernel alive' "$log" || die "kernel not alive after the load"
echo "$((2 + batched)) WARNs from static_call.c, one per kind; kernel alive after the load"

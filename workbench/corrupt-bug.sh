#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Foreign text at a static call site must BUG(), reported first: build the
# series kernel with workbench/mutants/foreign-site.diff (the corrupt-text
# module's trampoline without its signature, so that its prefixed site is
# neither a form the patcher knows nor a branch to a static call
# trampoline), load the module and require the report (address, bytes
# found, forms expected), then "kernel BUG at arch/x86/kernel/static_call.c",
# and no "left calling its trampoline". Without the change,
# workbench/corrupt.sh passes: so this boot dies for the site alone. The
# tree is restored and the kernel rebuilt afterwards (the module and
# modpost each way).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=$LOGS/boot-corrupt-bug.log
mutant_build "$TOP/workbench/mutants/foreign-site.diff"
! boot_module text_poke_rs_corrupt_test "$log" > "$LOGS/corrupt-bug.txt" 2>&1 ||
	die "the boot with foreign text at a static call site passed"
text=$(tr -d '\r' < "$log")
report='static_call: unexpected site at rust_tp_corrupt_site\+0x4/0x[0-9a-f]+ \[text_poke_rs_corrupt_test\]: 2e e9( [0-9a-f]{2}){3,4}, expected [^;]+$'
report_then_bug "$text" "$report"
! grep -q 'left calling its trampoline' <<< "$text" || die "the foreign site was left as if it were a branch to the trampoline"

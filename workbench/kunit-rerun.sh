#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-rerun.sh: boot the series kernel and run the x86_text_poke_rs suite
# again through KUnit's debugfs once userspace is up, after init memory was
# freed: its static_call_sites case must skip the sites in init text, which
# is gone, and the suite pass again.
# kunit-rerun.sh --mutant: the proof that this can fail: with
# workbench/mutants/kunit-init.diff (no skip) the rerun must fail exactly
# static_call_sites. The tree is restored and the kernel rebuilt afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# rerun_of LOG: the kernel log of the run through debugfs, between the
# guest script's markers (awk reads to the end: no SIGPIPE under pipefail).
rerun_of() {
	tr -d '\r' < "$1" | awk '/textpoke-test: kunit rerun: start/,/textpoke-test: kunit rerun: end/'
}

log=$LOGS/boot-kunit-rerun.log
if [ "${1:-}" = --mutant ]; then
	log=$LOGS/boot-kunit-rerun-mutant.log
	mutant_build "$TOP/workbench/mutants/kunit-init.diff"
	! BOOT_TESTS=$TOP/workbench/guest/kunit_rerun.sh bash "$TOP/workbench/boot.sh" out "$log" ||
		die "the boot passed without the skip of init text"
	rerun=$(rerun_of "$log")
	[ -n "$rerun" ] || die "no KUnit rerun in $log"
	failed=$(echo "$rerun" | grep -oE '^ *not ok [0-9]+ [a-z0-9_]+' | awk '{ print $NF }' | sort -u | tr '\n' ' ')
	[ "$failed" = "static_call_sites x86_text_poke_rs " ] ||
		die "without the skip the rerun failed '$failed', want static_call_sites alone"
	# awk reads to the end: no SIGPIPE for tr under pipefail.
	boot=$(tr -d '\r' < "$log" | awk '/textpoke-test: kunit rerun: start/ { stop = 1 } !stop')
	! grep -qE '^ *not ok ' <<< "$boot" || die "the suite failed at boot already"
	echo "without the skip: the suite passes at boot, and run again after boot fails: $failed"
	exit 0
fi
BOOT_TESTS=$TOP/workbench/guest/kunit_rerun.sh bash "$TOP/workbench/boot.sh" out "$log" ||
	die "the boot with the KUnit rerun failed"
rerun=$(rerun_of "$log")
[ -n "$rerun" ] || die "no KUnit rerun: $(grep -a 'kunit rerun' "$log" | sed -n 1p)"
grep -qE '^ok [0-9]+ x86_text_poke_rs$' <<< "$rerun" ||
	{ grep -E 'not ok|^# ' <<< "$rerun" | sed -n 1,20p; die "x86_text_poke_rs failed when run again after boot"; }
line=$(echo "$rerun" | grep -oP 'static call sites after static_call_init\(\):.*' | tail -1)
init=$(echo "$line" | grep -oP 'init \K[0-9]+' || true)
[ "${init:-0}" -gt 0 ] || die "the rerun skipped no init site: $line"
boot=$(tr -d '\r' < "$log" | grep -aoP 'static_call_sites: \K[0-9]+ static call sites after static_call_init\(\):.*' | sed -n 1p)
echo "at boot: $boot"
echo "after boot, through debugfs: $(echo "$rerun" | grep -oP '^# Totals: .*') $(echo "$rerun" | grep -oE '^ok [0-9]+ x86_text_poke_rs$')"
echo "  $(echo "$rerun" | grep -oP '# static_call_sites: \K.*')"

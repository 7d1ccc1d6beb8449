#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mailcheck.sh CHECK: the checks of the mails that series.sh --check wrote
# to $BUILD/series-check/, the C series in c/ and the Rust RFC in rust/
# (make check runs all three):
#   checkpatch  no host-only file (Cargo, cargo tests) in the mails, and
#               scripts/checkpatch.pl --strict on every mail: what it says
#               must be exactly what its thread's cover letter lists under
#               "checkpatch.pl --strict leaves these" for this base (file,
#               type and count per patch), and, since --check mails carry
#               no sign-off, one MISSING_SIGN_OFF per patch
#   figures     the RFC's cover letter's figures of the booted kernel are
#               this run's (boot-out.log)
#   am          b4 am of the C thread and git am of its result onto a freshly
#               unpacked Debian tree give the tree of the series' last C
#               commit, object for object; b4 am of the RFC thread and git
#               am on top give the tree of branch series
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$BUILD/series-check
threads=(c rust)
# thread_mails NAME: the mails of thread NAME into ${mails[@]}, their count
# without the cover letter into $n.
thread_mails() {
	mapfile -t mails < <(ls "$out/$1"/0[0-9][0-9][0-9]-*.patch 2>/dev/null)
	[ "${#mails[@]}" -gt 1 ] || die "no mails in $out/$1: run workbench/series.sh --check"
	n=$(( ${#mails[@]} - 1 ))
}

checkpatch_thread() {  # NAME
	local host listed found totals i m res total sob
	thread_mails "$1"
	# The kernel gets no host-only files: no Cargo manifest, no cargo tests.
	host=$(grep -hE '^diff --git a/\S*(Cargo\.(toml|lock)|text_poke/(tests|fuzz)/)' "${mails[@]:1}" || true)
	[ -z "$host" ] || die "host-only files in the mails: $host"
	# The list in the cover letter: "  K/N FILE TYPE xCOUNT: reason".
	listed=$(sed -n '/^checkpatch.pl --strict leaves these/,$p' "${mails[0]}" |
		 sed -nE 's#^  ([0-9]+)/([0-9]+) (\S+) ([A-Z_]+) x([0-9]+): .*#\1 \3 \4 \5#p' | sort)
	found= totals=
	for i in $(seq 1 "$n"); do
		m=${mails[$i]}
		res=$(cd "$SRC" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --terse --show-types --showfile "$m" 2>&1) || true
		! echo "$res" | grep -E 'Traceback|Error|not found' | grep -v ': ERROR:' ||
			die "checkpatch did not run cleanly on $(basename "$m")"
		total=$(echo "$res" | grep '^total:' || true)
		totals+="  $i/$n $(basename "$m"): ${total:-no error, no warning}"$'\n'
		sob=$(echo "$res" | grep -c ':MISSING_SIGN_OFF:' || true)
		[ "$sob" = 1 ] || die "$(basename "$m"): $sob MISSING_SIGN_OFF, want 1 (mails of --check have no sign-off)"
		found+=$(echo "$res" | { grep -E '^[^ ]*:[0-9]+: (ERROR|WARNING|CHECK):' || true; } |
			 { grep -v ':MISSING_SIGN_OFF:' || true; } |
			 sed -E 's#^([^:]*):[0-9]+: [A-Z]+:([A-Z_]+):.*#\1 \2#' |
			 awk -v i="$i" '{ f = $1; sub(/.*\//, "", f); if (f == "") f = "-"; c[f " " $2]++ }
				END { for (k in c) print i, k, c[k] }')$'\n'
	done
	found=$(echo "$found" | sed '/^$/d' | sort)
	printf '%s' "$totals"
	if [ "$found" != "$listed" ]; then
		echo "checkpatch says (patch file type count):"; echo "$found" | sed 's/^/  /'
		echo "the cover letter lists:"; echo "$listed" | sed 's/^/  /'
		die "checkpatch --strict and the cover letter's list differ"
	fi
	echo "$1: checkpatch --strict: $n patches; besides the missing sign-off of --check, only what the cover letter lists ($(echo "$listed" | awk '{ s += $4 } END { print s + 0 }') remarks, each with its reason)"
}

case "$1" in
checkpatch)
	for t in "${threads[@]}"; do checkpatch_thread "$t"; done
	;;
am)
	tarball=$(ls /usr/src/linux-source-$BASE.tar.* | head -1)
	d=$BUILD/am
	rm -rf "$d"
	mkdir -p "$d"
	tar -xf "$tarball" -C "$d" --strip-components=1
	local_ident
	export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	ga() { git -C "$d" "$@"; }
	ga init -q
	ga add -A -f .
	ga commit -q -m "$(basename "$tarball")" --no-verify
	[ "$(ga rev-parse HEAD^{tree})" = "$(git -C "$SRC" rev-parse base^{tree})" ] ||
		die "the fresh tree is not the workbench's base"
	# As a maintainer takes a series: b4 am of each thread (from a local
	# mbox, offline) to an am-ready mbox, then git am, the C series first.
	# b4 0.12 cannot read a folded From: header, which git format-patch
	# writes for long names: the local mbox has its headers unfolded.
	total=$(git -C "$SRC" rev-list --count base..series) applied=0
	for t in "${threads[@]}"; do
		thread_mails "$t"
		python3 - "${mails[@]}" > "$d.mbox" <<'PY'
import sys
for path in sys.argv[1:]:
    head, _, body = open(path).read().partition("\n\n")
    sys.stdout.write(head.replace("\n ", " ") + "\n\n" + body)
PY
		msgid=$(grep -m1 -oP '^Message-ID: <\K[^>]+' "${mails[0]}")
		log=$LOGS/b4-am-$t.log
		rm -rf "$d.b4"; mkdir -p "$d.b4"
		(cd "$BUILD" && b4 --offline-mode -n am -C -m "$d.mbox" -o "$d.b4" "$msgid") > "$log" 2>&1 ||
			{ cat "$log"; die "$t: b4 am of the thread failed"; }
		grep -q "^Total patches: $n\$" "$log" || { cat "$log"; die "$t: b4 am did not find the $n patches"; }
		! grep -E 'WARNING|ERROR|missing' "$log" || die "$t: b4 am warns (log $log)"
		# The RFC names the C series as its prerequisite.
		[ "$t" = c ] || grep -q '^prerequisite-patch-id: ' "${mails[0]}" ||
			die "$t: the cover letter names no prerequisite-patch-id"
		ga am -q "$d.b4"/*.mbx || { ga am --abort || true; die "$t: git am of b4's mbox failed"; }
		applied=$((applied + n))
		got=$(ga rev-parse HEAD^{tree})
		want=$(git -C "$SRC" rev-parse "series~$((total - applied))^{tree}")
		[ "$got" = "$want" ] || die "$t: git am gives tree $got, the series has $want after $applied commits"
		ga log --reverse --format='  %an: %s' "HEAD~$n..HEAD"
		echo "$t: b4 am of the thread, git am onto the fresh tree: tree $got = series~$((total - applied))"
	done
	[ "$applied" = "$total" ] || die "the threads hold $applied of the $total commits"
	echo "both threads, git am onto a fresh $(basename "$tarball"): the tree of branch series"
	rm -rf "$d" "$d.b4" "$d.mbox"
	;;
figures)
	# The cover letter's figures of the booted kernel are this run's: the
	# static call sites static_call_init() left (calls, tail calls,
	# conditional tail calls) and the KUnit cases that passed at boot, in
	# the RFC's cover letter.
	thread_mails rust
	log=$LOGS/boot-out.log
	forms=$(booted_forms "$log")
	[ -n "$forms" ] || die "no static call site report in $log: boot first"
	read -r total calls tails jcc < <(form_counts "$forms")
	kunit=$(kunit_totals "$log" x86_text_poke_rs | grep -oP 'pass:\K[0-9]+' || true)
	text=$(sed '1,/^$/d' "${mails[0]}" | tr '\n' ' ' | tr -s ' ')
	want=("leaves $total static call sites ($calls calls, $tails tail calls, $jcc conditional tail calls"
	      "passes at boot ($kunit cases)")
	for w in "${want[@]}"; do
		[[ "$text" == *"$w"* ]] || die "the cover letter does not say '$w' (this run: $forms; KUnit $kunit)"
	done
	echo "cover letter figures = this boot: $total sites, $jcc conditional tail calls${kunit:+, KUnit $kunit cases}"
	;;
*)
	die "unknown check $1"
	;;
esac

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make $SRC: Debian's linux-source-$BASE unpacked as a git repository with one
# base commit (tag "base"), then the series from patches/ as commits on branch
# "series", the reproducer (patches/repro on the base alone) on branch "repro"
# and, where patches/bench has a
# diff for the base, the bench counter on branch "bench". Each patch directory holds
# the overlay files of the commit ("files", the same for every base) and one
# diff to upstream files per base, $BASE.diff, and the commit message,
# "message" or, where one base needs its own, "message-$BASE". A directory
# whose "files" has a line "only: BASE" is part of that base's series alone.
#
# Commits are built in a private index (no working-tree churn), with fixed
# dates, so the same overlay always gives the same commit ids and a re-run
# only touches the files that really changed: kbuild rebuilds incrementally.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TARBALL=$(ls /usr/src/linux-source-$BASE.tar.* 2>/dev/null | head -1)
[ -n "$TARBALL" ] || die "no /usr/src/linux-source-$BASE.tar.*: run workbench/setup.sh"
DEB_VERSION=$(dpkg-query -W -f='${Version}' linux-source-$BASE)

# The commits are the sender's (lib.sh: local_ident), with fixed dates.
local_ident
# The MAINTAINERS entry names the sender only with an address that takes mail.
maintainer=$(sender)
sendable "$maintainer" || maintainer=
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
g() { git -C "$SRC" "$@"; }

base_subject="Debian linux-source-$BASE $DEB_VERSION"
if [ ! -d "$SRC/.git" ] || [ "$(g log -1 --format=%s base 2>/dev/null)" != "$base_subject" ]; then
	step "unpacking $TARBALL ($DEB_VERSION)"
	rm -rf "$SRC" "$OUT"
	mkdir -p "$SRC"
	tar -xf "$TARBALL" -C "$SRC" --strip-components=1
	g init -q -b series
	g config core.autocrlf false
	g config gc.auto 0
	g add -A -f .  # Debian's .gitignore ignores the top level
	g commit -q -m "$base_subject" --no-verify
	g tag -f base >/dev/null
fi
info "base: $(make -s -C "$SRC" kernelversion) ($base_subject)"

# maintainers IDX: the series' MAINTAINERS entry (patches/maintainers-entry)
# into index IDX, with the F: lines of the files that exist there, so that
# each commit that adds a file also adds its F: line, and the sender as M:
# (without a sendable address, no M: line).
maintainers() {
	local idx=$1 line entry=
	while IFS= read -r line; do
		case "$line" in
		'#'*) continue ;;
		F:$'\t'*) [ -n "$(GIT_INDEX_FILE=$idx g ls-files -- "${line#F:?}" | head -1)" ] || continue ;;
		*@SENDER@*) [ -n "$maintainer" ] || continue; line=${line/@SENDER@/$maintainer} ;;
		esac
		entry+=$line$'\n'
	done < "$TOP/patches/maintainers-entry"
	grep -q '^F:' <<< "$entry" || return 0
	GIT_INDEX_FILE=$idx g update-index --cacheinfo "100644,$(GIT_INDEX_FILE=$idx g show :MAINTAINERS |
		python3 "$TOP/workbench/maintainers.py" "$entry" | g hash-object -w --stdin),MAINTAINERS"
}

# build_commit PARENT DIR: prints the id of a commit that applies DIR on PARENT.
build_commit() {
	local parent=$1 dir=$2 idx f mode
	idx=$(mktemp)
	GIT_INDEX_FILE=$idx g read-tree "$parent"
	while read -r f; do
		[ -f "$TOP/$f" ] || die "$dir/files: $f does not exist"
		mode=100644; [ -x "$TOP/$f" ] && mode=100755
		GIT_INDEX_FILE=$idx g update-index --add --cacheinfo \
			"$mode,$(g hash-object -w "$TOP/$f"),$f"
	done < <(overlay_files "$dir")
	f=$dir/$BASE.diff
	if [ -s "$f" ]; then
		GIT_INDEX_FILE=$idx g apply --cached --whitespace=nowarn "$f" ||
			die "$(basename "$dir")/$BASE.diff does not apply to $base_subject"
	fi
	maintainers "$idx"
	f=$dir/message
	[ ! -f "$f-$BASE" ] || f=$f-$BASE  # a message for one base alone
	g commit-tree "$(GIT_INDEX_FILE=$idx g write-tree)" -p "$parent" -F "$f"
	rm -f "$idx"
}

head=$(g rev-parse base)
n=0
for dir in $(patch_dirs); do
	head=$(build_commit "$head" "$dir")
	n=$((n + 1))
done
# The reproducer is of the base tree alone: the bug as it was reported.
repro=$(build_commit "$(g rev-parse base)" "$TOP/patches/repro")

g branch -f repro "$repro"
# make bench: the series plus the boot-cost counter, on branch "bench".
if [ -s "$TOP/patches/bench/$BASE.diff" ]; then
	g branch -f bench "$(build_commit "$head" "$TOP/patches/bench")"
fi
if [ "$(g rev-parse HEAD)" != "$head" ] || [ -n "$(g status --porcelain)" ]; then
	g checkout -q -f -B series "$head"
fi
info "series: $n commits on branch series, reproducer on branch repro"
g log --oneline base..series | sed 's/^/      /'

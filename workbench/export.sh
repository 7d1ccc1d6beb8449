#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# export.sh: write the series of $SRC back into patches/ after editing it as
# kernel developers do, with commits on branch "series" (fixups, rebases) and
# the reproducer as the one commit on branch "repro" (on base).
#
# Commit k of base..series goes to the k-th patch directory: its message to
# "message" (or "message-$BASE" where that exists), its changes to upstream
# files to "$BASE.diff", and the overlay files that the directory's "files"
# lists back into this repository. Add a directory (with a "files" that
# names the new commit's overlay files, or none) before exporting a commit
# that is new; the counts must agree. A directory whose "files" says
# "only: BASE" is not part of other bases.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

g() { git -C "$SRC" "$@"; }
mapfile -t dirs < <(patch_dirs | xargs -n1 basename)
mapfile -t commits < <(g rev-list --reverse base..series)
[ "${#dirs[@]}" = "${#commits[@]}" ] ||
	die "${#commits[@]} commits on series but ${#dirs[@]} patch directories"
[ "$(g rev-parse repro^)" = "$(g rev-parse base)" ] || die "repro is not one commit on top of base"

# Every overlay file of every patch: none of them goes into a diff.
mapfile -t overlay < <(for d in "$TOP"/patches/[0-9]*/; do overlay_files "$d"; done | sort -u)
# The overlay files are written back from the commits: never over changes
# that only this repository's working tree has.
dirty=$(git -C "$TOP" status --porcelain -- "${overlay[@]}" patches)
[ -z "$dirty" ] || die "uncommitted changes here would be overwritten, commit them first (or tree.sh them in):
$dirty"
# MAINTAINERS comes from patches/maintainers-entry (tree.sh), not the diffs.
excludes=(":(exclude)MAINTAINERS")
for f in "${overlay[@]}"; do excludes+=(":(exclude)$f"); done

# write_patch COMMIT DIR
write_patch() {
	local c=$1 dir=$TOP/patches/$2 f msg
	msg=$dir/message
	[ ! -f "$msg-$BASE" ] || msg=$msg-$BASE  # this base's own message
	g log -1 --format=%B "$c" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$msg"
	g diff --no-color --no-renames "$c^" "$c" -- . "${excludes[@]}" |
		sed -E '/^index [0-9a-f]+\.\.[0-9a-f]+( [0-7]+)?$/d' > "$dir/$BASE.diff"
	[ -s "$dir/$BASE.diff" ] || rm -f "$dir/$BASE.diff"
	while read -r f; do
		g cat-file -e "$c:$f" 2>/dev/null || die "$2/files: $f is not in $(g log -1 --format='%h %s' "$c")"
		mkdir -p "$(dirname "$TOP/$f")"
		g show "$c:$f" > "$TOP/$f"
	done < <(overlay_files "$dir")
	echo "$2: $(g log -1 --format=%s "$c") ($(wc -l < "$dir/$BASE.diff" 2>/dev/null || echo 0) diff lines)"
}

for i in "${!dirs[@]}"; do
	write_patch "${commits[$i]}" "${dirs[$i]}"
done
write_patch "$(g rev-parse repro)" repro

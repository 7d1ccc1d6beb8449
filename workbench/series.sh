#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series.sh [--check]: the series of $BASE as mails, ready for git send-email
# or b4, in $BUILD/series/ (ignored by git). Nothing is sent. With --check
# (make check) they go to $BUILD/series-check/ instead, without sign-off.
#
# Two threads, each from a cover letter of patches/ whose "Patches:" line
# names its patch directories (numbers, "1-5"):
#   c/     patches/cover-letter-c, the C-only series for tip;
#   rust/  patches/cover-letter, the Rust RFC, based on the C series: its
#          mails carry base-commit: and the C patches as
#          prerequisite-patch-id:, as git format-patch --base writes them.
# Each thread has
#   - its commits of base..series, authored by the sender and signed off by
#     them, with the trailers of $SERIES_TRAILERS, in the tip tree's order;
#   - a cover letter (its "@@ BASE" blocks for this base only), with git's
#     shortlog and diffstat;
#   - To: the maintainers, Cc: reviewers and lists, from the kernel's
#     scripts/get_maintainer.pl for every patch of the thread and for the
#     files that the cover letter's "Also-for:" line names; every mail gets
#     all of them, so that each reader sees the whole thread.
#
# The sender is $SERIES_FROM ("Full Name <address>") or git config
# user.name/user.email (lib.sh: sender()); without one, or with an address
# nobody can write to (lib.sh: sendable()), this stops. So it does without
# an Assisted-by: trailer (Documentation/process/coding-assistants.rst) in
# $SERIES_TRAILERS, unless SERIES_ASSISTED_BY=none says that no tool helped
# with what you send. With --check the mails carry no sign-off and need no
# identity: they are rendered for checkpatch and the git am round trip only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=
[ "${1:-}" != --check ] || check=1
sender=$(sender) || exit 1
if [ -z "$check" ] && [ -z "$sender" ]; then
	die "no sender identity: set git config user.name and user.email, or
       make series SERIES_FROM='Full Name <you@your.domain>'
       (the mails' From: and Signed-off-by: are the sender's; see README.md)"
fi
if [ -z "$check" ] && ! sendable "$sender"; then
	die "'$sender' cannot sign off: its address is reserved or does not take mail
       (example, invalid, test, localhost or noreply); give your own:
       make series SERIES_FROM='Full Name <you@your.domain>'"
fi
g() { git -C "$SRC" "$@"; }
[ "$(g rev-parse -q --verify series)" ] || die "no branch series in $SRC: run make tree"
out=$BUILD/series${check:+-check}
letters=("$TOP/patches/cover-letter-c" "$TOP/patches/cover-letter")
names=(c rust)

# A cover letter: "Subject:", "Version:", "Prefix:" (of the subjects, before
# the base and version), "Patches:" (its patch directories, by number) and
# "Also-for:" (files whose maintainers should see the thread although it
# does not change them) lines, an empty line, the text. "@@ BASE" ... "@@"
# blocks are for that base alone.
cover_field() { sed -n "s/^$1: *//p;/^\$/q" "$cover"; }
cover_text() {
	sed '1,/^$/d' "$cover" | awk -v base="$BASE" '
		/^@@ [0-9.]+$/ { keep = ($2 == base); inblock = 1; next }
		/^@@$/ { inblock = 0; next }
		!inblock || keep'
}
# cover_count: how many commits of base..series are this letter's: its
# patch directories that belong to $BASE. They must follow the previous
# letter's.
cover_count() {
	local range first last d k n=0
	range=$(cover_field Patches)
	[[ "$range" =~ ^([0-9]+)-([0-9]+)$ ]] || die "$(basename "$cover"): Patches: '$range' is not FIRST-LAST"
	first=${BASH_REMATCH[1]} last=${BASH_REMATCH[2]}
	for d in $(patch_dirs); do
		k=$(basename "$d"); k=$((10#${k%%-*}))
		[ "$k" -lt "$first" ] || [ "$k" -gt "$last" ] || n=$((n + 1))
	done
	echo "$n"
}
check_cover() {
	local v version prefix
	version=$(cover_field Version)
	[[ "$version" =~ ^[1-9][0-9]*$ ]] || die "$(basename "$cover"): Version: '$version' is not a number"
	for ((v = 2; v <= version; v++)); do
		cover_text | grep -q "^Changes in v$v:" ||
			die "$(basename "$cover"): Version $version needs a 'Changes in v$v:' section"
	done
	prefix=$(cover_field Prefix)
	[ -n "$prefix" ] || die "$(basename "$cover"): no Prefix:"
	[ "$BASE" = 7.3 ] || prefix+=" $BASE"
	[ "$version" = 1 ] || prefix+=" v$version"
	echo "$prefix"
}

# Trailers, in the order of Documentation/process/maintainer-tip.rst (its
# list first, other tags such as Assisted-by: before the Signed-off-by),
# Link: last. SERIES_TRAILERS go on every patch: tags for one patch, such as
# a Reviewed-by:, belong on that commit (b4 trailers -u collects them).
TAG_ORDER=(Fixes Reported-by Closes Originally-by Suggested-by Co-developed-by
	   '*' Signed-off-by Tested-by Reviewed-by Acked-by Cc Link)
extra=$(printf '%s\n' "${SERIES_TRAILERS:-}" | sed '/^[[:space:]]*$/d')
if [ -z "$check" ] && ! echo "$extra" | grep -q '^Assisted-by: ' && [ "${SERIES_ASSISTED_BY:-}" != none ]; then
	die "no Assisted-by: trailer. This series was written with the help of coding tools:
       Documentation/process/coding-assistants.rst asks for
       make series SERIES_TRAILERS='Assisted-by: LLM [TOOL1] [TOOL2]'
       (LLM the assistant, the TOOLs the analysis tools used, as that file says)
       (SERIES_ASSISTED_BY=none only if no tool helped with what you send)"
fi
if [ -n "$extra" ]; then
	bad=$(echo "$extra" | grep -vE '^[A-Z][A-Za-z-]*: .+' || true)
	[ -z "$bad" ] || die "SERIES_TRAILERS: not 'Tag: value': $bad"
	! echo "$extra" | grep -qi '^Signed-off-by:' ||
		die "SERIES_TRAILERS: the sender's Signed-off-by is added by make series, others' go by their own hand"
fi
message() {  # COMMIT: its message with the trailers of the mail
	local msg body links
	msg=$(g log -1 --format=%B "$1")
	links=$(echo "$msg" | grep -E '^Link: ' || true)
	body=$(echo "$msg" | grep -vE '^Link: ' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')
	printf '%s\n\n' "$body"
	{
		echo "$extra"
		[ -n "$check" ] || echo "Signed-off-by: $sender"
		echo "$links"
	} | sed '/^$/d' | tag_sort
}
# tag_sort: trailers in TAG_ORDER, the given order kept within one tag.
tag_sort() {
	local i t line rank star
	while IFS= read -r line; do
		t=${line%%:*} rank=
		for i in "${!TAG_ORDER[@]}"; do
			[ "${TAG_ORDER[$i]}" != "$t" ] || rank=$i
			[ "${TAG_ORDER[$i]}" != '*' ] || star=$i
		done
		printf '%02d\t%s\n' "${rank:-$star}" "$line"
	done | sort -s -n -k1,1 | cut -f2-
}

rm -rf "$out"
mkdir -p "$out"

# Branch "mail": the series again, same trees, the sender as author.
local_ident
unset GIT_AUTHOR_DATE GIT_COMMITTER_DATE
head=$(g rev-parse base)
for c in $(g rev-list --reverse base..series); do
	head=$(message "$c" | g commit-tree "$c^{tree}" -p "$head" -F -)
done
g branch -f mail "$head"
[ "$(g rev-parse mail^{tree})" = "$(g rev-parse series^{tree})" ] || die "mail and series differ"

# To/Cc from get_maintainer.pl, run in the tree the mails apply to. The
# tarball has no history: no git-based guesses.
gm() { (cd "$SRC" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
	--no-rolestats --no-multiline --separator ', ' "$@"); }
people() {  # ROLE ARGS...: the maintainers (to) or reviewers and lists (cc)
	local role=$1; shift
	case $role in
	to) gm --m --no-r --no-l "$@" ;;
	cc) gm --no-m --r --l "$@" ;;
	esac | tr -d '\n' | sed 's/, /\n/g' | grep -vF "${sender:-<nobody>}" | sed '/^$/d' || true
}
# header FILE NAME LIST: add a folded "NAME: a,\n b" header to FILE's header.
header() {
	[ -n "$3" ] || return 0
	python3 - "$@" <<'PY'
import sys
path, name, people = sys.argv[1], sys.argv[2], sys.argv[3].split("\n")
mail = open(path).read()
head, _, rest = mail.partition("\n\n")
head += "\n" + name + ": " + ",\n ".join(people)
open(path, "w").write(head + "\n\n" + rest)
PY
}
# everyone ROLE: the people of thread()'s patches (one get_maintainer.pl
# call) and of its Also-for files (another); bash lets it read thread()'s
# locals.
everyone() {
	people "$1" "${patches[@]:1}"
	[ "${#also[@]}" = 0 ] || people "$1" -f "${also[@]}"
}

# thread NAME FROM TO: the mails of FROM..TO (commits of mail) with the
# current $cover, in $out/NAME/. format-patch --base=base records the base,
# and for a thread that starts above it, the patches below as
# prerequisite-patch-id: lines.
thread() {
	local name=$1 from=$2 to=$3 dir=$out/$1 prefix n first f to_all cc_all
	local -a patches also
	prefix=$(check_cover)
	n=$(g rev-list --count "$from..$to")
	mkdir -p "$dir"
	g format-patch -q --cover-letter --thread=shallow --no-signature \
		--base=base --subject-prefix="$prefix" -o "$dir" "$from..$to"
	first=$(ls "$dir"/0000-*.patch)

	# The cover letter's subject and text in place of git's placeholders.
	python3 - "$first" "$(cover_field Subject)" <(cover_text) <<'PY'
import sys
path, subject, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().strip("\n")
mail = open(path).read()
assert "*** SUBJECT HERE ***" in mail and "*** BLURB HERE ***" in mail
mail = mail.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", text)
open(path, "w").write(mail)
PY

	patches=("$dir"/0[0-9][0-9][0-9]-*.patch)
	mapfile -t also < <(cover_field Also-for | tr ' ' '\n' | sed '/^$/d')
	for f in "${also[@]}"; do
		[ -e "$SRC/$f" ] || die "$(basename "$cover"): Also-for: $f does not exist"
	done
	to_all=$(everyone to | sort -u)
	cc_all=$(everyone cc | sort -u |
		 grep -vxF -f <(echo "$to_all") || true)
	for f in "${patches[@]}"; do
		header "$f" To "$to_all"
		header "$f" Cc "$cc_all"
	done

	info "$n patches and a cover letter, [$prefix 0/$n], in ${dir#$TOP/}:"
	for f in "${patches[@]}"; do info "  $(basename "$f")"; done
}

total=$(g rev-list --count base..mail)
from=base taken=0
for i in "${!letters[@]}"; do
	cover=${letters[$i]}
	k=$(cover_count)
	[ "$k" -gt 0 ] || die "$(basename "$cover"): none of its patches is on $BASE"
	taken=$((taken + k))
	[ "$taken" -le "$total" ] || die "the cover letters' Patches: take more than the $total commits"
	to=$(g rev-parse "mail~$((total - taken))")
	thread "${names[$i]}" "$from" "$to"
	from=$to
done
[ "$taken" = "$total" ] || die "the cover letters' Patches: take $taken of the $total commits"

if [ -z "$check" ]; then
	info "From and Signed-off-by: $sender"
	info "review them, then send the C series first: git send-email ${out#$TOP/}/c/*.patch,"
	info "then the RFC: git send-email ${out#$TOP/}/rust/*.patch (or b4, see README.md)"
else
	info "(--check: no Signed-off-by, not for sending)"
fi

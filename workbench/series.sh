#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series.sh [--check]: the series of $BASE as mails, ready for git send-email
# or b4, in $BUILD/series/ (ignored by git). Nothing is sent.
#
#   - the commits of base..series, authored by the sender and signed off by
#     them, with the trailers of $SERIES_TRAILERS, in the tip tree's order;
#   - a cover letter from patches/cover-letter (its "@@ BASE" blocks for
#     this base only), with git's shortlog and diffstat;
#   - To: the maintainers, Cc: reviewers and lists, per mail, from the
#     kernel's scripts/get_maintainer.pl; the cover letter gets them all.
#
# The sender is $SERIES_FROM ("Full Name <address>") or git config
# user.name/user.email (lib.sh: sender()); without one this stops. With
# --check (make check) the mails carry no sign-off and need no identity:
# they are rendered for checkpatch and the git am round trip only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=
[ "${1:-}" != --check ] || check=1
sender=$(sender) || exit 1
if [ -z "$check" ] && [ -z "$sender" ]; then
	die "no sender identity: set git config user.name and user.email, or
       make series SERIES_FROM='Full Name <address@example.org>'
       (the mails' From: and Signed-off-by: are the sender's; see README.md)"
fi
g() { git -C "$SRC" "$@"; }
[ "$(g rev-parse -q --verify series)" ] || die "no branch series in $SRC: run make tree"
cover=$TOP/patches/cover-letter
out=$BUILD/series

# The cover letter: "Subject:" and "Version:" lines, an empty line, the
# text. "@@ BASE" ... "@@" blocks are for that base alone.
cover_field() { sed -n "s/^$1: *//p;/^\$/q" "$cover"; }
cover_text() {
	sed '1,/^$/d' "$cover" | awk -v base="$BASE" '
		/^@@ [0-9.]+$/ { keep = ($2 == base); inblock = 1; next }
		/^@@$/ { inblock = 0; next }
		!inblock || keep'
}
version=$(cover_field Version)
[[ "$version" =~ ^[1-9][0-9]*$ ]] || die "patches/cover-letter: Version: '$version' is not a number"
prefix="RFC PATCH"
[ "$BASE" = 7.3 ] || prefix+=" $BASE"
[ "$version" = 1 ] || prefix+=" v$version"
for ((v = 2; v <= version; v++)); do
	cover_text | grep -q "^Changes in v$v:" ||
		die "patches/cover-letter: Version $version needs a 'Changes in v$v:' section"
done

# Trailers, in the order of Documentation/process/maintainer-tip.rst: the
# sender's own tags before their Signed-off-by, tags given by others after
# it, Link: last.
AFTER_SOB='^(Tested-by|Reviewed-by|Acked-by|Cc):'
extra=$(printf '%s\n' "${SERIES_TRAILERS:-}" | sed '/^[[:space:]]*$/d')
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
		echo "$extra" | grep -vE "$AFTER_SOB" || true
		[ -n "$check" ] || echo "Signed-off-by: $sender"
		echo "$extra" | grep -E "$AFTER_SOB" || true
		echo "$links"
	} | sed '/^$/d'
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

n=$(g rev-list --count base..mail)
g format-patch -q --cover-letter --thread=shallow --no-signature \
	--subject-prefix="$prefix" -o "$out" base..mail
first=$(ls "$out"/0000-*.patch)

# The cover letter's subject and text in place of git's placeholders.
python3 - "$first" "$(cover_field Subject)" <(cover_text) <<'EOF'
import sys
path, subject, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().strip("\n")
mail = open(path).read()
assert "*** SUBJECT HERE ***" in mail and "*** BLURB HERE ***" in mail
mail = mail.replace("*** SUBJECT HERE ***", subject).replace("*** BLURB HERE ***", text)
open(path, "w").write(mail)
EOF

# To/Cc from get_maintainer.pl, run in the tree the mails apply to. The
# tarball has no history: no git-based guesses.
gm() { (cd "$SRC" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
	--no-rolestats --no-multiline --separator ', ' "$@"); }
people() {  # ROLE FILES...: the maintainers (to) or reviewers and lists (cc)
	local role=$1; shift
	case $role in
	to) gm --m --no-r --no-l "$@" ;;
	cc) gm --no-m --r --l "$@" ;;
	esac | tr -d '\n' | sed 's/, /\n/g' | grep -vF "${sender:-<nobody>}" | sed '/^$/d' || true
}
# header FILE NAME LIST: add a folded "NAME: a,\n b" header to FILE's header.
header() {
	[ -n "$3" ] || return 0
	python3 - "$@" <<'EOF'
import sys
path, name, people = sys.argv[1], sys.argv[2], sys.argv[3].split("\n")
mail = open(path).read()
head, _, rest = mail.partition("\n\n")
head += "\n" + name + ": " + ",\n ".join(people)
open(path, "w").write(head + "\n\n" + rest)
EOF
}
patches=("$out"/0[0-9][0-9][0-9]-*.patch)
for p in "${patches[@]:1}"; do
	to=$(people to "$p")
	header "$p" To "$to"
	header "$p" Cc "$(people cc "$p" | grep -vxF -f <(echo "$to") || true)"
done
to_all=$(for p in "${patches[@]:1}"; do people to "$p"; done | sort -u)
cc_all=$(for p in "${patches[@]:1}"; do people cc "$p"; done | sort -u | grep -vxF -f <(echo "$to_all") || true)
header "$first" To "$to_all"
header "$first" Cc "$cc_all"

info "$n patches and a cover letter, [$prefix 0/$n], in ${out#$TOP/}:"
for p in "${patches[@]}"; do info "  $(basename "$p")"; done
if [ -z "$check" ]; then
	info "From and Signed-off-by: $sender"
	info "review them, then: git send-email ${out#$TOP/}/*.patch (or b4, see README.md)"
else
	info "(--check: no Signed-off-by, not for sending)"
fi

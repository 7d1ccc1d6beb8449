#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# setup-check.sh: workbench/setup.sh's package choice on machines that are
# not this one. Each case is a made-up Debian 12 machine: its own apt
# configuration (the Debian 12 suites only) and its own dpkg status, read by
# setup.sh with SETUP_SIMULATE=1, which resolves every install with
# `apt-get install -s` and installs nothing. Nothing of this machine's apt
# or dpkg state is read or changed; only the package lists come from the
# mirror (cached in $BUILD_ROOT/setup-check).
#
#   none    no QEMU package: qemu-system-x86 comes from bookworm
#   bpo     qemu-utils from bookworm-backports (the project's machine image,
#           1:10.0.2+ds-2+deb13u1~bpo12+1 when it was written): bookworm's
#           qemu-system-x86 7.2 cannot be installed beside it
#
# The bpo case also proves it can fail: the choice of the setup.sh before
# this check, qemu-system-x86 from the default suite, must not resolve.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# apt's messages are parsed below.
export LC_ALL=C

MIRROR=${SETUP_CHECK_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
IMAGE_QEMU=1:10.0.2+ds-2+deb13u1~bpo12+1
T=$BUILD_ROOT/setup-check
APTD=$T/apt
mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial"
[ -f "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"

# machine NAME [EXTRA-SUITE]: a fresh apt configuration with the suites of a
# Debian 12 machine, in $T/NAME: apt.conf (APT_CONFIG: nothing of this
# machine's apt configuration is read), etc/ and admin/ (dpkg's status).
machine() {
	local d=$T/$1
	rm -rf "$d"
	mkdir -p "$d/etc/sources.list.d" "$d/etc/preferences.d" "$d/etc/apt.conf.d" \
		"$d/admin/info" "$d/admin/updates" "$d/state"
	: > "$d/etc/sources.list"
	{
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm main"
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main"
		echo "deb [signed-by=$KEYRING] ${MIRROR%/debian}/debian-security bookworm-security main"
		[ -z "${2:-}" ] || echo "deb [signed-by=$KEYRING] $MIRROR $2 main"
	} > "$d/etc/sources.list.d/debian.list"
	: > "$d/admin/status"
	: > "$d/admin/available"
	# The package lists are shared by all machines (List-Cleanup off), the
	# binary caches are not kept.
	cat > "$d/apt.conf" <<-EOF
	Dir::Etc "$d/etc";
	Dir::State "$d/state";
	Dir::State::status "$d/admin/status";
	Dir::State::lists "$APTD/lists";
	Dir::Cache "$APTD/cache";
	Dir::Cache::pkgcache "";
	Dir::Cache::srcpkgcache "";
	APT::Get::List-Cleanup "0";
	Acquire::Languages "none";
	APT::Architecture "amd64";
	APT::Architectures { "amd64"; };
	Debug::NoLocking "1";
	EOF
}
on() {  # NAME COMMAND...: COMMAND with machine NAME's apt
	local m=$1; shift
	APT_CONFIG=$T/$m/apt.conf "$@"
}

# The dpkg status of the bpo machine: qemu-utils of the image and what it
# depends on, as apt would install them on an empty machine.
machine world bookworm-backports
on world apt-get update -qq
if ! on world apt-cache show "qemu-utils=$IMAGE_QEMU" >/dev/null 2>&1; then
	IMAGE_QEMU=$(on world apt-cache madison qemu-utils |
		     awk -F' *[|] *' '$3 ~ / bookworm-backports\// { print $2; exit }')
	[ -n "$IMAGE_QEMU" ] || die "no qemu-utils in bookworm-backports"
	info "the image's qemu-utils is gone from bookworm-backports; its current one: $IMAGE_QEMU"
fi
insts=$(on world apt-get install -s --no-install-recommends -t bookworm-backports \
	"qemu-utils=$IMAGE_QEMU" | awk '/^Inst / { gsub(/[()]/, "", $3); print $2 "=" $3 }')
machine bpo
# shellcheck disable=SC2086
on world apt-cache show $insts |
	grep -vE '^(Filename|Size|MD5sum|SHA1|SHA256|SHA512|Description-md5): ' |
	awk 'BEGIN { RS = ""; ORS = "\n\n" } { if (seen[$2]++) next
		sub(/\n/, "\nStatus: install ok installed\n"); print }' > "$T/bpo/admin/status"
machine none

failed=0
bad() { echo "FAIL: $*"; failed=1; }

# run_setup NAME: setup.sh's simulation on machine NAME; its output.
run_setup() {
	SETUP_SIMULATE=1 APT_CONFIG="$T/$1/apt.conf" APT_ETC="$T/$1/etc" DPKG_ADMIN="$T/$1/admin" \
		bash "$TOP/workbench/setup.sh" > "$T/$1.log" 2>&1 || { bad "$1: setup.sh failed:"; sed 's/^/    /' "$T/$1.log"; return 1; }
}
inst_version() {  # NAME PKG: the version setup.sh would install
	awk -v p="$2" '$1 == "Inst" && $2 == p { for (i = 3; i <= NF; i++) if ($i ~ /^\(/) {
		print substr($i, 2); exit } }' "$T/$1.log"
}
# from_tag NAME TAG: the packages whose installed version has TAG (~bpo12:
# bookworm-backports), and those that setup.sh named from SUITE.
from_tag() {
	awk -v t="$2" '$1 == "Inst" { for (i = 3; i <= NF; i++) if ($i ~ /^\(/) {
		if (index($i, t)) print $2; break } }' "$T/$1.log" | sort
}
named_from() {
	grep -oP '^==> installing Debian packages: \K.*' "$T/$1.log" | tr ' ' '\n' |
		awk -F/ -v s="$2" '$2 == s { print $1 }' | sort
}
# pins NAME: every suite setup.sh added is at priority 1.
pins() {
	local f s
	for f in "$T/$1"/etc/sources.list.d/text-poke-*.list; do
		s=${f##*/text-poke-}; s=${s%.list}
		grep -qx 'Pin-Priority: 1' "$T/$1/etc/preferences.d/text-poke-$s" 2>/dev/null ||
			bad "$1: $s added without priority 1"
		on "$1" apt-cache policy | grep -qE "^ +1 .* $s/main" ||
			bad "$1: apt does not give $s priority 1"
	done
}

# The choice of the old setup.sh on the bpo machine: it must not resolve
# without removing the machine's QEMU.
on bpo apt-get install -s --no-install-recommends qemu-system-x86 > "$T/old.log" 2>&1 || true
if ! grep -qE '^Remv qemu-utils |unmet dependencies' "$T/old.log"; then
	bad "bpo: bookworm's qemu-system-x86 resolves beside qemu-utils $IMAGE_QEMU: the case proves nothing"
else
	echo "bpo: qemu-system-x86 from bookworm (the old choice) does not resolve: $(grep -m1 -E '^Remv|Breaks|Depends' "$T/old.log" | sed 's/^ *//')"
fi

for m in none bpo; do
	run_setup "$m" || continue
	pins "$m"
	q=$(inst_version "$m" qemu-system-x86) l=$(inst_version "$m" linux-source-7.3)
	case $m in
	none) want=$(on none apt-cache policy qemu-system-x86 | awk '/Candidate:/ { print $2 }') ;;
	bpo)  want=$IMAGE_QEMU ;;
	esac
	[ "$q" = "$want" ] || bad "$m: qemu-system-x86 ${q:-not installed}, want $want"
	[[ $l == *~bpo13* ]] || bad "$m: linux-source-7.3 ${l:-not installed}, want trixie-backports' one"
	# From a backports suite only what setup.sh named from it.
	[ "$(from_tag "$m" '~bpo13')" = linux-source-7.3 ] ||
		bad "$m: from trixie-backports: $(from_tag "$m" '~bpo13' | tr '\n' ' ')"
	# apt takes a new dependency of a package named with /SUITE from SUITE
	# too: each must be a dependency of a named one.
	named=$(named_from "$m" bookworm-backports)
	for x in $(comm -23 <(from_tag "$m" '~bpo12') <(echo "$named")); do
		# shellcheck disable=SC2086
		on "$m" apt-cache show $(for n in $named; do echo "$n/bookworm-backports"; done) 2>/dev/null |
			grep -E '^(Pre-)?Depends:' | grep -qE "[ ,|]$x( |,|$)" ||
			bad "$m: $x from bookworm-backports, which no package named from there depends on"
	done
	[ -z "$(named_from "$m" bookworm-backports)" ] ||
		echo "$m: named from bookworm-backports: $(named_from "$m" bookworm-backports | tr '\n' ' ')"
	echo "$m: qemu-system-x86 $q, linux-source-7.3 $l; added $(cd "$T/$m/etc/sources.list.d" && ls text-poke-* | sed 's/text-poke-//; s/\.list//' | tr '\n' ' ')at priority 1"
done
[ $failed = 0 ] && echo "PASS: setup.sh resolves on a machine without QEMU and on one with backported QEMU packages"
exit $failed

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

MIRROR=${SETUP_CHECK_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
IMAGE_QEMU=1:10.0.2+ds-2+deb13u1~bpo12+1
T=$BUILD_ROOT/setup-check
APTD=$T/apt
mkdir -p "$APTD/lists/partial" "$APTD/cache/archives/partial"
[ -f "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"

# machine NAME [EXTRA-SUITE]: a fresh apt configuration with the suites of a
# Debian 12 machine; its etc directory.
machine() {
	local d=$T/$1
	rm -rf "$d"
	mkdir -p "$d/etc/sources.list.d" "$d/etc/preferences.d" "$d/admin/info" "$d/admin/updates"
	: > "$d/etc/sources.list"
	{
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm main"
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main"
		echo "deb [signed-by=$KEYRING] ${MIRROR%/debian}/debian-security bookworm-security main"
		[ -z "${2:-}" ] || echo "deb [signed-by=$KEYRING] $MIRROR $2 main"
	} > "$d/etc/sources.list.d/debian.list"
	: > "$d/admin/status"
	: > "$d/admin/available"
}
apt_of() {  # NAME: apt-get's options for machine NAME
	echo -o Dir::Etc="$T/$1/etc" -o Dir::State::status="$T/$1/admin/status" \
	     -o Dir::State::lists="$APTD/lists" -o Dir::Cache="$APTD/cache" \
	     -o Acquire::Languages=none -o Debug::NoLocking=1
}

# The dpkg status of the bpo machine: qemu-utils of the image and what it
# depends on, as apt would install them on an empty machine.
machine world bookworm-backports
# shellcheck disable=SC2046
apt-get $(apt_of world) update -qq
# shellcheck disable=SC2046
if ! apt-cache $(apt_of world) show "qemu-utils=$IMAGE_QEMU" >/dev/null 2>&1; then
	IMAGE_QEMU=$(apt-cache $(apt_of world) policy qemu-utils |
		     awk '/^ +(\*\*\* )?[0-9]/ { v = $1 == "***" ? $2 : $1 } /bookworm-backports/ && v { print v; exit }')
	info "the image's qemu-utils is gone from bookworm-backports; its current one: $IMAGE_QEMU"
fi
# shellcheck disable=SC2046
insts=$(apt-get $(apt_of world) install -s --no-install-recommends -t bookworm-backports \
	"qemu-utils=$IMAGE_QEMU" | awk '/^Inst / { gsub(/[()]/, "", $3); print $2 "=" $3 }')
machine bpo
# shellcheck disable=SC2046,SC2086
apt-cache $(apt_of world) show $insts |
	grep -vE '^(Filename|Size|MD5sum|SHA1|SHA256|SHA512|Description-md5): ' |
	awk 'BEGIN { RS = ""; ORS = "\n\n" } { if (seen[$2]++) next
		sub(/\n/, "\nStatus: install ok installed\n"); print }' > "$T/bpo/admin/status"
machine none

failed=0
bad() { echo "FAIL: $*"; failed=1; }

# run_setup NAME: setup.sh's simulation on machine NAME; its output.
run_setup() {
	SETUP_SIMULATE=1 APT_ETC="$T/$1/etc" DPKG_ADMIN="$T/$1/admin" APT_DIR="$APTD" \
		bash "$TOP/workbench/setup.sh" > "$T/$1.log" 2>&1 || { bad "$1: setup.sh failed:"; sed 's/^/    /' "$T/$1.log"; return 1; }
}
inst_version() {  # NAME PKG: the version setup.sh would install
	awk -v p="$2" '$1 == "Inst" && $2 == p { gsub(/[()]/, "", $3); print $3 }' "$T/$1.log"
}
# pins NAME: every suite setup.sh added is at priority 1.
pins() {
	local f s
	for f in "$T/$1"/etc/sources.list.d/text-poke-*.list; do
		s=${f##*/text-poke-}; s=${s%.list}
		grep -qx 'Pin-Priority: 1' "$T/$1/etc/preferences.d/text-poke-$s" 2>/dev/null ||
			bad "$1: $s added without priority 1"
		# shellcheck disable=SC2046
		apt-cache $(apt_of "$1") policy | grep -qE "^ +1 .* $s/main" ||
			bad "$1: apt does not give $s priority 1"
	done
}

# The choice of the old setup.sh on the bpo machine: it must not resolve
# without removing the machine's QEMU.
# shellcheck disable=SC2046
if apt-get $(apt_of bpo) install -s --no-install-recommends qemu-system-x86 > "$T/old.log" 2>&1 &&
   ! grep -q '^Remv ' "$T/old.log"; then
	bad "bpo: bookworm's qemu-system-x86 resolves beside qemu-utils $IMAGE_QEMU: the case proves nothing"
else
	echo "bpo: qemu-system-x86 from bookworm (the old choice) does not resolve: $(grep -m1 -E '^Remv|Breaks|Depends' "$T/old.log" | sed 's/^ *//')"
fi

for m in none bpo; do
	run_setup "$m" || continue
	pins "$m"
	q=$(inst_version "$m" qemu-system-x86) l=$(inst_version "$m" linux-source-7.3)
	case $m in
	none) want=$(apt-cache $(apt_of none) policy qemu-system-x86 | awk '/Candidate:/ { print $2 }') ;;
	bpo)  want=$IMAGE_QEMU ;;
	esac
	[ "$q" = "$want" ] || bad "$m: qemu-system-x86 ${q:-not installed}, want $want"
	[[ $l == *~bpo13* ]] || bad "$m: linux-source-7.3 ${l:-not installed}, want trixie-backports' one"
	grep -q '^Inst linux-libc-dev .*trixie' "$T/$m.log" && bad "$m: linux-libc-dev from trixie"
	echo "$m: qemu-system-x86 $q, linux-source-7.3 $l; added $(cd "$T/$m/etc/sources.list.d" && ls text-poke-* | sed 's/text-poke-//; s/\.list//' | tr '\n' ' ')at priority 1"
done
[ $failed = 0 ] && echo "PASS: setup.sh resolves on a machine without QEMU and on one with backported QEMU packages"
exit $failed

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the toolchain this workbench needs. Idempotent: when everything is
# present it only prints the versions.
#
# Two suites beyond the machine's own may be added, each pinned to priority 1
# so that no later `apt-get upgrade` takes anything from it:
#  - trixie-backports, for linux-source-7.3 alone (named as
#    linux-source-7.3/trixie-backports; -t would upgrade linux-libc-dev too);
#  - the backports suite that the machine's QEMU packages came from, when they
#    did (e.g. qemu-utils 10.0 from bookworm-backports, which breaks
#    bookworm's qemu-system-x86 7.2): qemu-system-x86 is then installed from
#    that suite, in an apt-get call of its own, so that it matches.
# Every install is simulated first: one that would remove or downgrade a
# package, or that apt cannot solve, stops with a message that says why.
#
# SETUP_SIMULATE=1 stops after the simulations (workbench/setup-check.sh
# runs it so against a made-up dpkg status); APT_ETC, DPKG_ADMIN and APT_DIR
# point it at a private apt configuration then.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 linux-source-7.3 clang-19 lld-19 llvm-19 libclang-19-dev rustc-web
      rust-web-src libelf-dev flex bison bc libssl-dev qemu-system-x86
      busybox-static cpio python3 git make libc6-dev
      python3-ply python3-git python3-sphinx python3-docutils b4
      rust-web-clippy rustfmt-web)
# Installed from the suite of the machine's QEMU packages, if any.
QEMU_PKGS=(qemu-system-x86)
# The packages whose origin decides that suite.
QEMU_PEERS=(qemu-utils qemu-system-common qemu-system-data qemu-block-extra qemu-system-x86
	    qemu-system-gui qemu-system-modules-spice)

APT_ETC=${APT_ETC:-/etc/apt}
DPKG_ADMIN=${DPKG_ADMIN:-/var/lib/dpkg}
SIMULATE=${SETUP_SIMULATE:-0}
APT=(apt-get -o Dir::Etc="$APT_ETC" -o Dir::State::status="$DPKG_ADMIN/status")
[ -z "${APT_DIR:-}" ] ||
	APT+=(-o Dir::State::lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache"
	      -o Acquire::Languages=none -o Debug::NoLocking=1)
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
[ "$SIMULATE" = 0 ] || SUDO=

installed() {  # PKG: its installed version, or nothing
	dpkg-query --admindir="$DPKG_ADMIN" -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "install" && $3 == "installed" { print $4 }'
}

# The backports suite that the machine's QEMU came from: a version
# "...~bpoNN+M" is a backport to Debian NN.
qemu_suite() {
	local p v
	for p in "${QEMU_PEERS[@]}"; do
		v=$(installed "$p")
		[[ $v =~ ~bpo([0-9]+) ]] || continue
		case ${BASH_REMATCH[1]} in
		11) echo bullseye-backports ;;
		12) echo bookworm-backports ;;
		13) echo trixie-backports ;;
		*) die "$p $v is a backport to Debian ${BASH_REMATCH[1]}, which this script does not know" ;;
		esac
		return
	done
}

# add_suite SUITE: from the Debian mirror apt already uses, at priority 1,
# unless apt has the suite already.
add_suite() {
	local suite=$1 mirror keyring= f=$APT_ETC/sources.list.d/text-poke-$1.list
	if grep -rqsE "(^| )$suite( |$)" "$APT_ETC/sources.list" "$APT_ETC/sources.list.d/" &&
	   ! [ -f "$f" ]; then
		return 0
	fi
	mirror=$( (grep -rhoE 'https?://[^ ]+/debian/?( |$)' "$APT_ETC/sources.list" \
		   "$APT_ETC/sources.list.d/" 2>/dev/null || true) | grep -v -- '-security' | head -1 | tr -d ' ')
	mirror=${mirror:-http://deb.debian.org/debian}
	[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		keyring=" [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
	step "adding ${mirror%/} $suite at priority 1 ($2)"
	$SUDO mkdir -p "$APT_ETC/sources.list.d" "$APT_ETC/preferences.d"
	echo "deb$keyring ${mirror%/} $suite main" | $SUDO tee "$f" >/dev/null
	printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n' "$suite" |
		$SUDO tee "$APT_ETC/preferences.d/text-poke-$suite" >/dev/null
}

# simulate WHAT APT-ARGS...: what apt would do; stop on a removal, a
# downgrade, or no solution, with apt's reasons and what to do.
simulate() {
	local what=$1 out bad; shift
	if ! out=$("${APT[@]}" install -s --no-install-recommends "$@" 2>&1); then
		printf 'ERROR: apt finds no way to install %s beside the packages this machine has:\n' "$what" >&2
		printf '%s\n' "$out" | sed -n '/unmet dependencies/,$p' | sed 's/^/    /' >&2
		qemu_hint >&2
		exit 1
	fi
	bad=$(printf '%s\n' "$out" | awk '/^Remv / { print "    removes " $2 }
		/^Inst [^ ]+ \[/ { o = $3; n = $4; gsub(/[][()]/, "", o); gsub(/[()]/, "", n)
			if (system("dpkg --compare-versions " o " gt " n) == 0)
				print "    downgrades " $2 " " o " to " n }')
	[ -z "$bad" ] || { printf 'ERROR: installing %s would change what this machine has:\n%s\n' \
		"$what" "$bad" >&2; exit 1; }
	printf '%s\n' "$out" | grep -E '^Inst ' || true
}

qemu_hint() {
	local p v
	for p in "${QEMU_PEERS[@]}"; do
		v=$(installed "$p")
		[ -z "$v" ] || echo "    installed: $p $v"
	done
	cat <<-EOF
	    qemu-system-x86 must be of the same QEMU version as the QEMU packages above.
	    See \`apt-cache policy qemu-system-x86 qemu-utils\` for the versions apt has, and
	    install qemu-system-x86 from the suite of the installed ones (apt-get install
	    -t SUITE qemu-system-x86), or remove them; then run make again.
	EOF
}

missing=() qemu=()
for p in "${PKGS[@]}"; do
	[ -n "$(installed "$p")" ] && continue
	if [[ " ${QEMU_PKGS[*]} " == *" $p "* ]]; then qemu+=("$p"); else missing+=("$p"); fi
done
[[ " ${missing[*]} " != *" linux-source-7.3 "* ]] ||
	add_suite trixie-backports "for linux-source-7.3 only"
suite=
if [ ${#qemu[@]} -gt 0 ]; then
	suite=$(qemu_suite)
	[ -z "$suite" ] || add_suite "$suite" "for QEMU, to match the installed $(installed qemu-utils) ${suite%-*} QEMU"
fi
if [ ${#missing[@]} -gt 0 ] || [ ${#qemu[@]} -gt 0 ]; then
	$SUDO "${APT[@]}" update -qq
	pkgs=("${missing[@]/#linux-source-7.3/linux-source-7.3/trixie-backports}")
	qargs=("${qemu[@]}")
	[ -z "$suite" ] || qargs=(-t "$suite" "${qemu[@]}")
	if [ ${#pkgs[@]} -gt 0 ]; then
		step "installing Debian packages: ${pkgs[*]}"
		sim=$(simulate "${pkgs[*]}" "${pkgs[@]}")
		[ "$SIMULATE" = 1 ] && printf '%s\n' "$sim" ||
			DEBIAN_FRONTEND=noninteractive $SUDO "${APT[@]}" install -y -qq \
				--no-install-recommends "${pkgs[@]}" >/dev/null
	fi
	if [ ${#qemu[@]} -gt 0 ]; then
		step "installing QEMU: ${qargs[*]}"
		sim=$(simulate "${qemu[*]}" "${qargs[@]}")
		[ "$SIMULATE" = 1 ] && printf '%s\n' "$sim" ||
			DEBIAN_FRONTEND=noninteractive $SUDO "${APT[@]}" install -y -qq \
				--no-install-recommends "${qargs[@]}" >/dev/null
	fi
fi
[ "$SIMULATE" = 0 ] || exit 0

if ! "$BINDGEN" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	step "installing bindgen-cli $BINDGEN_VERSION with cargo (a few minutes)"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION"
fi

[ -x "$RUSTC" ] || die "$RUSTC missing after install (package rustc-web)"
[ -d "$RUST_LIB_SRC/core" ] || die "Rust library source missing at $RUST_LIB_SRC (package rust-web-src)"

info "clang:   $(clang-19 --version | head -1)"
info "rustc:   $($RUSTC --version)"
info "bindgen: $($BINDGEN --version)"
info "qemu:    $("$QEMU_SYSTEM" --version | head -1)"
for b in 7.3 6.12; do
	info "base:    linux-source-$b $(dpkg-query -W -f='${Version}' linux-source-$b)"
done

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
#    bookworm's qemu-system-x86 7.2): qemu-system-x86 is then named from that
#    suite, and so is each QEMU package that it needs at that version, and
#    nothing else.
# The install is one apt transaction, simulated first: one that would remove
# or downgrade a package, or that apt cannot solve, stops with a message that
# says why and what to do.
#
# SETUP_SIMULATE=1 stops after the simulation (workbench/setup-check.sh runs
# it so against a made-up machine): APT_CONFIG, APT_ETC and DPKG_ADMIN must
# then name a private apt configuration, its etc directory and dpkg state.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# apt's messages are parsed below.
export LC_ALL=C

PKGS=(linux-source-6.12 linux-source-7.3 clang-19 lld-19 llvm-19 libclang-19-dev rustc-web
      rust-web-src libelf-dev flex bison bc libssl-dev qemu-system-x86
      busybox-static cpio python3 git make libc6-dev
      python3-ply python3-git python3-sphinx python3-docutils b4
      rust-web-clippy rustfmt-web)
# The packages whose origin decides the suite of qemu-system-x86.
QEMU_PEERS=(qemu-utils qemu-system-common qemu-system-data qemu-block-extra qemu-system-x86
	    qemu-system-gui qemu-system-modules-spice)

APT_ETC=${APT_ETC:-/etc/apt}
DPKG_ADMIN=${DPKG_ADMIN:-/var/lib/dpkg}
SIMULATE=0
if [ -n "${SETUP_SIMULATE:-}" ] && [ "$SETUP_SIMULATE" != 0 ]; then
	SIMULATE=1
	[ -n "${APT_CONFIG:-}" ] && [ "$APT_ETC" != /etc/apt ] && [ "$DPKG_ADMIN" != /var/lib/dpkg ] ||
		die "SETUP_SIMULATE needs a private APT_CONFIG, APT_ETC and DPKG_ADMIN"
	eval "$(apt-config shell LISTS Dir::State::lists/d)"
	[[ ${LISTS:-/var/lib/apt/} != /var/lib/apt/* ]] ||
		die "SETUP_SIMULATE needs APT_CONFIG to set a private Dir::State::lists"
fi
APT=(apt-get -o Dir::Etc="$APT_ETC" -o Dir::State::status="$DPKG_ADMIN/status")
SUDO=; [ "$(id -u)" -eq 0 ] || [ $SIMULATE = 1 ] || SUDO=sudo

installed() {  # PKG: its installed version (held or not), or nothing
	dpkg-query --admindir="$DPKG_ADMIN" -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$3 == "installed" { print $4 }'
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

# has_suite SUITE: an apt source of the machine's own names SUITE.
has_suite() {
	grep -rqsE "^[^#]*[[:space:]]$1([[:space:]]|$)" --include='*.list' --include='*.sources' \
		--exclude='text-poke-*' "$APT_ETC/sources.list" "$APT_ETC/sources.list.d/"
}

# add_suite SUITE WHY: from the Debian mirror apt already uses, pinned to
# priority 1, unless the machine has the suite itself.
add_suite() {
	local suite=$1 mirror keyring= f=$APT_ETC/sources.list.d/text-poke-$1.list
	local pin=$APT_ETC/preferences.d/text-poke-$1
	has_suite "$suite" && return 0
	[ -f "$f" ] && [ -f "$pin" ] && return 0
	mirror=$( (grep -rhoE --include='*.list' --include='*.sources' 'https?://[^ ]+/debian/?( |$)' \
		   "$APT_ETC/sources.list" "$APT_ETC/sources.list.d/" 2>/dev/null || true) | head -1 | tr -d ' ')
	mirror=${mirror:-http://deb.debian.org/debian}
	[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		keyring=" [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
	step "adding ${mirror%/} $suite at priority 1 ($2)"
	$SUDO mkdir -p "$APT_ETC/sources.list.d" "$APT_ETC/preferences.d"
	echo "deb$keyring ${mirror%/} $suite main" | $SUDO tee "$f" >/dev/null
	printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n' "$suite" | $SUDO tee "$pin" >/dev/null
	added=1
}

qemu_hint() {
	local p v
	for p in "${QEMU_PEERS[@]}"; do
		v=$(installed "$p")
		[ -z "$v" ] || echo "    installed: $p $v"
	done
	cat <<-EOF
	    qemu-system-x86 must be of the same QEMU version as the QEMU packages above.
	    \`apt-cache policy qemu-system-x86 qemu-utils\` shows the versions apt has and their
	    suites: install qemu-system-x86 of the installed version by hand (apt-get install
	    qemu-system-x86/SUITE and the QEMU packages it asks for), or remove the QEMU
	    packages above; then run make again.
	EOF
}

# resolve PKG...: apt-get install -s of PKG..., with the QEMU packages that a
# qemu-system-x86 from $suite needs at its version named from $suite too.
# Prints the final package list on success; stops with apt's reasons, and
# on a removal or a downgrade, with what to do.
resolve() {
	local args=("$@") out bad dep round solved=0
	for round in 1 2 3 4 5 6; do
		if out=$("${APT[@]}" install -s --no-install-recommends "${args[@]}" 2>&1); then
			solved=1
			break
		fi
		# "qemu-system-x86 : Depends: qemu-system-common (= V) but ...": name
		# each QEMU package that the suite's QEMU depends on from the suite.
		local more=() from=" "
		for dep in "${args[@]}"; do [[ $dep != */"$suite" ]] || from+="${dep%/*} "; done
		if [ -n "$suite" ]; then
			while read -r dep; do
				[[ " ${args[*]} " == *" $dep/$suite "* ]] || more+=("$dep/$suite")
			done < <(printf '%s\n' "$out" | sed -n '/unmet dependencies/,$p' | awk -v from="$from" '
				/^ [^ ]+ : / { owner = $1 }
				index(from, " " owner " ") && match($0, /(Pre)?Depends: [^ ]+ \([<>=]+ [^)]*\) but/) {
					split(substr($0, RSTART, RLENGTH), f, " "); print f[2] }' | sort -u)
		fi
		[ ${#more[@]} -gt 0 ] || break
		args+=("${more[@]}")
	done
	if [ $solved = 0 ]; then
		printf 'ERROR: apt finds no way to install these packages beside those this machine has:\n' >&2
		printf '%s\n' "$out" | sed -n '/unmet dependencies/,$p; /^E: /p' | sed 's/^/    /' >&2
		qemu_hint >&2
		exit 1
	fi
	bad=$(printf '%s\n' "$out" | awk '/^Remv / { print "    removes " $2 " " $3 }
		/^Inst [^ ]+ \[/ { o = $3; n = $4; gsub(/[][()]/, "", o); gsub(/[()]/, "", n)
			if (system("dpkg --compare-versions \047" o "\047 gt \047" n "\047") == 0)
				print "    downgrades " $2 " " o " to " n }')
	if [ -n "$bad" ]; then
		printf 'ERROR: installing the packages would change what this machine has:\n%s\n' "$bad" >&2
		qemu_hint >&2
		exit 1
	fi
	[ $SIMULATE = 0 ] || printf '%s\n' "$out" | grep -E '^Inst ' >&2 || true
	printf '%s\n' "${args[@]}"
}

missing=()
for p in "${PKGS[@]}"; do
	[ -n "$(installed "$p")" ] || missing+=("$p")
done
added=0
# The pin also for a trixie-backports list that an earlier setup.sh added
# without one.
if [[ " ${missing[*]} " == *" linux-source-7.3 "* ]] || [ -f "$APT_ETC/sources.list.d/text-poke-trixie-backports.list" ]; then
	add_suite trixie-backports "for linux-source-7.3 only"
fi
suite=
if [[ " ${missing[*]} " == *" qemu-system-x86 "* ]]; then
	suite=$(qemu_suite)
	[ -z "$suite" ] || add_suite "$suite" "for QEMU, to match the QEMU packages installed from there"
fi
if [ ${#missing[@]} -gt 0 ] || [ $added = 1 ]; then
	$SUDO "${APT[@]}" update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	pkgs=("${missing[@]/#linux-source-7.3/linux-source-7.3/trixie-backports}")
	[ -z "$suite" ] || pkgs=("${pkgs[@]/#qemu-system-x86/qemu-system-x86/$suite}")
	list=$(resolve "${pkgs[@]}")
	mapfile -t pkgs <<< "$list"
	step "installing Debian packages: ${pkgs[*]}"
	[ $SIMULATE = 1 ] ||
		$SUDO env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq \
			--no-install-recommends "${pkgs[@]}" >/dev/null
fi
[ $SIMULATE = 0 ] || exit 0

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

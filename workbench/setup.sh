#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the toolchain this workbench needs. Idempotent: when everything is
# present it only prints the versions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(linux-source-6.12 linux-source-7.3 clang-19 lld-19 llvm-19 libclang-19-dev rustc-web
      rust-web-src libelf-dev flex bison bc libssl-dev qemu-system-x86
      busybox-static cpio python3 git make libc6-dev
      python3-ply python3-git python3-sphinx python3-docutils b4
      rust-web-clippy rustfmt-web)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
# linux-source-7.3 is in trixie-backports, architecture-independent: add that
# suite from the Debian mirror that apt already uses, and take only this one
# package from it (-t trixie-backports would upgrade linux-libc-dev too).
if [[ " ${missing[*]} " == *" linux-source-7.3 "* ]] &&
   ! grep -rqs 'trixie-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	mirror=$( (grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list \
		   /etc/apt/sources.list.d/ 2>/dev/null || true) | head -1 | tr -d ' ')
	mirror=${mirror:-http://deb.debian.org/debian}
	step "adding ${mirror%/} trixie-backports (for linux-source-7.3 only)"
	echo "deb ${mirror%/} trixie-backports main" |
		$SUDO tee /etc/apt/sources.list.d/text-poke-trixie-backports.list >/dev/null
fi
if [ ${#missing[@]} -gt 0 ]; then
	step "installing Debian packages: ${missing[*]}"
	$SUDO apt-get update -qq
	pkgs=("${missing[@]/#linux-source-7.3/linux-source-7.3/trixie-backports}")
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${pkgs[@]}" >/dev/null
fi

if ! "$BINDGEN" --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
	step "installing bindgen-cli $BINDGEN_VERSION with cargo (a few minutes)"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION"
fi

[ -x "$RUSTC" ] || die "$RUSTC missing after install (package rustc-web)"
[ -d "$RUST_LIB_SRC/core" ] || die "Rust library source missing at $RUST_LIB_SRC (package rust-web-src)"

info "clang:   $(clang-19 --version | head -1)"
info "rustc:   $($RUSTC --version)"
info "bindgen: $($BINDGEN --version)"
info "qemu:    $(qemu-system-x86_64 --version | head -1)"
for b in 7.3 6.12; do
	info "base:    linux-source-$b $(dpkg-query -W -f='${Version}' linux-source-$b)"
done

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-bookworm.sh: bookworm's own QEMU (7.2), unpacked into
# $BUILD_ROOT/qemu-bookworm beside whatever QEMU the machine has installed,
# for running the boot tests under a second QEMU version:
#
#   QEMU_SYSTEM=$(bash workbench/qemu-bookworm.sh) bash workbench/boot.sh
#
# Prints the path of a qemu-system-x86_64 wrapper that finds its own
# firmware and modules. Installs nothing: apt-get download and dpkg -x.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

D=$BUILD_ROOT/qemu-bookworm
bin=$D/qemu-system-x86_64
if [ ! -x "$bin" ]; then
	rm -rf "$D"
	mkdir -p "$D/debs"
	for p in qemu-system-x86 qemu-system-common qemu-system-data seabios ipxe-qemu; do
		v=$(apt-cache madison "$p" | awk -F' *[|] *' '$3 ~ / bookworm\/main / { print $2; exit }')
		[ -n "$v" ] || die "no $p in bookworm/main (is bookworm in apt's sources?)"
		(cd "$D/debs" && apt-get download -q "$p=$v" >/dev/null 2>&1) || die "apt-get download $p=$v failed"
	done
	for f in "$D"/debs/*.deb; do dpkg -x "$f" "$D/root"; done
	cat > "$bin" <<-EOW
	#!/bin/sh
	# bookworm's QEMU, unpacked by workbench/qemu-bookworm.sh
	QEMU_MODULE_DIR='$D/root/usr/lib/x86_64-linux-gnu/qemu' exec '$D/root/usr/bin/qemu-system-x86_64' \\
		-L '$D/root/usr/share/qemu' -L '$D/root/usr/share/seabios' -L '$D/root/usr/lib/ipxe/qemu' "\$@"
	EOW
	chmod +x "$bin"
fi
"$bin" --version | head -1 >&2
echo "$bin"

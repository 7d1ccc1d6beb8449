#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the workbench initramfs: report, run the in-guest tests, power off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Write through printk: a line written to /dev/console can be torn by a
# kernel message printed at the same moment (seen once in CI), a record in
# /dev/kmsg cannot. boot.sh passes printk.devkmsg=on (no rate limit).
exec >/dev/kmsg 2>&1
echo "textpoke: userspace up after $(cut -d' ' -f1 /proc/uptime) s"
for t in /tests/*.sh; do
	[ -e "$t" ] && sh "$t"
done
echo "TEXTPOKE-BOOT-OK"
# No ACPI in this kernel: a reset ends QEMU (-no-reboot).
reboot -f

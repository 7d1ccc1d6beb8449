# SPDX-License-Identifier: GPL-2.0
# Guest test: a uprobe on each of the 32 conditional jumps of /bin/uprobe_jcc
# (16 conditions, rel8 and rel32), through tracefs (workbench/uprobes.sh).
mkdir -p /sys/kernel/tracing
mount -t tracefs tracefs /sys/kernel/tracing ||
	echo "uprobe-jcc: FAIL: no tracefs"
/bin/uprobe_jcc /sys/kernel/tracing

/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the kernel's instruction decoder as tools/ builds it for the host. */
#include TP_TOOLS_INSN_H

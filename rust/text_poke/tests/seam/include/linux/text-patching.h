/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: as in the kernel, the x86 header. */
#include <asm/text-patching.h>

/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for the tree's <asm/nops.h>: its assembler macros are not used here. */

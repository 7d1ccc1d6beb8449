/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the tree's NOP bytes of x86-64, and the NOP table (seam.c has it). */
#ifndef TP_SHIM_NOPS_H
#define TP_SHIM_NOPS_H
#ifndef CONFIG_64BIT
#define CONFIG_64BIT 1
#endif
#include TP_NOPS_H
extern const unsigned char * const x86_nops[];
#endif

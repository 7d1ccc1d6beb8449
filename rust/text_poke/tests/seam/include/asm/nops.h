/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim: the NOP table (seam.c has it). */
extern const unsigned char * const x86_nops[];

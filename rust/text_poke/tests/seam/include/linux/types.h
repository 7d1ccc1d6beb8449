/* SPDX-License-Identifier: GPL-2.0 */
/* Host shim for <asm/text-poke-insn-c.h>: the kernel types and attributes it uses. */
#ifndef TP_SHIM_TYPES_H
#define TP_SHIM_TYPES_H
#include_next <linux/types.h>	/* the host's __u32 and friends */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define __ro_after_init
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))
#endif

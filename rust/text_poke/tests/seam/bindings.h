/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel's bindgen sees for the FFI files, for the host: the
 * interface header with the Rust implementation selected, the C static call
 * header, the EFLAGS bits and the byte-string constants of the tree's
 * rust/bindings/bindings_helper.h (text_poke_consts.h, cut from it by
 * workbench/hosttest.sh).
 */
#define CONFIG_X86_TEXT_POKE_RUST 1
#include <linux/errno.h>
#include <uapi/asm/processor-flags.h>
#include <asm/text-poke-insn.h>
#include <asm/static_call_insn.h>
#include "text_poke_consts.h"

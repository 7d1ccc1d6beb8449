// SPDX-License-Identifier: GPL-2.0
/*
 * Exports of the Rust text_poke entry points of text_poke_ffi.rs, which has
 * no export mechanism of its own (rust/exports.c covers the crates under
 * rust/). KVM's instruction emulator evaluates conditions with
 * text_poke_cond().
 */
#include <linux/kvm_types.h>
#include <linux/text-patching.h>

EXPORT_SYMBOL_FOR_KVM(text_poke_cond);

// SPDX-License-Identifier: GPL-2.0

//! The INT3 path of the Rust `text_poke` crate: C entry points that run in
//! the INT3 handler.
//!
//! C header: [`arch/x86/include/asm/text-poke-insn.h`]
//!
//! The INT3 handler of `alternative.c` emulates the instruction being
//! written with [`text_poke_emulate`], and kprobes (`int3_emulate_jcc()`) and uprobes
//! evaluate a Jcc's condition with [`text_poke_cond`]. Both are in
//! `.noinstr.text`, and this object is built without KASAN, KCSAN, UBSAN and
//! KCOV: everything they use from the crate is `#[inline(always)]` and
//! compiled here, so nothing instrumented runs on the INT3 path; objtool
//! checks that nothing is called from it. The rest of the crate's entry
//! points are in `text_poke_ffi.rs`, instrumented like any kernel code.
//!
//! [`arch/x86/include/asm/text-poke-insn.h`]: srctree/arch/x86/include/asm/text-poke-insn.h

use kernel::bindings;
use kernel::ffi::{c_int, c_ulong};
use kernel::prelude::*;
use text_poke::{Cond, Emulation, PokeLoc};

/// What the INT3 handler does for a CPU that trapped at `ip`, the start of
/// the range being patched with the compact form (`opcode`, `len`, `disp`),
/// with `flags` in `EFLAGS`.
///
/// # Safety
///
/// None: `#[export]` wants `unsafe`, the function reads nothing but its
/// arguments.
#[export]
#[link_section = ".noinstr.text"]
pub unsafe extern "C" fn text_poke_emulate(
    opcode: u8,
    len: u8,
    disp: i32,
    ip: c_ulong,
    flags: c_ulong,
) -> bindings::text_poke_emu {
    let loc = PokeLoc { opcode, len, disp };
    let (action, target) = match loc.emulate(ip, flags) {
        Some(Emulation::Pass) => (bindings::text_poke_action_TEXT_POKE_PASS, 0),
        Some(Emulation::Jump(t)) => (bindings::text_poke_action_TEXT_POKE_JMP, t),
        Some(Emulation::Call(t)) => (bindings::text_poke_action_TEXT_POKE_CALL, t),
        Some(Emulation::Ret) => (bindings::text_poke_action_TEXT_POKE_RET, 0),
        None => (bindings::text_poke_action_TEXT_POKE_INVALID, 0),
    };
    bindings::text_poke_emu {
        target,
        action: action as c_int,
    }
}

/// Whether condition code `cc` (0-15: the low nibble of a Jcc, SETcc or CMOVcc
/// opcode) holds with `flags` in `EFLAGS`.
///
/// # Safety
///
/// None: `#[export]` wants `unsafe`, the function reads nothing but its
/// arguments.
#[export]
#[link_section = ".noinstr.text"]
pub unsafe extern "C" fn text_poke_cond(flags: c_ulong, cc: u8) -> bool {
    Cond::from_nibble(cc).taken(flags)
}

// SPDX-License-Identifier: GPL-2.0

//! C entry points of the Rust `text_poke` crate for x86 live patching.
//!
//! C header: [`arch/x86/include/asm/text-poke-rs.h`](srctree/arch/x86/include/asm/text-poke-rs.h)
//!
//! `static_call.c` validates and rewrites static call sites through
//! [`text_poke_rs_sc_check`] and [`text_poke_rs_sc_transform`];
//! `text_poke_bp()` classifies what it writes with [`text_poke_rs_loc_init`]
//! and its INT3 handler emulates it with [`text_poke_rs_emulate`]; kprobes
//! evaluates Jcc conditions with [`text_poke_rs_cond`]. C keeps the text
//! writes, the CPU synchronisation and the locking: these functions only read
//! instruction bytes and compute.
//!
//! The two INT3-path functions live in `.noinstr.text` and everything they use
//! from the crate is `#[inline(always)]`, so nothing instrumentable runs there.
//! `c_ulong` is `u64`: this file is built for x86-64 only.

use core::ffi::{c_char, c_int, c_uint, c_ulong};
use core::sync::atomic::{AtomicI64, Ordering};
use text_poke::emulate::Emulation;
use text_poke::insn::MAX_LEN;
use text_poke::static_call::{self, SiteType, StaticCallEnv};
use text_poke::{Cond, Error, Insn, PokeLoc};

/// `struct text_poke_rs_site`: what [`text_poke_rs_sc_check`] found.
#[repr(C)]
pub struct TextPokeRsSite {
    /// What the site must hold, for the error message (static string).
    pub expected: *const c_char,
    /// The mnemonic of a Jcc.d32 conditional tail call site, else NULL.
    pub jcc: *const c_char,
    /// The branch target of a Jcc.d32 site, else 0.
    pub target: c_ulong,
    /// How many bytes were examined, for printing them.
    pub len: c_uint,
}

/// `struct text_poke_rs_sc_env`: see [`StaticCallEnv`].
#[repr(C)]
pub struct TextPokeRsScEnv {
    /// The new target, NULL for none.
    pub func: c_ulong,
    /// `__static_call_return0`.
    pub ret0: c_ulong,
    /// `__static_call_return`.
    pub ret: c_ulong,
    /// `x86_return_thunk` if the CPU wants it at this site, else 0.
    pub rethunk_at: c_ulong,
    /// `x86_return_thunk` if the CPU wants it at all, else 0.
    pub rethunk: c_ulong,
}

/// `struct text_poke_rs_patch`: the bytes to write and, when `emulate_len` is
/// not 0, the instruction to emulate while writing them.
#[repr(C)]
pub struct TextPokeRsPatch {
    /// The new instruction, `len` bytes.
    pub code: [u8; MAX_LEN],
    /// Length of `code`.
    pub len: u8,
    /// Length of `emulate`, 0 when `code` is emulated as it is.
    pub emulate_len: u8,
    /// The instruction that stands for `code` under INT3.
    pub emulate: [u8; MAX_LEN],
}

/// `struct text_poke_rs_emu`: what the INT3 handler does.
#[repr(C)]
pub struct TextPokeRsEmu {
    /// The new instruction pointer for `TP_RS_JMP` and `TP_RS_CALL`.
    pub target: c_ulong,
    /// One of the `TP_RS_*` actions.
    pub action: c_int,
}

/// Not ours: an explicit INT3.
const TP_RS_PASS: c_int = 0;
/// Jump to `target`.
const TP_RS_JMP: c_int = 1;
/// Push the return address, jump to `target`.
const TP_RS_CALL: c_int = 2;
/// Pop the return address and jump there.
const TP_RS_RET: c_int = 3;
/// The compact form is corrupt.
const TP_RS_INVALID: c_int = 4;

/// Reads the bytes of a static call site or trampoline that the checks need.
///
/// # Safety
///
/// `insn` must point to readable kernel text: 8 bytes for a trampoline, 6 for
/// a site whose first byte is `0x0f`, else 5.
unsafe fn site_bytes<'a>(insn: *const u8, tramp: bool) -> &'a [u8] {
    // SAFETY: The caller guarantees that at least the first byte is readable.
    let first = unsafe { insn.read() };
    let len = static_call::bytes_needed(first, tramp);
    // SAFETY: `bytes_needed()` returns the length the caller vouches for.
    unsafe { core::slice::from_raw_parts(insn, len) }
}

/// Checks a static call site (`tramp == false`) or trampoline.
///
/// Returns 0 when it holds a form that the patcher handles, `-EINVAL` when
/// not. Either way `site` says what was examined and what is expected, and
/// names the condition of a Jcc.d32 tail call.
///
/// # Safety
///
/// `insn` must point to readable kernel text as [`site_bytes`] requires,
/// `site` to writable memory for a `struct text_poke_rs_site`.
#[no_mangle]
pub unsafe extern "C" fn text_poke_rs_sc_check(
    insn: *const u8,
    tail: bool,
    tramp: bool,
    site: *mut TextPokeRsSite,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { site_bytes(insn, tramp) };
    let result = static_call::validate(bytes, tail, tramp);
    let (jcc, target) = match result {
        Ok(jcc @ Insn::Jcc32(c, _)) => {
            (c.mnemonic().as_ptr(), jcc.target(insn as u64).unwrap_or(0))
        }
        _ => (core::ptr::null(), 0),
    };
    // SAFETY: `site` is writable by the caller's contract.
    unsafe {
        site.write(TextPokeRsSite {
            expected: static_call::expected(tail, tramp).as_ptr(),
            jcc,
            target,
            // At most `TRAMP_LEN` bytes.
            len: bytes.len() as c_uint,
        })
    };
    match result {
        Ok(_) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Computes the bytes that make the static call site or trampoline at `insn`
/// do `type` (`enum insn_type`: CALL, NOP, JMP, RET) with the target in `env`.
/// A Jcc.d32 tail call keeps its condition.
///
/// Returns 0 and fills `patch`, `-EINVAL` for a site or type that the patcher
/// does not handle, `-ERANGE` when the target is out of reach. Nothing is
/// written on error.
///
/// # Safety
///
/// `insn` must point to readable kernel text as [`site_bytes`] requires for a
/// site; `env` must point to a valid `struct text_poke_rs_sc_env` and `patch`
/// to writable memory for a `struct text_poke_rs_patch`.
#[no_mangle]
pub unsafe extern "C" fn text_poke_rs_sc_transform(
    insn: *const u8,
    ty: c_uint,
    env: *const TextPokeRsScEnv,
    patch: *mut TextPokeRsPatch,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { site_bytes(insn, false) };
    // SAFETY: `env` is valid by the caller's contract.
    let env = unsafe { &*env };
    let env = StaticCallEnv {
        func: env.func,
        ret0: env.ret0,
        ret: env.ret,
        rethunk_at: env.rethunk_at,
        rethunk: env.rethunk,
    };
    let result = match (SiteType::from_raw(ty), Insn::decode(bytes)) {
        (Some(ty), Ok(cur)) => static_call::transform(insn as u64, &cur, ty, &env),
        (None, _) => Err(Error::Unexpected),
        (_, Err(e)) => Err(e),
    };
    match result {
        Ok(p) => {
            let emulate = p.emulate.unwrap_or(p.code);
            // SAFETY: `patch` is writable by the caller's contract.
            unsafe {
                patch.write(TextPokeRsPatch {
                    code: p.code.padded(),
                    len: p.code.len() as u8,
                    emulate_len: if p.emulate.is_some() {
                        emulate.len() as u8
                    } else {
                        0
                    },
                    emulate: emulate.padded(),
                })
            };
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// Classifies the `len` bytes at `text` that `text_poke_bp()` is about to
/// write, emulated meanwhile as the instruction at `emulate`, into the compact
/// form of `struct text_poke_loc`.
///
/// Returns 0, or `-EINVAL` for bytes that cannot be emulated.
///
/// # Safety
///
/// `text` and `emulate` must point to `len` readable bytes; `opcode` and
/// `disp` must be writable.
#[no_mangle]
pub unsafe extern "C" fn text_poke_rs_loc_init(
    text: *const u8,
    emulate: *const u8,
    len: c_uint,
    opcode: *mut u8,
    disp: *mut i32,
) -> c_int {
    if len == 0 || len as usize > MAX_LEN {
        return Error::Unexpected.to_errno();
    }
    // SAFETY: Both point to `len` readable bytes by the caller's contract.
    let (text, emulate) = unsafe {
        (
            core::slice::from_raw_parts(text, len as usize),
            core::slice::from_raw_parts(emulate, len as usize),
        )
    };
    match PokeLoc::new(text, emulate) {
        Ok(loc) => {
            // SAFETY: Both are writable by the caller's contract.
            unsafe {
                opcode.write(loc.opcode);
                disp.write(loc.disp);
            }
            0
        }
        Err(e) => e.to_errno(),
    }
}

/// `atomic64_t text_poke_rs_traps`: how many INT3 traps
/// [`text_poke_rs_emulate`] has resolved since boot, for tests that must know
/// that they hit the patching window. One uninstrumented `lock xadd` per trap.
#[export_name = "text_poke_rs_traps"]
pub static TEXT_POKE_RS_TRAPS: AtomicI64 = AtomicI64::new(0);

/// What the INT3 handler does for a CPU that trapped at `addr`, the start of
/// the range being patched with the compact form (`opcode`, `len`, `disp`),
/// with `flags` in `EFLAGS`.
#[no_mangle]
#[link_section = ".noinstr.text"]
pub extern "C" fn text_poke_rs_emulate(
    opcode: u8,
    len: u8,
    disp: i32,
    addr: c_ulong,
    flags: c_ulong,
) -> TextPokeRsEmu {
    let loc = PokeLoc { opcode, len, disp };
    let (action, target) = match loc.emulate(addr, flags) {
        Some(Emulation::Pass) => (TP_RS_PASS, 0),
        Some(Emulation::Jump(t)) => (TP_RS_JMP, t),
        Some(Emulation::Call(t)) => (TP_RS_CALL, t),
        Some(Emulation::Ret) => (TP_RS_RET, 0),
        None => (TP_RS_INVALID, 0),
    };
    if action != TP_RS_PASS {
        TEXT_POKE_RS_TRAPS.fetch_add(1, Ordering::Relaxed);
    }
    TextPokeRsEmu { target, action }
}

/// Whether a Jcc with condition code `cc` (low nibble) is taken with `flags`
/// in `EFLAGS`.
#[no_mangle]
#[link_section = ".noinstr.text"]
pub extern "C" fn text_poke_rs_cond(cc: u8, flags: c_ulong) -> bool {
    Cond::from_nibble(cc).taken(flags)
}

// SPDX-License-Identifier: GPL-2.0

//! C entry points of the Rust `text_poke` crate for x86 runtime text patching.
//!
//! C header: [`arch/x86/include/asm/text-poke-insn.h`]
//!
//! With `CONFIG_X86_TEXT_POKE_RUST` these implement the text patching
//! decisions that the header declares, in place of the C ones of
//! `<asm/static_call_insn.h>` and `<asm/text-poke-insn-c.h>`: `static_call.c`
//! checks and rewrites static call sites through [`text_poke_sc_check`] and
//! [`text_poke_rs_sc_patch`]; `smp_text_poke_batch_add()` records what it
//! writes with [`text_poke_classify`] and its INT3 handler emulates it with
//! [`text_poke_emulate`]. The header's `text_poke_cond()` is
//! [`text_poke_cond`]: kprobes (`int3_emulate_jcc()`) and uprobes emulate a
//! Jcc with it, and KVM's instruction emulator, where it calls it, evaluates
//! conditions with it. C keeps the text writes, the CPU synchronisation and
//! the locking: these functions only read instruction bytes and compute.
//!
//! The two INT3-path functions live in `.noinstr.text` and everything they use
//! from the crate is `#[inline(always)]`, so nothing instrumentable runs there.
//! This file is built for x86-64 only: `c_ulong` and addresses are 64 bits.
//!
//! [`arch/x86/include/asm/text-poke-insn.h`]: srctree/arch/x86/include/asm/text-poke-insn.h

use core::mem::{offset_of, size_of};
use kernel::ffi::{c_char, c_int, c_uint, c_ulong};
use text_poke::emulate::Emulation;
use text_poke::insn::MAX_LEN;
use text_poke::static_call::{self, SiteType, StaticCallEnv};
use text_poke::{Cond, Error, Insn, PokeLoc};

/// `struct text_poke_sc_site`: what [`text_poke_sc_check`] examined.
#[repr(C)]
pub struct TextPokeScSite {
    /// What the site must hold, for the error message (static string).
    pub expected: *const c_char,
    /// How many bytes were examined, for printing them.
    pub len: c_uint,
}

/// `struct text_poke_sc_env`: see [`StaticCallEnv`].
#[repr(C)]
pub struct TextPokeScEnv {
    /// The new target, NULL for none; call-thunk translated for a call.
    pub func: c_ulong,
    /// `__static_call_return0`.
    pub ret0: c_ulong,
    /// `__WARN_trap`, 0 where the kernel has none.
    pub warn: c_ulong,
    /// The native spinlock unlock, 0 without `PARAVIRT_SPINLOCKS`.
    pub unlock: c_ulong,
    /// `__static_call_return`.
    pub ret: c_ulong,
    /// `x86_return_thunk` if the CPU wants it at this site, else 0.
    pub rethunk_at: c_ulong,
    /// `x86_return_thunk` if the CPU wants it at all, else 0.
    pub rethunk: c_ulong,
}

/// `struct text_poke_sc_patch`: the bytes to write and, when `emulate` is not
/// NULL, the instruction to emulate while writing them.
#[repr(C)]
pub struct TextPokeScPatch {
    /// The new instruction, `len` bytes (points to `buf`).
    pub code: *const u8,
    /// The instruction that stands for `code` under INT3 (points to `ebuf`),
    /// or NULL.
    pub emulate: *const u8,
    /// Length of `code`.
    pub len: c_int,
    /// Storage for `code`.
    pub buf: [u8; MAX_LEN],
    /// Storage for `emulate`.
    pub ebuf: [u8; MAX_LEN],
}

/// `struct text_poke_emu`: what the INT3 handler does.
#[repr(C)]
pub struct TextPokeEmu {
    /// The new instruction pointer for `TEXT_POKE_JMP` and `TEXT_POKE_CALL`.
    pub target: c_ulong,
    /// One of `enum text_poke_action`.
    pub action: c_int,
}

// The layouts of these structs in `<asm/text-poke-insn.h>` on x86-64, which
// asserts the same numbers on its side.
const _: () = {
    assert!(size_of::<TextPokeScSite>() == 16 && offset_of!(TextPokeScSite, len) == 8);
    assert!(size_of::<TextPokeScEnv>() == 56 && offset_of!(TextPokeScEnv, rethunk) == 48);
    assert!(offset_of!(TextPokeScEnv, warn) == 16 && offset_of!(TextPokeScEnv, ret) == 32);
    assert!(size_of::<TextPokeScPatch>() == 32 && offset_of!(TextPokeScPatch, len) == 16);
    assert!(offset_of!(TextPokeScPatch, buf) == 20 && offset_of!(TextPokeScPatch, ebuf) == 26);
    assert!(size_of::<TextPokeEmu>() == 16 && offset_of!(TextPokeEmu, action) == 8);
};

/// `enum text_poke_action`: not ours, an explicit INT3.
const TEXT_POKE_PASS: c_int = 0;
/// Jump to `target`.
const TEXT_POKE_JMP: c_int = 1;
/// Push the return address, jump to `target`.
const TEXT_POKE_CALL: c_int = 2;
/// Pop the return address and jump there.
const TEXT_POKE_RET: c_int = 3;
/// The compact form is corrupt: the caller `BUG()`s.
const TEXT_POKE_INVALID: c_int = 4;

/// Reads the bytes of a static call site or trampoline that the checks need.
///
/// # Safety
///
/// `insn` must point to readable kernel text: 8 bytes for a trampoline, 6 for
/// a site that holds a Jcc.d32 (`0f 8x`), else 5; the text must not change
/// while the returned slice is used.
unsafe fn site_bytes(insn: *const u8, tramp: bool) -> &'static [u8] {
    // SAFETY: The caller guarantees that at least 5 bytes are readable.
    let head = unsafe { [insn.read(), insn.add(1).read()] };
    let len = static_call::bytes_needed(head, tramp);
    // SAFETY: `bytes_needed()` returns the length the caller vouches for.
    unsafe { core::slice::from_raw_parts(insn, len) }
}

/// Checks a static call site (`tramp == false`) or trampoline.
///
/// Returns 0 when it holds a form that the patcher handles, `-EINVAL` when
/// not. Either way `site` says what was examined and what is expected.
///
/// # Safety
///
/// `insn` must point to readable kernel text as [`site_bytes`] requires,
/// `site` to writable memory for a `struct text_poke_sc_site`.
#[no_mangle]
pub unsafe extern "C" fn text_poke_sc_check(
    insn: *const u8,
    tail: bool,
    tramp: bool,
    site: *mut TextPokeScSite,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { site_bytes(insn, tramp) };
    // SAFETY: `site` is writable by the caller's contract.
    unsafe {
        site.write(TextPokeScSite {
            expected: static_call::expected(tail, tramp)
                .to_bytes_with_nul()
                .as_ptr(),
            // At most `TRAMP_LEN` bytes.
            len: bytes.len() as c_uint,
        })
    };
    match static_call::validate(bytes, tail, tramp) {
        Ok(_) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Computes the bytes that make the static call site or trampoline at `insn`
/// do `ty` (`enum text_poke_sc_type`) with the target in `env`. A Jcc.d32
/// tail call keeps its condition.
///
/// Returns 0 and fills `patch`, `-EINVAL` for a site or type that the patcher
/// does not handle, `-ERANGE` when the target is out of reach. Nothing is
/// filled on error.
///
/// # Safety
///
/// `insn` must point to readable kernel text as [`site_bytes`] requires for a
/// site; `env` must point to a valid `struct text_poke_sc_env` and `patch`
/// to writable memory for a `struct text_poke_sc_patch`, which must stay
/// where it is while its `code` and `emulate` are used.
#[no_mangle]
pub unsafe extern "C" fn text_poke_rs_sc_patch(
    insn: *const u8,
    ty: c_uint,
    env: *const TextPokeScEnv,
    patch: *mut TextPokeScPatch,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { site_bytes(insn, false) };
    // SAFETY: `env` is valid by the caller's contract.
    let env = unsafe { &*env };
    let env = StaticCallEnv {
        func: env.func as u64,
        ret0: env.ret0 as u64,
        warn: env.warn as u64,
        unlock: env.unlock as u64,
        ret: env.ret as u64,
        rethunk_at: env.rethunk_at as u64,
        rethunk: env.rethunk as u64,
    };
    let result = match (SiteType::from_raw(ty), Insn::decode(bytes)) {
        (Some(ty), Ok(cur)) => static_call::transform(insn as u64, &cur, ty, &env),
        (None, _) => Err(Error::Unexpected),
        (_, Err(e)) => Err(e),
    };
    let p = match result {
        Ok(p) => p,
        Err(e) => return e.to_errno(),
    };
    // SAFETY: `patch` is writable by the caller's contract.
    unsafe {
        patch.write(TextPokeScPatch {
            code: core::ptr::null(),
            emulate: core::ptr::null(),
            len: p.code.len() as c_int,
            buf: p.code.padded(),
            ebuf: p.emulate.map_or([0; MAX_LEN], |e| e.padded()),
        })
    };
    // SAFETY: `patch` was initialised just above and stays where it is.
    let out = unsafe { &mut *patch };
    out.code = out.buf.as_ptr();
    if p.emulate.is_some() {
        out.emulate = out.ebuf.as_ptr();
    }
    0
}

/// Classifies what `smp_text_poke_batch_add()` is about to write: `len`
/// bytes, stored at `text` without the `0x0f` of a Jcc.d32 (length 6), and
/// emulated meanwhile as the instruction at `emulate`. Fills the compact form
/// of `struct smp_text_poke_loc`.
///
/// Returns 0, or `-EINVAL` for bytes that cannot be emulated.
///
/// # Safety
///
/// `text` must point to `len` readable bytes, or 5 when `len` is 6;
/// `emulate` to `len` readable bytes; `opcode` and `disp` must be valid for
/// writes. None of them may be NULL.
#[no_mangle]
pub unsafe extern "C" fn text_poke_classify(
    text: *const u8,
    emulate: *const u8,
    len: c_uint,
    opcode: *mut u8,
    disp: *mut i32,
) -> c_int {
    let len = len as usize;
    if len == 0 || len > MAX_LEN {
        return Error::Unexpected.to_errno();
    }
    // The bytes as written: put back the 0x0f that a Jcc.d32 is stored
    // without.
    let mut code = [0u8; MAX_LEN];
    let skip = usize::from(len == MAX_LEN);
    code[0] = 0x0f;
    // SAFETY: `text` points to `len - skip` readable bytes and `emulate` to
    // `len` by the caller's contract; `code` has room for `len` bytes.
    let emulate = unsafe {
        core::ptr::copy_nonoverlapping(text, code.as_mut_ptr().add(skip), len - skip);
        core::slice::from_raw_parts(emulate, len)
    };
    match PokeLoc::new(&code[..len], emulate) {
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

#[cfg(CONFIG_X86_TEXT_POKE_RUST_KUNIT_TEST)]
extern "C" {
    /// Counts one trap that [`text_poke_emulate`] resolved, on this CPU, for
    /// the text poking tests that must know that they hit the patching
    /// window. A `noinstr` function of the KUnit test: kernels without the
    /// test neither count nor call anything.
    fn text_poke_rs_count_trap();
}

/// What the INT3 handler does for a CPU that trapped at `ip`, the start of
/// the range being patched with the compact form (`opcode`, `len`, `disp`),
/// with `flags` in `EFLAGS`.
#[no_mangle]
#[link_section = ".noinstr.text"]
pub extern "C" fn text_poke_emulate(
    opcode: u8,
    len: u8,
    disp: i32,
    ip: c_ulong,
    flags: c_ulong,
) -> TextPokeEmu {
    let loc = PokeLoc { opcode, len, disp };
    let (action, target) = match loc.emulate(ip as u64, flags as u64) {
        Some(Emulation::Pass) => (TEXT_POKE_PASS, 0),
        Some(Emulation::Jump(t)) => (TEXT_POKE_JMP, t),
        Some(Emulation::Call(t)) => (TEXT_POKE_CALL, t),
        Some(Emulation::Ret) => (TEXT_POKE_RET, 0),
        None => (TEXT_POKE_INVALID, 0),
    };
    #[cfg(CONFIG_X86_TEXT_POKE_RUST_KUNIT_TEST)]
    if action != TEXT_POKE_PASS {
        // SAFETY: A `noinstr` C function without arguments or preconditions.
        unsafe { text_poke_rs_count_trap() };
    }
    TextPokeEmu {
        target: target as c_ulong,
        action,
    }
}

/// Whether condition code `cc` (0-15: the low nibble of a Jcc, SETcc or CMOVcc
/// opcode) holds with `flags` in `EFLAGS`.
#[no_mangle]
#[link_section = ".noinstr.text"]
pub extern "C" fn text_poke_cond(flags: c_ulong, cc: u8) -> bool {
    Cond::from_nibble(cc).taken(flags as u64)
}

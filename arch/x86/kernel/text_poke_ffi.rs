// SPDX-License-Identifier: GPL-2.0

//! C entry points of the Rust `text_poke` crate for x86 runtime text patching.
//!
//! C header: [`arch/x86/include/asm/text-poke-insn.h`]
//!
//! With `CONFIG_X86_TEXT_POKE_RUST` these implement the static call and
//! text poking decisions that the header declares, in place of the C ones of
//! `<asm/static_call_insn.h>` and `<asm/text-poke-insn-c.h>`: the static call
//! code checks and rewrites sites through [`text_poke_sc_check`] and
//! [`text_poke_rs_sc_patch`], and the batch writer of `alternative.c` records
//! what it writes with [`text_poke_classify`]. The two functions of the INT3
//! path are in `text_poke_int3.rs`, an object built without instrumentation.
//! C keeps the text writes, the CPU synchronisation and the locking: these
//! functions only read instruction bytes and compute.
//!
//! The types and prototypes are those that bindgen generates from the header,
//! and `#[export]` checks each function against its prototype. The crate
//! keeps its own copies of the byte strings and flag bits that it compares
//! with, so that it builds and is tested on the host; the assertions below
//! make the kernel build fail if one of them is not what C uses.
//!
//! [`arch/x86/include/asm/text-poke-insn.h`]: srctree/arch/x86/include/asm/text-poke-insn.h

use kernel::bindings;
use kernel::ffi::{c_int, c_uint};
use kernel::prelude::*;
use text_poke::insn::{self as x86, MAX_LEN};
use text_poke::static_call::{self, SiteType, StaticCallEnv, TRAMP_LEN, TRAMP_UD};
use text_poke::{cond, Error, Insn, PokeLoc};

/// `bytes` as a little-endian integer: how the byte strings of C reach Rust
/// as constants (`RUST_CONST_HELPER_TEXT_POKE_*`).
const fn le(bytes: &[u8]) -> u64 {
    let mut v = 0;
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        v = v << 8 | bytes[i] as u64;
    }
    v
}

/// Whether C's byte string `c` (0: this kernel does not write the form) is the
/// crate's `bytes`.
const fn same(bytes: &[u8], c: u64) -> bool {
    c == 0 || c == le(bytes)
}

// What the crate compares with is what C writes and compares with. Its
// decoder matches these constants.
const _: () = {
    assert!(le(&x86::NOP2) == bindings::TEXT_POKE_NOP2);
    assert!(le(&x86::NOP5) == bindings::TEXT_POKE_NOP5);
    assert!(le(&x86::XOR5RAX) == bindings::TEXT_POKE_XOR5RAX);
    assert!(le(&TRAMP_UD) == bindings::TEXT_POKE_TRAMP_UD);
    assert!(same(&x86::WARNINSN, bindings::TEXT_POKE_WARNINSN));
    assert!(same(&x86::UNLOCKINSN, bindings::TEXT_POKE_UNLOCKINSN));
    assert!(cond::EFLAGS_CF == 1 << bindings::X86_EFLAGS_CF_BIT);
    assert!(cond::EFLAGS_PF == 1 << bindings::X86_EFLAGS_PF_BIT);
    assert!(cond::EFLAGS_ZF == 1 << bindings::X86_EFLAGS_ZF_BIT);
    assert!(cond::EFLAGS_SF == 1 << bindings::X86_EFLAGS_SF_BIT);
    assert!(cond::EFLAGS_OF == 1 << bindings::X86_EFLAGS_OF_BIT);
};

/// The crate's name for `enum text_poke_sc_type` `ty`, if it is one.
fn site_type(ty: c_uint) -> Option<SiteType> {
    match ty {
        bindings::text_poke_sc_type_TEXT_POKE_SC_CALL => Some(SiteType::Call),
        bindings::text_poke_sc_type_TEXT_POKE_SC_NOP => Some(SiteType::Nop),
        bindings::text_poke_sc_type_TEXT_POKE_SC_JMP => Some(SiteType::Jmp),
        bindings::text_poke_sc_type_TEXT_POKE_SC_RET => Some(SiteType::Ret),
        _ => None,
    }
}

/// The negative errno that C receives for `e`.
fn errno(e: Error) -> c_int {
    let errno = match e {
        // Nothing was encoded: the target is out of reach.
        Error::OutOfRange => bindings::ERANGE,
        // The bytes are not what they must be.
        Error::Truncated | Error::Unknown | Error::Unexpected | Error::TrampolineSignature => {
            bindings::EINVAL
        }
    };
    -(errno as c_int)
}

/// A copy of the bytes of a static call site or trampoline that the checks
/// read: the decisions are taken on the copy, not on kernel text.
struct SiteBytes {
    buf: [u8; TRAMP_LEN],
    len: usize,
}

impl SiteBytes {
    /// Copies the bytes at `insn`: 8 for a trampoline, 6 for a site that
    /// holds a Jcc.d32 (`0f 8x`), else 5.
    ///
    /// # Safety
    ///
    /// `insn` must point to that many readable bytes, which nothing writes
    /// meanwhile (the caller holds `text_mutex`).
    unsafe fn read(insn: *const u8, tramp: bool) -> Self {
        let mut buf = [0; TRAMP_LEN];
        // SAFETY: A site has at least 5 readable bytes by the caller's
        // contract, so the first 2 are; nothing writes them meanwhile.
        unsafe { core::ptr::copy_nonoverlapping(insn, buf.as_mut_ptr(), 2) };
        let len = static_call::bytes_needed([buf[0], buf[1]], tramp);
        // SAFETY: `bytes_needed()` asks for at most `TRAMP_LEN` bytes, the
        // length that the caller vouches for given the first two; `buf` has
        // room for them. Nothing writes them meanwhile.
        unsafe {
            core::ptr::copy_nonoverlapping(
                insn.add(2),
                buf.as_mut_ptr().add(2),
                len.saturating_sub(2),
            )
        };
        Self { buf, len }
    }

    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Checks a static call site (`tramp == false`) or trampoline.
///
/// Returns 0 when it holds a form that the patcher handles, `-EINVAL` when
/// not. Either way `site` says what was examined and what is expected.
///
/// # Safety
///
/// `insn` must point to kernel text as [`SiteBytes::read`] requires, `site`
/// to writable memory for a `struct text_poke_sc_site`.
#[export]
pub unsafe extern "C" fn text_poke_sc_check(
    insn: *const u8,
    tail: bool,
    tramp: bool,
    site: *mut bindings::text_poke_sc_site,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { SiteBytes::read(insn, tramp) };
    // SAFETY: `site` is writable by the caller's contract.
    unsafe {
        site.write(bindings::text_poke_sc_site {
            expected: static_call::expected(tail, tramp)
                .to_bytes_with_nul()
                .as_ptr(),
            // At most `TRAMP_LEN` bytes.
            len: bytes.len as c_uint,
        })
    };
    match static_call::validate(bytes.as_slice(), tail, tramp) {
        Ok(_) => 0,
        Err(e) => errno(e),
    }
}

/// Computes the bytes that make the static call site at `insn` do `ty`
/// (`enum text_poke_sc_type`) with the target in `env`. A Jcc.d32 tail call
/// keeps its condition.
///
/// Returns 0 and fills `patch`, `-EINVAL` for a site or type that the patcher
/// does not handle, `-ERANGE` when the target is out of reach. Nothing is
/// filled on error.
///
/// # Safety
///
/// `insn` must point to kernel text as [`SiteBytes::read`] requires for a
/// site; `env` must point to a valid `struct text_poke_sc_env` and
/// `patch` to writable memory for a `struct text_poke_sc_patch`, which must
/// stay where it is while its `code` and `emulate` are used.
#[export]
pub unsafe extern "C" fn text_poke_rs_sc_patch(
    insn: *const u8,
    ty: c_uint,
    env: *const bindings::text_poke_sc_env,
    patch: *mut bindings::text_poke_sc_patch,
) -> c_int {
    // SAFETY: Forwarded from the caller's contract.
    let bytes = unsafe { SiteBytes::read(insn, false) };
    // SAFETY: `env` is valid by the caller's contract.
    let env = unsafe { &*env };
    let env = StaticCallEnv {
        func: env.func,
        ret0: env.ret0,
        warn: env.warn,
        unlock: env.unlock,
        ret: env.ret,
        rethunk_at: env.rethunk_at,
        rethunk: env.rethunk,
    };
    let result = match (site_type(ty), Insn::decode(bytes.as_slice())) {
        (Some(ty), Ok(cur)) => static_call::transform(insn.addr(), &cur, ty, &env),
        (None, _) => Err(Error::Unexpected),
        (_, Err(e)) => Err(e),
    };
    let p = match result {
        Ok(p) => p,
        Err(e) => return errno(e),
    };
    // SAFETY: `patch` is writable by the caller's contract.
    unsafe {
        patch.write(bindings::text_poke_sc_patch {
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

/// Classifies what the batch writer of `alternative.c` is about to write: `len`
/// bytes, stored at `text` without the `0x0f` of a Jcc.d32 (length 6), and
/// emulated meanwhile as the instruction at `emulate`. Fills the compact form
/// of the location record.
///
/// Returns 0, or `-EINVAL` for bytes that cannot be emulated.
///
/// # Safety
///
/// `text` must point to `len` readable bytes, or 5 when `len` is 6;
/// `emulate` to `len` readable bytes; `opcode` and `disp` must be valid for
/// writes. None of them may be NULL.
#[export]
pub unsafe extern "C" fn text_poke_classify(
    text: *const u8,
    emulate: *const u8,
    len: c_uint,
    opcode: *mut u8,
    disp: *mut i32,
) -> c_int {
    let len = len as usize;
    if len == 0 || len > MAX_LEN {
        return errno(Error::Unexpected);
    }
    // The bytes as written: put back the 0x0f that a Jcc.d32 is stored
    // without.
    let mut code = [0u8; MAX_LEN];
    let mut emu = [0u8; MAX_LEN];
    let skip = usize::from(len == MAX_LEN);
    if skip == 1 {
        code[0] = x86::TWO_BYTE;
    }
    // SAFETY: `text` points to `len - skip` readable bytes and `emulate` to
    // `len` by the caller's contract; `code` and `emu` have room for `len`.
    unsafe {
        core::ptr::copy_nonoverlapping(text, code.as_mut_ptr().add(skip), len - skip);
        core::ptr::copy_nonoverlapping(emulate, emu.as_mut_ptr(), len);
    }
    match PokeLoc::new(&code[..len], &emu[..len]) {
        Ok(loc) => {
            // SAFETY: Both are writable by the caller's contract.
            unsafe {
                opcode.write(loc.opcode);
                disp.write(loc.disp);
            }
            0
        }
        Err(e) => errno(e),
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Inline static calls: which sites can be patched, and into what.
//!
//! A static call site is the instruction that objtool recorded in
//! `.static_call_sites`: a CALL (or the NOP, XOR, `__WARN_trap` or unlock form
//! it was patched to) for a plain call, and for a tail call a JMP, a RET or,
//! since clang emits them, a conditional tail call `jcc.d32 __SCT__key`. A
//! trampoline is a JMP or RET followed by the `ud1 %esp,%ecx` signature. The
//! patcher keeps each site's form and changes only its target; a Jcc keeps
//! its condition.

use crate::insn::{Code, Insn, MAX_LEN, XOR5RAX};
use crate::Error;

/// The `ud1 %esp,%ecx` that follows the first instruction of a trampoline.
pub const TRAMP_UD: [u8; 3] = [0x0f, 0xb9, 0xcc];

/// Bytes a trampoline is checked against: its instruction and the signature.
pub const TRAMP_LEN: usize = 8;

/// What the C patcher asks for (`enum text_poke_sc_type`, computed
/// by `__sc_insn()` from whether the site is a tail call and the target NULL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SiteType {
    /// A call with a target.
    Call,
    /// A call with a NULL target.
    Nop,
    /// A tail call (or trampoline) with a target.
    Jmp,
    /// A tail call (or trampoline) with a NULL target.
    Ret,
}

/// What the patcher needs to know about the kernel that it cannot see in the
/// site's bytes. Addresses are absolute; 0 means "none".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StaticCallEnv {
    /// The new target; for a call already translated past call-depth thunks.
    pub func: usize,
    /// `__static_call_return0`: a call to it becomes [`XOR5RAX`].
    pub ret0: usize,
    /// `__WARN_trap`: a call to it becomes [`WARNINSN`]. 0 where the kernel
    /// does not patch it inline.
    ///
    /// [`WARNINSN`]: crate::insn::WARNINSN
    pub warn: usize,
    /// `__raw_callee_save___native_queued_spin_unlock`: a call to it becomes
    /// [`UNLOCKINSN`]. 0 where the kernel does not patch it inline.
    ///
    /// [`UNLOCKINSN`]: crate::insn::UNLOCKINSN
    pub unlock: usize,
    /// `__static_call_return`, the `ret` that a NULL conditional tail call
    /// jumps to.
    pub ret: usize,
    /// `x86_return_thunk` if the CPU wants it at this site, else 0.
    pub rethunk_at: usize,
    /// `x86_return_thunk` if the CPU wants it at all, else 0.
    pub rethunk: usize,
}

/// The bytes to write, and what to emulate while writing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The new instruction.
    pub code: Code,
    /// The instruction that an INT3 on the site emulates while `code` is
    /// written, when that is not `code` itself.
    pub emulate: Option<Code>,
}

/// What a site or trampoline must contain, for error messages.
#[inline]
pub const fn expected(tail: bool, tramp: bool) -> &'static core::ffi::CStr {
    match (tramp, tail) {
        (true, _) => c"jmp.d32 or ret, then ud1 %esp,%ecx (0f b9 cc)",
        (false, true) => c"jmp.d32, ret or jcc.d32",
        (false, false) => {
            c"call.d32, nopl (0f 1f 44 00 00), xor %eax,%eax (2e 2e 2e 31 c0), \
              ud1 (%edx),%rdi or movb $0,(%rdi) (3e 3e c6 07 00)"
        }
    }
}

/// How many bytes of a site or trampoline that starts with `head` the checks
/// read: 8 for a trampoline, 6 for a Jcc rel32 (`0f 8x`), else 5, as the C
/// checks do. A site has at least 5 bytes, so `head` is always readable.
#[inline]
pub const fn bytes_needed(head: [u8; 2], tramp: bool) -> usize {
    if tramp {
        TRAMP_LEN
    } else if head[0] == crate::insn::TWO_BYTE && head[1] & 0xf0 == 0x80 {
        MAX_LEN
    } else {
        5
    }
}

/// Checks a site (`tramp == false`) or trampoline and returns its current
/// instruction.
///
/// A non-tail site may hold any form that [`transform`] writes there:
/// CALL, the 5-byte NOP, [`XOR5RAX`], [`WARNINSN`] or [`UNLOCKINSN`], the
/// last two whether or not this kernel writes them (there is no env here).
/// They are never valid at a tail site or in a trampoline.
///
/// [`WARNINSN`]: crate::insn::WARNINSN
/// [`UNLOCKINSN`]: crate::insn::UNLOCKINSN
///
/// # Examples
///
/// ```
/// use text_poke::{static_call::validate, Cond, Error, Insn};
///
/// let site = [0x0f, 0x85, 0, 0, 0, 0];
/// assert_eq!(validate(&site, true, false), Ok(Insn::Jcc32(Cond::Ne, 0)));
/// assert_eq!(validate(&site, false, false), Err(Error::Unexpected));
/// let tramp = [0xe9, 0, 0, 0, 0, 0x0f, 0xb9, 0xcc];
/// assert_eq!(validate(&tramp, true, true), Ok(Insn::Jmp32(0)));
/// ```
#[inline]
pub fn validate(bytes: &[u8], tail: bool, tramp: bool) -> Result<Insn, Error> {
    if tramp && bytes.get(5..TRAMP_LEN) != Some(&TRAMP_UD[..]) {
        return Err(Error::TrampolineSignature);
    }
    let insn = Insn::decode(bytes)?;
    match (tail, insn) {
        (true, Insn::Jmp32(_) | Insn::Ret) => Ok(insn),
        (true, Insn::Jcc32(..)) if !tramp => Ok(insn),
        (false, Insn::Call(_) | Insn::Nop5 | Insn::Xor5Rax | Insn::Warn5 | Insn::Unlock5)
            if !tramp =>
        {
            Ok(insn)
        }
        _ => Err(Error::Unexpected),
    }
}

/// The patch that makes the site at `addr`, which now holds `cur`, do `ty`
/// with the target in `env`.
///
/// A conditional tail call stays a Jcc with its condition: to `env.func`, or
/// for a NULL target to the return thunk (or `__static_call_return`).
///
/// A call to `env.ret0`, `env.warn` or `env.unlock` (those that are not 0)
/// is written inline as [`XOR5RAX`], [`WARNINSN`] or [`UNLOCKINSN`], with
/// the CALL it stands for as the instruction to emulate under INT3, as
/// the C `__static_call_transform()` does.
///
/// [`WARNINSN`]: crate::insn::WARNINSN
/// [`UNLOCKINSN`]: crate::insn::UNLOCKINSN
///
/// # Examples
///
/// ```
/// use text_poke::static_call::{transform, StaticCallEnv};
/// use text_poke::{Cond, Insn, SiteType};
///
/// let env = StaticCallEnv { func: 0x2000, ret: 0x3000, ..Default::default() };
/// let site = Insn::Jcc32(Cond::Ne, 0);
/// let p = transform(0x1000, &site, SiteType::Jmp, &env).unwrap();
/// assert_eq!(Insn::decode(p.code.as_slice()), Ok(Insn::Jcc32(Cond::Ne, 0xffa)));
/// let p = transform(0x1000, &site, SiteType::Ret, &env).unwrap();
/// assert_eq!(Insn::decode(p.code.as_slice()).unwrap().target(0x1000), Some(0x3000));
/// ```
#[inline]
pub fn transform(
    addr: usize,
    cur: &Insn,
    ty: SiteType,
    env: &StaticCallEnv,
) -> Result<Patch, Error> {
    let plain = |insn: Insn| Patch {
        code: insn.encode(),
        emulate: None,
    };
    let patch = match (ty, *cur) {
        (SiteType::Jmp | SiteType::Ret, Insn::Jcc32(cond, _)) => {
            let target = match (ty, env.rethunk) {
                (SiteType::Jmp, _) => env.func,
                (_, 0) => env.ret,
                (_, thunk) => thunk,
            };
            plain(Insn::jcc32(cond, addr, target)?)
        }
        (SiteType::Call, _) => {
            let call = Insn::call(addr, env.func)?;
            let func = env.func;
            let inline = if func == 0 {
                None
            } else if func == env.ret0 {
                Some(Insn::Xor5Rax)
            } else if func == env.warn {
                Some(Insn::Warn5)
            } else if func == env.unlock {
                Some(Insn::Unlock5)
            } else {
                None
            };
            match inline {
                Some(insn) => Patch {
                    code: insn.encode(),
                    emulate: Some(call.encode()),
                },
                None => plain(call),
            }
        }
        (SiteType::Nop, _) => plain(Insn::Nop5),
        (SiteType::Jmp, _) => plain(Insn::jmp32(addr, env.func)?),
        (SiteType::Ret, _) if env.rethunk_at != 0 => plain(Insn::jmp32(addr, env.rethunk_at)?),
        (SiteType::Ret, _) => Patch {
            code: Insn::Ret.encode().pad_int3(XOR5RAX.len()),
            emulate: None,
        },
    };
    Ok(patch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulate::PokeLoc;
    use crate::insn::{NOP5, UNLOCKINSN, WARNINSN, XOR5RAX};
    use crate::Cond;

    const SITE: usize = 0xffff_ffff_8100_0350;
    const FUNC: usize = 0xffff_ffff_8120_0000;
    const RET0: usize = 0xffff_ffff_8130_0000;
    const RET: usize = 0xffff_ffff_8130_0010;
    const THUNK: usize = 0xffff_ffff_8140_0000;
    const WARN: usize = 0xffff_ffff_8150_0000;
    const UNLOCK: usize = 0xffff_ffff_8160_0000;

    fn env(func: usize, rethunk: bool) -> StaticCallEnv {
        StaticCallEnv {
            func,
            ret0: RET0,
            warn: WARN,
            unlock: UNLOCK,
            ret: RET,
            rethunk_at: if rethunk { THUNK } else { 0 },
            rethunk: if rethunk { THUNK } else { 0 },
        }
    }

    /// Applies a patch the way the batch writer of `alternative.c` would check it.
    fn written(p: &Patch) -> Insn {
        let emulate = p.emulate.unwrap_or(p.code);
        PokeLoc::new(p.code.as_slice(), emulate.as_slice()).expect("text poking accepts it");
        Insn::decode(p.code.as_slice()).unwrap()
    }

    #[test]
    fn validate_every_form() {
        let jcc = |c: Cond| Insn::Jcc32(c, 0x100).encode().padded();
        let five = |c: Code| {
            let mut b = [0xcc; 8];
            b[..c.len()].copy_from_slice(c.as_slice());
            b
        };
        for c in Cond::ALL {
            assert_eq!(validate(&jcc(c), true, false), Ok(Insn::Jcc32(c, 0x100)));
            assert_eq!(validate(&jcc(c), false, false), Err(Error::Unexpected));
        }
        for ok in [
            Insn::Call(1),
            Insn::Nop5,
            Insn::Xor5Rax,
            Insn::Warn5,
            Insn::Unlock5,
        ] {
            assert_eq!(validate(&five(ok.encode()), false, false), Ok(ok));
            assert_eq!(
                validate(&five(ok.encode()), true, false),
                Err(Error::Unexpected)
            );
        }
        for ok in [Insn::Jmp32(1), Insn::Ret] {
            assert_eq!(validate(&five(ok.encode()), true, false), Ok(ok));
            assert_eq!(
                validate(&five(ok.encode()), false, false),
                Err(Error::Unexpected)
            );
        }
        for bad in [
            Insn::Jmp8(1),
            Insn::Jcc8(Cond::E, 1),
            Insn::Int3,
            Insn::Nop2,
        ] {
            assert_eq!(
                validate(&five(bad.encode()), true, false),
                Err(Error::Unexpected)
            );
            assert_eq!(
                validate(&five(bad.encode()), false, false),
                Err(Error::Unexpected)
            );
        }
        assert_eq!(validate(&[0x90; 8], false, false), Err(Error::Unknown));
        assert_eq!(validate(&[0xe8, 0, 0], false, false), Err(Error::Truncated));
    }

    #[test]
    fn validate_trampolines() {
        let mut t = [0xe9, 1, 2, 3, 4, 0x0f, 0xb9, 0xcc];
        assert_eq!(validate(&t, true, true), Ok(Insn::Jmp32(0x0403_0201)));
        t[..5].copy_from_slice(&[0xc3, 0xcc, 0xcc, 0xcc, 0xcc]);
        assert_eq!(validate(&t, true, true), Ok(Insn::Ret));
        t[7] = 0x90;
        assert_eq!(validate(&t, true, true), Err(Error::TrampolineSignature));
        assert_eq!(
            validate(&t[..6], true, true),
            Err(Error::TrampolineSignature)
        );
        // A Jcc is never a trampoline, even with the signature.
        let mut j = [0x0f, 0x85, 0, 0, 0, 0x0f, 0xb9, 0xcc];
        assert_eq!(validate(&j, true, true), Err(Error::Unexpected));
        j[..5].copy_from_slice(&NOP5);
        assert_eq!(validate(&j, true, true), Err(Error::Unexpected));
    }

    #[test]
    fn transform_table() {
        let call = Insn::Call(0);
        for rethunk in [false, true] {
            let e = env(FUNC, rethunk);
            let p = transform(SITE, &call, SiteType::Call, &e).unwrap();
            assert_eq!(written(&p).target(SITE), Some(FUNC));
            let p = transform(SITE, &call, SiteType::Call, &env(RET0, rethunk)).unwrap();
            assert_eq!(p.code.as_slice(), &XOR5RAX);
            assert_eq!(
                Insn::decode(p.emulate.unwrap().as_slice())
                    .unwrap()
                    .target(SITE),
                Some(RET0)
            );
            written(&p);
            let p = transform(SITE, &call, SiteType::Nop, &env(0, rethunk)).unwrap();
            assert_eq!((written(&p), p.code.as_slice()), (Insn::Nop5, &NOP5[..]));
            let jmp = Insn::Jmp32(0);
            let p = transform(SITE, &jmp, SiteType::Jmp, &e).unwrap();
            assert_eq!(written(&p).target(SITE), Some(FUNC));
            let p = transform(SITE, &jmp, SiteType::Ret, &env(0, rethunk)).unwrap();
            if rethunk {
                assert_eq!(written(&p).target(SITE), Some(THUNK));
            } else {
                assert_eq!(p.code.as_slice(), &[0xc3, 0xcc, 0xcc, 0xcc, 0xcc]);
                assert_eq!(written(&p), Insn::Ret);
            }
        }
    }

    #[test]
    fn conditional_tail_calls_keep_their_condition() {
        for c in Cond::ALL {
            let site = Insn::Jcc32(c, 0);
            for (ty, func, rethunk, want) in [
                (SiteType::Jmp, FUNC, false, FUNC),
                (SiteType::Jmp, FUNC, true, FUNC),
                (SiteType::Ret, 0, false, RET),
                (SiteType::Ret, 0, true, THUNK),
            ] {
                let p = transform(SITE, &site, ty, &env(func, rethunk)).unwrap();
                let insn = written(&p);
                assert_eq!(
                    (insn.cond(), insn.target(SITE), insn.len()),
                    (Some(c), Some(want), 6)
                );
            }
        }
    }

    #[test]
    fn warn_and_unlock_forms_are_call_sites_only() {
        for (form, insn) in [(WARNINSN, Insn::Warn5), (UNLOCKINSN, Insn::Unlock5)] {
            let mut site = [0xcc; 8];
            site[..5].copy_from_slice(&form);
            assert_eq!(validate(&site, false, false), Ok(insn));
            assert_eq!(validate(&site[..5], false, false), Ok(insn));
            assert_eq!(validate(&site, true, false), Err(Error::Unexpected));
            assert_eq!(validate(&site[..4], false, false), Err(Error::Truncated));
            // Not a trampoline, with or without the signature.
            assert_eq!(validate(&site, true, true), Err(Error::TrampolineSignature));
            site[5..].copy_from_slice(&TRAMP_UD);
            assert_eq!(validate(&site, true, true), Err(Error::Unexpected));
            assert_eq!(validate(&site, false, true), Err(Error::Unexpected));
        }
        assert!(expected(false, false)
            .to_bytes()
            .windows(3)
            .any(|w| w == b"ud1"));
        assert!(!expected(true, false)
            .to_bytes()
            .windows(3)
            .any(|w| w == b"ud1"));
    }

    #[test]
    fn calls_to_warn_and_unlock_are_written_inline() {
        for rethunk in [false, true] {
            for (func, form, insn) in [
                (WARN, WARNINSN, Insn::Warn5),
                (UNLOCK, UNLOCKINSN, Insn::Unlock5),
            ] {
                // From any call site form, including the other inline ones.
                for cur in [
                    Insn::Call(0),
                    Insn::Nop5,
                    Insn::Xor5Rax,
                    Insn::Warn5,
                    Insn::Unlock5,
                ] {
                    let p = transform(SITE, &cur, SiteType::Call, &env(func, rethunk)).unwrap();
                    assert_eq!(p.code.as_slice(), &form);
                    let emulate = Insn::decode(p.emulate.unwrap().as_slice()).unwrap();
                    assert_eq!(emulate, Insn::call(SITE, func).unwrap());
                    assert_eq!(emulate.target(SITE), Some(func));
                    assert_eq!(written(&p), insn);
                    // What the INT3 handler does meanwhile: call the function.
                    let loc = PokeLoc::new(&form, p.emulate.unwrap().as_slice()).unwrap();
                    assert_eq!(loc.emulate(SITE, 0), Some(crate::Emulation::Call(func)));
                    // Away from it again: a plain call, a NOP.
                    let p = transform(SITE, &insn, SiteType::Call, &env(FUNC, rethunk)).unwrap();
                    assert_eq!((written(&p).target(SITE), p.emulate), (Some(FUNC), None));
                    let p = transform(SITE, &insn, SiteType::Nop, &env(0, rethunk)).unwrap();
                    assert_eq!((written(&p), p.emulate), (Insn::Nop5, None));
                }
                // Tail calls to these functions stay jumps.
                let p =
                    transform(SITE, &Insn::Jmp32(0), SiteType::Jmp, &env(func, rethunk)).unwrap();
                assert_eq!((written(&p).target(SITE), p.emulate), (Some(func), None));
                let p = transform(
                    SITE,
                    &Insn::Jcc32(Cond::Ne, 0),
                    SiteType::Jmp,
                    &env(func, rethunk),
                )
                .unwrap();
                assert_eq!(written(&p).cond(), Some(Cond::Ne));
            }
        }
    }

    #[test]
    fn kernels_without_warn_or_unlock_write_plain_calls() {
        // No unlock form, or no PARAVIRT_SPINLOCKS: the field is 0.
        for func in [WARN, UNLOCK] {
            let e = StaticCallEnv {
                warn: 0,
                unlock: 0,
                ..env(func, false)
            };
            let p = transform(SITE, &Insn::Call(0), SiteType::Call, &e).unwrap();
            assert_eq!(p.emulate, None);
            assert_eq!(written(&p), Insn::call(SITE, func).unwrap());
        }
        // Only the function that is set is inlined.
        let e = StaticCallEnv {
            unlock: 0,
            ..env(WARN, false)
        };
        let p = transform(SITE, &Insn::Call(0), SiteType::Call, &e).unwrap();
        assert_eq!(p.code.as_slice(), &WARNINSN);
        let e = StaticCallEnv {
            unlock: 0,
            ..env(UNLOCK, false)
        };
        let p = transform(SITE, &Insn::Call(0), SiteType::Call, &e).unwrap();
        assert_eq!((written(&p).target(SITE), p.emulate), (Some(UNLOCK), None));
        // Nothing set at all, not even ret0: a call is a call, also to 0.
        let p = transform(
            SITE,
            &Insn::Call(0),
            SiteType::Call,
            &StaticCallEnv::default(),
        )
        .unwrap();
        assert_eq!(p.emulate, None);
        assert_eq!(
            Insn::decode(p.code.as_slice()).unwrap().target(SITE),
            Some(0)
        );
    }

    #[test]
    fn out_of_range_is_an_error() {
        let far = SITE.wrapping_add(1 << 32);
        for (cur, ty) in [
            (Insn::Call(0), SiteType::Call),
            (Insn::Jmp32(0), SiteType::Jmp),
            (Insn::Jcc32(Cond::E, 0), SiteType::Jmp),
        ] {
            assert_eq!(
                transform(SITE, &cur, ty, &env(far, false)),
                Err(Error::OutOfRange)
            );
        }
        let mut e = env(0, true);
        e.rethunk_at = far;
        assert_eq!(
            transform(SITE, &Insn::Ret, SiteType::Ret, &e),
            Err(Error::OutOfRange)
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(bytes_needed([0x0f, 0x85], false), 6);
        assert_eq!(bytes_needed([0x0f, 0x8f], false), 6);
        // A NOP5 is read as 5 bytes, like every other non-Jcc site.
        assert_eq!(bytes_needed([0x0f, 0x1f], false), 5);
        assert_eq!(bytes_needed([0xe8, 0x00], false), 5);
        assert_eq!(bytes_needed([0xe9, 0x00], true), 8);
        assert_ne!(expected(true, false), expected(false, false));
        assert_ne!(expected(true, true), expected(true, false));
    }
}

// SPDX-License-Identifier: GPL-2.0

//! x86 instruction forms for live text patching.
//!
//! C header: [`arch/x86/include/asm/text-poke-insn.h`]
//!
//! The kernel rewrites a handful of instruction forms at run time: static call
//! sites and trampolines, what text poking under INT3 writes; kprobes emulates a
//! probed Jcc with [`Cond::taken`]. This crate knows those forms and nothing
//! else:
//!
//! - [`insn`]: decode and encode CALL, JMP, Jcc (all 16 conditions, rel8 and
//!   rel32), RET, INT3, the 2- and 5-byte NOPs and the three 5-byte forms
//!   that a call site becomes inline: `xor %eax,%eax` with three `cs`
//!   prefixes (`__static_call_return0`), `ud1 (%edx),%rdi` (`__WARN_trap`)
//!   and `movb $0,(%rdi)` with two `ds` prefixes (the native spinlock
//!   unlock); displacements are range checked.
//! - [`cond`]: evaluate a condition code against `EFLAGS`.
//! - [`emulate`]: what an INT3 handler does for the instruction being patched
//!   under it (new instruction pointer, push or pop).
//! - [`static_call`]: classify a static call site or trampoline and compute the
//!   bytes to write for a new target, conditional tail calls included.
//!
//! The crate is `no_std`, allocates nothing and has no panic path: it runs in
//! `static_call_init()` before the console exists and in the INT3 handler.
//! The functions that the INT3 path uses ([`PokeLoc::emulate`],
//! [`Cond::from_nibble`], [`Cond::taken`]) are `#[inline(always)]`, so that
//! they are compiled into the `noinstr` caller and nothing instrumentable runs
//! there; elsewhere the compiler decides. kbuild builds it as a kernel crate, and
//! `make rusttest` runs its unit tests and doctests on the host.
//!
//! [`arch/x86/include/asm/text-poke-insn.h`]: srctree/arch/x86/include/asm/text-poke-insn.h

#![cfg_attr(not(test), no_std)]

pub mod cond;
pub mod emulate;
pub mod insn;
pub mod static_call;

pub use cond::Cond;
pub use emulate::{Emulation, PokeLoc};
pub use insn::{Code, Insn};
pub use static_call::{SiteType, StaticCallEnv};

/// Why an instruction could not be decoded, encoded or patched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Fewer bytes than the instruction needs.
    Truncated,
    /// Not one of the forms this crate handles.
    Unknown,
    /// The target is out of reach of the displacement.
    OutOfRange,
    /// The form is known, but not allowed where it was found.
    Unexpected,
    /// A static call trampoline lacks its `ud1 %esp,%ecx` signature.
    TrampolineSignature,
}

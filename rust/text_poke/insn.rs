// SPDX-License-Identifier: GPL-2.0

//! The instruction forms that text patching reads and writes.
//!
//! Decoding is by exact byte pattern: anything that is not one of these forms
//! is [`Error::Unknown`], never a guess. Displacements are kept as they are in
//! the instruction; [`Insn::target`] turns them into an address.

use crate::{Cond, Error};

/// `int3`.
pub const INT3: u8 = 0xcc;
/// `ret`.
pub const RET: u8 = 0xc3;
/// `call rel32`.
pub const CALL: u8 = 0xe8;
/// `jmp rel32`.
pub const JMP32: u8 = 0xe9;
/// `jmp rel8`.
pub const JMP8: u8 = 0xeb;
/// `jcc rel8` is `JCC8 + cc`.
pub const JCC8: u8 = 0x70;
/// `jcc rel32` is `TWO_BYTE, JCC32 + cc`.
pub const JCC32: u8 = 0x80;
/// The two-byte opcode escape.
pub const TWO_BYTE: u8 = 0x0f;
/// The 2-byte NOP of x86-64 kernels (`x86_nops[2]`): `xchg %ax,%ax`.
pub const NOP2: [u8; 2] = [0x66, 0x90];
/// The 5-byte NOP of x86-64 kernels (`x86_nops[5]`): `nopl 0x0(%rax,%rax,1)`.
pub const NOP5: [u8; 5] = [0x0f, 0x1f, 0x44, 0x00, 0x00];
/// `xor %eax,%eax` with three `cs` prefixes: what a call to
/// `__static_call_return0` becomes.
pub const XOR5RAX: [u8; 5] = [0x2e, 0x2e, 0x2e, 0x31, 0xc0];
/// `ud1 (%edx),%rdi`: what a call to `__WARN_trap` becomes in kernels that
/// patch it inline (the trap handler's `decode_bug()` knows it).
pub const WARNINSN: [u8; 5] = [0x67, 0x48, 0x0f, 0xb9, 0x3a];
/// `movb $0,(%rdi)` with two `ds` prefixes: what a call to the native spinlock unlock,
/// `__raw_callee_save___native_queued_spin_unlock`, becomes with
/// `PARAVIRT_SPINLOCKS` in kernels that patch it inline (x86-64).
pub const UNLOCKINSN: [u8; 5] = [0x3e, 0x3e, 0xc6, 0x07, 0x00];
/// The longest form, Jcc rel32.
pub const MAX_LEN: usize = 6;

/// One decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insn {
    /// `call rel32`.
    Call(i32),
    /// `jmp rel32`.
    Jmp32(i32),
    /// `jmp rel8`.
    Jmp8(i8),
    /// `jcc rel32`.
    Jcc32(Cond, i32),
    /// `jcc rel8`.
    Jcc8(Cond, i8),
    /// `ret`.
    Ret,
    /// `int3`.
    Int3,
    /// The 2-byte NOP.
    Nop2,
    /// The 5-byte NOP.
    Nop5,
    /// `xor %eax,%eax` with three `cs` prefixes, [`XOR5RAX`].
    Xor5Rax,
    /// `ud1 (%edx),%rdi`, [`WARNINSN`]: an inline `__WARN_trap`.
    Warn5,
    /// `movb $0,(%rdi)` with two `ds` prefixes, [`UNLOCKINSN`]: an inline
    /// native spinlock unlock.
    Unlock5,
}

/// Encoded instruction bytes, at most [`MAX_LEN`] of them.
///
/// # Invariants
///
/// `len <= MAX_LEN`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    bytes: [u8; MAX_LEN],
    len: u8,
}

impl Code {
    /// `N` bytes, zero-padded.
    #[inline]
    const fn from_array<const N: usize>(src: [u8; N]) -> Code {
        let mut bytes = [0; MAX_LEN];
        let mut i = 0;
        while i < N && i < MAX_LEN {
            bytes[i] = src[i];
            i = i.wrapping_add(1);
        }
        // INVARIANT: `i` stops at `MAX_LEN` at most.
        Code {
            bytes,
            len: i as u8,
        }
    }

    /// The opcode byte and a little-endian rel32.
    #[inline]
    const fn rel32(op: u8, disp: i32) -> Code {
        let d = disp.to_le_bytes();
        Code::from_array([op, d[0], d[1], d[2], d[3]])
    }

    /// The encoded bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        // `len <= MAX_LEN` by the invariant; the fallback is never taken.
        self.bytes.get(..self.len as usize).unwrap_or(&[])
    }

    /// The bytes padded to [`MAX_LEN`], as the C side wants them.
    #[inline]
    pub const fn padded(&self) -> [u8; MAX_LEN] {
        self.bytes
    }

    /// The number of bytes.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are no bytes (never true for an encoded instruction).
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// This code followed by `INT3` padding up to `len` bytes (for `RET`).
    #[inline]
    pub const fn pad_int3(mut self, len: usize) -> Code {
        while (self.len as usize) < len && (self.len as usize) < MAX_LEN {
            self.bytes[self.len as usize] = INT3;
            self.len = self.len.wrapping_add(1);
        }
        self
    }
}

/// The rel32 displacement from an instruction of `len` bytes at `addr` to
/// `target`, or [`Error::OutOfRange`].
#[inline]
pub const fn rel32(addr: usize, len: usize, target: usize) -> Result<i32, Error> {
    let disp = target.wrapping_sub(addr.wrapping_add(len)) as isize;
    if disp < i32::MIN as isize || disp > i32::MAX as isize {
        return Err(Error::OutOfRange);
    }
    Ok(disp as i32)
}

/// The rel8 displacement from an instruction of `len` bytes at `addr` to
/// `target`, or [`Error::OutOfRange`].
#[inline]
pub const fn rel8(addr: usize, len: usize, target: usize) -> Result<i8, Error> {
    let disp = target.wrapping_sub(addr.wrapping_add(len)) as isize;
    if disp < i8::MIN as isize || disp > i8::MAX as isize {
        return Err(Error::OutOfRange);
    }
    Ok(disp as i8)
}

impl Insn {
    /// `call target` placed at `addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use text_poke::{Error, Insn};
    ///
    /// let call = Insn::call(0x1000, 0x2000)?;
    /// assert_eq!(call.encode().as_slice(), &[0xe8, 0xfb, 0x0f, 0, 0]);
    /// assert_eq!(Insn::call(0, 1 << 40), Err(Error::OutOfRange));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub const fn call(addr: usize, target: usize) -> Result<Insn, Error> {
        match rel32(addr, 5, target) {
            Ok(d) => Ok(Insn::Call(d)),
            Err(e) => Err(e),
        }
    }

    /// `jmp target` (rel32) placed at `addr`.
    #[inline]
    pub const fn jmp32(addr: usize, target: usize) -> Result<Insn, Error> {
        match rel32(addr, 5, target) {
            Ok(d) => Ok(Insn::Jmp32(d)),
            Err(e) => Err(e),
        }
    }

    /// `jmp target` (rel8) placed at `addr`.
    #[inline]
    pub const fn jmp8(addr: usize, target: usize) -> Result<Insn, Error> {
        match rel8(addr, 2, target) {
            Ok(d) => Ok(Insn::Jmp8(d)),
            Err(e) => Err(e),
        }
    }

    /// `j<cond> target` (rel32) placed at `addr`.
    #[inline]
    pub const fn jcc32(cond: Cond, addr: usize, target: usize) -> Result<Insn, Error> {
        match rel32(addr, 6, target) {
            Ok(d) => Ok(Insn::Jcc32(cond, d)),
            Err(e) => Err(e),
        }
    }

    /// `j<cond> target` (rel8) placed at `addr`.
    #[inline]
    pub const fn jcc8(cond: Cond, addr: usize, target: usize) -> Result<Insn, Error> {
        match rel8(addr, 2, target) {
            Ok(d) => Ok(Insn::Jcc8(cond, d)),
            Err(e) => Err(e),
        }
    }

    /// Decodes the instruction at the start of `bytes`.
    ///
    /// Bytes after the instruction are ignored. A prefix of a known form that
    /// is cut short is [`Error::Truncated`]; anything else unknown is
    /// [`Error::Unknown`].
    ///
    /// # Examples
    ///
    /// ```
    /// use text_poke::{Cond, Error, Insn};
    ///
    /// // jne __SCT__amd_pmu_branch_add, before relocation
    /// let jne = Insn::decode(&[0x0f, 0x85, 0xfc, 0xff, 0xff, 0xff])?;
    /// assert_eq!(jne, Insn::Jcc32(Cond::Ne, -4));
    /// assert_eq!(jne.len(), 6);
    /// assert_eq!(jne.target(0x35d), Some(0x35f));
    /// assert_eq!(Insn::decode(&[0x0f, 0x85, 0]), Err(Error::Truncated));
    /// assert_eq!(Insn::decode(&[0x90]), Err(Error::Unknown));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub const fn decode(bytes: &[u8]) -> Result<Insn, Error> {
        match bytes {
            [CALL, a, b, c, d, ..] => Ok(Insn::Call(i32::from_le_bytes([*a, *b, *c, *d]))),
            [JMP32, a, b, c, d, ..] => Ok(Insn::Jmp32(i32::from_le_bytes([*a, *b, *c, *d]))),
            [JMP8, d, ..] => Ok(Insn::Jmp8(*d as i8)),
            [op @ 0x70..=0x7f, d, ..] => Ok(Insn::Jcc8(Cond::from_nibble(*op), *d as i8)),
            [TWO_BYTE, op @ 0x80..=0x8f, a, b, c, d, ..] => Ok(Insn::Jcc32(
                Cond::from_nibble(*op),
                i32::from_le_bytes([*a, *b, *c, *d]),
            )),
            [RET, ..] => Ok(Insn::Ret),
            [INT3, ..] => Ok(Insn::Int3),
            _ if starts_with(bytes, &NOP2) => Ok(Insn::Nop2),
            _ if starts_with(bytes, &NOP5) => Ok(Insn::Nop5),
            _ if starts_with(bytes, &XOR5RAX) => Ok(Insn::Xor5Rax),
            _ if starts_with(bytes, &WARNINSN) => Ok(Insn::Warn5),
            _ if starts_with(bytes, &UNLOCKINSN) => Ok(Insn::Unlock5),
            _ if is_truncated(bytes) => Err(Error::Truncated),
            _ => Err(Error::Unknown),
        }
    }

    /// The length in bytes.
    #[inline]
    pub const fn len(&self) -> usize {
        match self {
            Insn::Ret | Insn::Int3 => 1,
            Insn::Jmp8(_) | Insn::Jcc8(..) | Insn::Nop2 => 2,
            Insn::Call(_)
            | Insn::Jmp32(_)
            | Insn::Nop5
            | Insn::Xor5Rax
            | Insn::Warn5
            | Insn::Unlock5 => 5,
            Insn::Jcc32(..) => 6,
        }
    }

    /// Never true: every form has at least one byte. For clippy's sake.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// The displacement of a relative CALL, JMP or Jcc.
    #[inline]
    pub const fn disp(&self) -> Option<i32> {
        match *self {
            Insn::Call(d) | Insn::Jmp32(d) | Insn::Jcc32(_, d) => Some(d),
            Insn::Jmp8(d) | Insn::Jcc8(_, d) => Some(d as i32),
            _ => None,
        }
    }

    /// The condition of a Jcc.
    #[inline]
    pub const fn cond(&self) -> Option<Cond> {
        match *self {
            Insn::Jcc32(c, _) | Insn::Jcc8(c, _) => Some(c),
            _ => None,
        }
    }

    /// The branch target of a relative CALL, JMP or Jcc placed at `addr`.
    #[inline]
    pub const fn target(&self, addr: usize) -> Option<usize> {
        match self.disp() {
            Some(d) => Some(
                addr.wrapping_add(self.len())
                    .wrapping_add(d as isize as usize),
            ),
            None => None,
        }
    }

    /// The instruction's bytes.
    #[inline]
    pub const fn encode(&self) -> Code {
        match *self {
            Insn::Call(d) => Code::rel32(CALL, d),
            Insn::Jmp32(d) => Code::rel32(JMP32, d),
            Insn::Jmp8(d) => Code::from_array([JMP8, d as u8]),
            Insn::Jcc8(c, d) => Code::from_array([JCC8 | c.code(), d as u8]),
            Insn::Jcc32(c, d) => {
                let d = d.to_le_bytes();
                Code::from_array([TWO_BYTE, JCC32 | c.code(), d[0], d[1], d[2], d[3]])
            }
            Insn::Ret => Code::from_array([RET]),
            Insn::Int3 => Code::from_array([INT3]),
            Insn::Nop2 => Code::from_array(NOP2),
            Insn::Nop5 => Code::from_array(NOP5),
            Insn::Xor5Rax => Code::from_array(XOR5RAX),
            Insn::Warn5 => Code::from_array(WARNINSN),
            Insn::Unlock5 => Code::from_array(UNLOCKINSN),
        }
    }
}

/// Whether `bytes` is a proper prefix of some form: more bytes could make it
/// decode.
#[inline]
const fn is_truncated(bytes: &[u8]) -> bool {
    match bytes {
        [] | [JMP8] | [0x70..=0x7f] | [TWO_BYTE] => true,
        [CALL | JMP32, rest @ ..] => rest.len() < 4,
        [TWO_BYTE, 0x80..=0x8f, rest @ ..] => rest.len() < 4,
        _ => {
            prefix_of(bytes, &NOP2)
                || prefix_of(bytes, &NOP5)
                || prefix_of(bytes, &XOR5RAX)
                || prefix_of(bytes, &WARNINSN)
                || prefix_of(bytes, &UNLOCKINSN)
        }
    }
}

/// Whether `bytes` starts with all of `form`.
#[inline]
const fn starts_with(bytes: &[u8], form: &[u8]) -> bool {
    if bytes.len() < form.len() {
        return false;
    }
    let mut i = 0;
    while i < form.len() {
        if bytes[i] != form[i] {
            return false;
        }
        i = i.wrapping_add(1);
    }
    true
}

/// Whether `a` is a proper prefix of `b`.
#[inline]
const fn prefix_of(a: &[u8], b: &[u8]) -> bool {
    a.len() < b.len() && starts_with(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_forms() -> Vec<Insn> {
        let mut v = vec![
            Insn::Ret,
            Insn::Int3,
            Insn::Nop2,
            Insn::Nop5,
            Insn::Xor5Rax,
            Insn::Warn5,
            Insn::Unlock5,
        ];
        for d in [i32::MIN, -129, -128, -1, 0, 1, 127, 128, i32::MAX] {
            v.push(Insn::Call(d));
            v.push(Insn::Jmp32(d));
            for c in Cond::ALL {
                v.push(Insn::Jcc32(c, d));
            }
        }
        for d in [i8::MIN, -1, 0, 1, i8::MAX] {
            v.push(Insn::Jmp8(d));
            for c in Cond::ALL {
                v.push(Insn::Jcc8(c, d));
            }
        }
        v
    }

    #[test]
    fn encode_decode_round_trip_every_form() {
        for insn in all_forms() {
            let code = insn.encode();
            assert_eq!(code.len(), insn.len(), "{insn:?}");
            assert_eq!(Insn::decode(code.as_slice()), Ok(insn));
            // Trailing bytes do not change the answer.
            let mut long = code.as_slice().to_vec();
            long.extend_from_slice(&[0xcc; 8]);
            assert_eq!(Insn::decode(&long), Ok(insn));
            // Every proper prefix is truncated, never something else.
            for n in 0..code.len() {
                let prefix = &code.as_slice()[..n];
                match Insn::decode(prefix) {
                    Err(Error::Truncated) => {}
                    other => panic!("{insn:?} prefix {prefix:x?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn exact_bytes() {
        let jne = Insn::Jcc32(Cond::Ne, 0x12345678).encode();
        assert_eq!(jne.as_slice(), &[0x0f, 0x85, 0x78, 0x56, 0x34, 0x12]);
        assert_eq!(Insn::Jcc8(Cond::G, -2).encode().as_slice(), &[0x7f, 0xfe]);
        assert_eq!(Insn::Jmp8(5).encode().as_slice(), &[0xeb, 5]);
        assert_eq!(
            Insn::Ret.encode().pad_int3(5).as_slice(),
            &[0xc3, 0xcc, 0xcc, 0xcc, 0xcc]
        );
        assert_eq!(Insn::Nop5.encode().as_slice(), &NOP5);
        assert_eq!(Insn::Xor5Rax.encode().as_slice(), &XOR5RAX);
        assert_eq!(
            Insn::Warn5.encode().as_slice(),
            &[0x67, 0x48, 0x0f, 0xb9, 0x3a]
        );
        assert_eq!(
            Insn::Unlock5.encode().as_slice(),
            &[0x3e, 0x3e, 0xc6, 0x07, 0x00]
        );
        for insn in [Insn::Warn5, Insn::Unlock5] {
            assert_eq!((insn.len(), insn.disp(), insn.target(0)), (5, None, None));
        }
        assert_eq!(Insn::Nop2.encode().as_slice(), &NOP2);
    }

    #[test]
    fn targets_and_ranges() {
        let base = 0xffff_ffff_0100_0000usize;
        for (len, make) in [
            (
                5usize,
                Insn::call as fn(usize, usize) -> Result<Insn, Error>,
            ),
            (5, Insn::jmp32),
        ] {
            for t in [base, base + 5, base - 0x1000, base + 0x7fff_ffff + len] {
                let insn = make(base, t).unwrap();
                assert_eq!(insn.target(base), Some(t));
            }
            assert_eq!(make(base, base + len + (1 << 31)), Err(Error::OutOfRange));
            assert_eq!(
                make(base, base + len - (1 << 31) - 1),
                Err(Error::OutOfRange)
            );
            assert!(make(base, base + len - (1 << 31)).is_ok());
        }
        for c in Cond::ALL {
            let j = Insn::jcc32(c, base, base - 100).unwrap();
            assert_eq!((j.cond(), j.target(base)), (Some(c), Some(base - 100)));
            assert_eq!(Insn::jcc32(c, base, 0), Err(Error::OutOfRange));
            let j = Insn::jcc8(c, base, base + 2 + 127).unwrap();
            assert_eq!(j.target(base), Some(base + 129));
            assert_eq!(Insn::jcc8(c, base, base + 2 + 128), Err(Error::OutOfRange));
            assert_eq!(Insn::jcc8(c, base, base + 2 - 129), Err(Error::OutOfRange));
        }
        assert_eq!(
            Insn::jmp8(base, base + 1).unwrap().target(base),
            Some(base + 1)
        );
        assert_eq!(Insn::jmp8(base, base + 200), Err(Error::OutOfRange));
        // Wrapping at the top of the address space is an ordinary distance.
        assert_eq!(Insn::call(usize::MAX - 2, 10).unwrap(), Insn::Call(8));
    }

    #[test]
    fn unknown_and_truncated() {
        for bytes in [
            &[0x90][..],
            &[0x0f, 0x0b],
            &[0x0f, 0x1f, 0x00],
            &[0x0f, 0x1f, 0x44, 0x00, 0x01],
            &[0x66, 0x91],
            &[0x2e, 0x2e, 0x31],
            &[0xff, 0x15, 0, 0, 0, 0],
            &[0x0f, 0x90, 0, 0, 0, 0],
            // Near the new forms: another register, no ds, 32-bit unlock.
            &[0x67, 0x48, 0x0f, 0xb9, 0x3b],
            &[0x67, 0x0f, 0xb9, 0x3a],
            &[0x48, 0x67, 0x0f, 0xb9, 0x3a],
            &[0x3e, 0x3e, 0xc6, 0x07, 0x01],
            &[0x3e, 0xc6, 0x07, 0x00],
            &[0x3e, 0x3e, 0xc6, 0x00, 0x00],
            &[0xc6, 0x07, 0x00],
        ] {
            assert_eq!(Insn::decode(bytes), Err(Error::Unknown), "{bytes:x?}");
        }
        assert_eq!(Insn::decode(&[]), Err(Error::Truncated));
        assert_eq!(Insn::decode(&[0xe8, 1, 2]), Err(Error::Truncated));
        assert_eq!(
            Insn::decode(&[0x2e, 0x2e, 0x2e, 0x31]),
            Err(Error::Truncated)
        );
        assert_eq!(Insn::decode(&WARNINSN[..4]), Err(Error::Truncated));
        assert_eq!(Insn::decode(&UNLOCKINSN[..3]), Err(Error::Truncated));
    }

    #[test]
    fn no_byte_string_of_six_panics() {
        // Every first two bytes, then a fixed tail, at every length.
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let buf = [a, b, 0x44, 0x00, 0x00, 0x00];
                for n in 0..=buf.len() {
                    if let Ok(insn) = Insn::decode(&buf[..n]) {
                        assert!(insn.len() <= n);
                        assert_eq!(&insn.encode().as_slice(), &&buf[..insn.len()]);
                    }
                }
            }
        }
    }
}

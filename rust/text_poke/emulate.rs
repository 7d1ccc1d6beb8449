// SPDX-License-Identifier: GPL-2.0

//! INT3 emulation of the instruction that text poking under INT3 is writing.
//!
//! While an instruction is rewritten under an INT3, a CPU that runs into the
//! INT3 must behave as if it had executed the new instruction. The location
//! record of `alternative.c` keeps that instruction in a compact form, [`PokeLoc`]: the
//! opcode byte, the patch length and the displacement. A Jcc rel32 is stored
//! with its rel8 opcode and a length of 6, NOPs as jumps to the next
//! instruction.

use crate::insn::{Insn, INT3, JCC8, JMP32, JMP8};
use crate::{Cond, Error};

/// The compact form of the instruction being poked, as the location record of
/// `alternative.c` stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PokeLoc {
    /// `INT3`, `RET`, `CALL`, `JMP32`, `JMP8` or `0x70 + cc` (any Jcc).
    pub opcode: u8,
    /// Length of the patched range, 1 to 6.
    pub len: u8,
    /// Displacement of CALL, JMP and Jcc; 0 otherwise.
    pub disp: i32,
}

/// What the INT3 handler must do to the interrupted context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emulation {
    /// The INT3 is an explicit one, not ours to consume.
    Pass,
    /// Continue at this address.
    Jump(usize),
    /// Push the address of the next instruction, continue at this address.
    Call(usize),
    /// Pop the return address and continue there.
    Ret,
}

impl PokeLoc {
    /// Classifies a patch of `text` (the new bytes) that is emulated, while it
    /// is being written, as the instruction at the start of `emulate`.
    ///
    /// Both slices are the patch length long. A RET may be padded with INT3 up
    /// to 5 bytes (checked in `text`, the bytes written); every other form
    /// must fill the length exactly. Length 6
    /// means Jcc.d32 and nothing else: the batch writer recognises a Jcc.d32
    /// by it and writes the `0x0f` that the compact form leaves out. A JMP
    /// padded with INT3 would be emulated relative to the end of the range,
    /// not of the JMP, so it is refused too. [`XOR5RAX`], [`WARNINSN`] and
    /// [`UNLOCKINSN`] cannot be emulated: a caller that writes one passes the
    /// CALL it stands for as `emulate`.
    ///
    /// [`XOR5RAX`]: crate::insn::XOR5RAX
    /// [`WARNINSN`]: crate::insn::WARNINSN
    /// [`UNLOCKINSN`]: crate::insn::UNLOCKINSN
    ///
    /// # Examples
    ///
    /// ```
    /// use text_poke::{Error, PokeLoc};
    ///
    /// let jne = [0x0f, 0x85, 0x10, 0, 0, 0];
    /// let loc = PokeLoc::new(&jne, &jne)?;
    /// assert_eq!((loc.opcode, loc.len, loc.disp), (0x75, 6, 0x10));
    /// let ret = [0xc3, 0xcc, 0xcc, 0xcc, 0xcc];
    /// assert_eq!(PokeLoc::new(&ret, &ret)?.opcode, 0xc3);
    /// let bad = [0xc3, 0x90, 0xcc, 0xcc, 0xcc];
    /// assert_eq!(PokeLoc::new(&bad, &bad), Err(Error::Unexpected));
    /// let ret6 = [0xc3, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc];
    /// assert_eq!(PokeLoc::new(&ret6, &ret6), Err(Error::Unexpected));
    /// let jmp8 = [0xeb, 0x10, 0xcc, 0xcc, 0xcc];
    /// assert_eq!(PokeLoc::new(&jmp8, &jmp8), Err(Error::Unexpected));
    /// # Ok::<(), Error>(())
    /// ```
    #[inline]
    pub fn new(text: &[u8], emulate: &[u8]) -> Result<PokeLoc, Error> {
        let len = text.len();
        if len == 0 || len > crate::insn::MAX_LEN || emulate.len() != len {
            return Err(Error::Unexpected);
        }
        let insn = Insn::decode(emulate)?;
        let padding = text.get(insn.len()..).unwrap_or(&[]);
        let fills = insn.len() == len;
        let jcc32 = |b: &[u8]| matches!(Insn::decode(b), Ok(Insn::Jcc32(..)));
        let (opcode, disp) = match insn {
            _ if len == crate::insn::MAX_LEN && !(jcc32(text) && jcc32(emulate)) => {
                return Err(Error::Unexpected)
            }
            Insn::Ret if padding.iter().any(|&b| b != INT3) => return Err(Error::Unexpected),
            Insn::Ret => (crate::insn::RET, 0),
            _ if !fills => return Err(Error::Unexpected),
            Insn::Jmp32(d) => (JMP32, d),
            Insn::Jmp8(d) => (JMP8, i32::from(d)),
            Insn::Int3 => (INT3, 0),
            Insn::Call(d) => (crate::insn::CALL, d),
            Insn::Jcc8(c, d) => (JCC8 | c.code(), i32::from(d)),
            // The crazy-but-compact scheme: rel8 opcode, length 6.
            Insn::Jcc32(c, d) => (JCC8 | c.code(), d),
            Insn::Nop2 => (JMP8, 0),
            Insn::Nop5 => (JMP32, 0),
            // Not control flow: written with the CALL they stand for as
            // `emulate`.
            Insn::Xor5Rax | Insn::Warn5 | Insn::Unlock5 => return Err(Error::Unexpected),
        };
        Ok(PokeLoc {
            opcode,
            // `len <= MAX_LEN` was checked above.
            len: len as u8,
            disp,
        })
    }

    /// What a CPU that hit the INT3 at `addr` (the start of the patched
    /// range) with `flags` in `EFLAGS` must do, or `None` for an opcode that
    /// [`PokeLoc::new`] never produces.
    #[inline(always)]
    pub const fn emulate(&self, addr: usize, flags: usize) -> Option<Emulation> {
        let next = addr.wrapping_add(self.len as usize);
        let target = next.wrapping_add(self.disp as isize as usize);
        Some(match self.opcode {
            INT3 => Emulation::Pass,
            crate::insn::RET => Emulation::Ret,
            crate::insn::CALL => Emulation::Call(target),
            JMP32 | JMP8 => Emulation::Jump(target),
            0x70..=0x7f if Cond::from_nibble(self.opcode).taken(flags) => Emulation::Jump(target),
            0x70..=0x7f => Emulation::Jump(next),
            _ => return None,
        })
    }
}

/// What executing `insn` at `addr` with `flags` does to the instruction
/// pointer: the reference that [`PokeLoc::emulate`] must agree with.
///
/// `None` for forms that are not control flow: [`Insn::Xor5Rax`] changes a
/// register, [`Insn::Warn5`] traps to warn and [`Insn::Unlock5`] stores to
/// memory, none of which a jump emulates; [`Insn::Int3`] traps.
#[cfg(test)]
pub const fn execute(insn: &Insn, addr: usize, flags: usize) -> Option<Emulation> {
    let next = addr.wrapping_add(insn.len());
    Some(match *insn {
        Insn::Call(_) => match insn.target(addr) {
            Some(t) => Emulation::Call(t),
            None => return None,
        },
        Insn::Jmp32(_) | Insn::Jmp8(_) => match insn.target(addr) {
            Some(t) => Emulation::Jump(t),
            None => return None,
        },
        Insn::Jcc32(c, _) | Insn::Jcc8(c, _) if c.taken(flags) => match insn.target(addr) {
            Some(t) => Emulation::Jump(t),
            None => return None,
        },
        Insn::Jcc32(..) | Insn::Jcc8(..) | Insn::Nop2 | Insn::Nop5 => Emulation::Jump(next),
        Insn::Ret => Emulation::Ret,
        Insn::Int3 | Insn::Xor5Rax | Insn::Warn5 | Insn::Unlock5 => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cond::{EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_ZF};
    use crate::insn::{UNLOCKINSN, WARNINSN, XOR5RAX};

    const ADDR: usize = 0xffff_ffff_8123_4560;

    fn flag_combinations() -> impl Iterator<Item = usize> {
        (0..32u64).map(|c| {
            [EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF, EFLAGS_SF, EFLAGS_OF]
                .iter()
                .enumerate()
                .filter(|(i, _)| c & (1 << i) != 0)
                .fold(0, |f, (_, b)| f | b)
        })
    }

    #[test]
    fn compact_form_emulates_like_the_instruction() {
        let mut forms = vec![Insn::Ret, Insn::Nop2, Insn::Nop5];
        for d in [-200, -1, 0, 7, 100_000] {
            forms.push(Insn::Call(d));
            forms.push(Insn::Jmp32(d));
            forms.extend(Cond::ALL.map(|c| Insn::Jcc32(c, d)));
        }
        for d in [-128, 0, 127] {
            forms.push(Insn::Jmp8(d));
            forms.extend(Cond::ALL.map(|c| Insn::Jcc8(c, d)));
        }
        for insn in forms {
            let code = insn.encode();
            let loc = PokeLoc::new(code.as_slice(), code.as_slice()).unwrap();
            assert_eq!(loc.len as usize, insn.len());
            for flags in flag_combinations() {
                assert_eq!(
                    loc.emulate(ADDR, flags),
                    execute(&insn, ADDR, flags),
                    "{insn:?} {flags:#x}"
                );
            }
        }
    }

    #[test]
    fn jcc32_is_stored_as_c_stores_it() {
        for c in Cond::ALL {
            let code = Insn::Jcc32(c, -6).encode();
            let loc = PokeLoc::new(code.as_slice(), code.as_slice()).unwrap();
            assert_eq!(
                loc,
                PokeLoc {
                    opcode: 0x70 | c.code(),
                    len: 6,
                    disp: -6
                }
            );
            // A taken Jcc to itself loops, a not-taken one falls through.
            for flags in flag_combinations() {
                let want = if c.taken(flags) { ADDR } else { ADDR + 6 };
                assert_eq!(loc.emulate(ADDR, flags), Some(Emulation::Jump(want)));
            }
        }
    }

    #[test]
    fn padding_and_length_rules() {
        let ret = Insn::Ret.encode().pad_int3(5);
        assert_eq!(PokeLoc::new(ret.as_slice(), ret.as_slice()).unwrap().len, 5);
        // A CALL may not be padded, a NOP must be exactly its size.
        let call = [0xe8, 0, 0, 0, 0, 0xcc];
        assert_eq!(PokeLoc::new(&call, &call), Err(Error::Unexpected));
        let nop2 = [0x66, 0x90, 0xcc];
        assert_eq!(PokeLoc::new(&nop2, &nop2), Err(Error::Unexpected));
        // An explicit INT3 is one byte, and is passed on.
        let loc = PokeLoc::new(&[INT3], &[INT3]).unwrap();
        assert_eq!(loc.emulate(ADDR, 0), Some(Emulation::Pass));
        // XOR5 is written with the CALL it replaces as the emulation.
        let call = Insn::Call(0x40).encode();
        assert_eq!(PokeLoc::new(&XOR5RAX, &XOR5RAX), Err(Error::Unexpected));
        let loc = PokeLoc::new(&XOR5RAX, call.as_slice()).unwrap();
        assert_eq!(loc.emulate(ADDR, 0), Some(Emulation::Call(ADDR + 5 + 0x40)));
        // So are the inline __WARN_trap and native unlock.
        for form in [WARNINSN, UNLOCKINSN] {
            assert_eq!(PokeLoc::new(&form, &form), Err(Error::Unexpected));
            let loc = PokeLoc::new(&form, call.as_slice()).unwrap();
            assert_eq!(
                (loc.opcode, loc.len, loc.disp),
                (crate::insn::CALL, 5, 0x40)
            );
            assert_eq!(loc.emulate(ADDR, 0), Some(Emulation::Call(ADDR + 5 + 0x40)));
        }
        // Lengths the patcher never uses, and unknown bytes.
        assert_eq!(PokeLoc::new(&[], &[]), Err(Error::Unexpected));
        assert_eq!(PokeLoc::new(&[0xcc; 7], &[0xcc; 7]), Err(Error::Unexpected));
        assert_eq!(PokeLoc::new(&[0xc3, 0xcc], &[0xc3]), Err(Error::Unexpected));
        assert_eq!(PokeLoc::new(&[0x90], &[0x90]), Err(Error::Unknown));
        assert_eq!(PokeLoc::new(&[0xe8, 0], &[0xe8, 0]), Err(Error::Truncated));
    }

    /// Every form padded with INT3 at every length up to 6, as the new text
    /// and as the emulated instruction: only a RET of up to 5 bytes is taken
    /// padded, length 6 is a Jcc.d32 only, and what is taken is emulated to
    /// where the CPU goes.
    #[test]
    fn padded_forms_at_every_length() {
        let forms = [
            Insn::Int3,
            Insn::Ret,
            Insn::Jmp8(0x10),
            Insn::Jmp8(-0x10),
            Insn::Jmp32(0x10),
            Insn::Call(0x10),
            Insn::Jcc8(Cond::ALL[5], 0x10),
            Insn::Jcc32(Cond::ALL[5], 0x10),
            Insn::Nop2,
            Insn::Nop5,
        ];
        for insn in forms {
            for len in insn.len()..=crate::insn::MAX_LEN {
                let code = insn.encode().pad_int3(len);
                let got = PokeLoc::new(code.as_slice(), code.as_slice());
                let fits = len == insn.len() && (len < 6 || matches!(insn, Insn::Jcc32(..)));
                let padded_ret = matches!(insn, Insn::Ret) && len < 6;
                if !(fits || padded_ret) {
                    assert_eq!(got, Err(Error::Unexpected), "{insn:?} padded to {len}");
                    continue;
                }
                let loc = got.unwrap_or_else(|e| panic!("{insn:?} padded to {len}: {e:?}"));
                assert_eq!(loc.len as usize, len);
                for flags in flag_combinations() {
                    let want = match insn {
                        Insn::Int3 => Some(Emulation::Pass),
                        _ => execute(&insn, ADDR, flags),
                    };
                    assert_eq!(loc.emulate(ADDR, flags), want, "{insn:?} padded to {len}");
                }
            }
        }
        // Length 6 needs a Jcc.d32 both as the text and as the emulation.
        let jcc = Insn::Jcc32(Cond::ALL[5], 0x10).encode();
        let call = Insn::Call(0x10).encode().pad_int3(6);
        assert_eq!(
            PokeLoc::new(jcc.as_slice(), call.as_slice()),
            Err(Error::Unexpected)
        );
        assert_eq!(
            PokeLoc::new(call.as_slice(), jcc.as_slice()),
            Err(Error::Unexpected)
        );
    }

    #[test]
    fn unknown_compact_opcode() {
        let loc = PokeLoc {
            opcode: 0x90,
            len: 1,
            disp: 0,
        };
        assert_eq!(loc.emulate(ADDR, 0), None);
        assert_eq!(execute(&Insn::Xor5Rax, ADDR, 0), None);
        assert_eq!(execute(&Insn::Warn5, ADDR, 0), None);
        assert_eq!(execute(&Insn::Unlock5, ADDR, 0), None);
        assert_eq!(execute(&Insn::Int3, ADDR, 0), None);
    }
}

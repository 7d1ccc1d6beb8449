// SPDX-License-Identifier: GPL-2.0

//! Condition codes of the x86 Jcc instructions.
//!
//! The low nibble of a Jcc opcode (`0x70 + cc` for rel8, `0x0f 0x80 + cc` for
//! rel32) selects one of 16 conditions; even codes test a predicate, odd codes
//! its negation.

/// Carry flag.
pub const EFLAGS_CF: usize = 1 << 0;
/// Parity flag.
pub const EFLAGS_PF: usize = 1 << 2;
/// Zero flag.
pub const EFLAGS_ZF: usize = 1 << 6;
/// Sign flag.
pub const EFLAGS_SF: usize = 1 << 7;
/// Overflow flag.
pub const EFLAGS_OF: usize = 1 << 11;

/// One of the 16 x86 condition codes, numbered as in the opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cond {
    /// Overflow (`OF`).
    O = 0x0,
    /// No overflow.
    No = 0x1,
    /// Below, unsigned (`CF`).
    B = 0x2,
    /// Above or equal, unsigned.
    Ae = 0x3,
    /// Equal (`ZF`).
    E = 0x4,
    /// Not equal.
    Ne = 0x5,
    /// Below or equal, unsigned (`CF || ZF`).
    Be = 0x6,
    /// Above, unsigned.
    A = 0x7,
    /// Sign (`SF`).
    S = 0x8,
    /// No sign.
    Ns = 0x9,
    /// Parity even (`PF`).
    P = 0xa,
    /// Parity odd.
    Np = 0xb,
    /// Less, signed (`SF != OF`).
    L = 0xc,
    /// Greater or equal, signed.
    Ge = 0xd,
    /// Less or equal, signed (`ZF || SF != OF`).
    Le = 0xe,
    /// Greater, signed.
    G = 0xf,
}

impl Cond {
    /// All 16 conditions in opcode order.
    pub const ALL: [Cond; 16] = [
        Cond::O,
        Cond::No,
        Cond::B,
        Cond::Ae,
        Cond::E,
        Cond::Ne,
        Cond::Be,
        Cond::A,
        Cond::S,
        Cond::Ns,
        Cond::P,
        Cond::Np,
        Cond::L,
        Cond::Ge,
        Cond::Le,
        Cond::G,
    ];

    /// The condition selected by the low nibble of `cc`; the high nibble is
    /// ignored, so an opcode byte can be passed as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use text_poke::Cond;
    ///
    /// assert_eq!(Cond::from_nibble(0x75), Cond::Ne);
    /// assert_eq!(Cond::from_nibble(0x8f), Cond::G);
    /// ```
    #[inline(always)]
    pub const fn from_nibble(cc: u8) -> Cond {
        match cc & 0xf {
            0x0 => Cond::O,
            0x1 => Cond::No,
            0x2 => Cond::B,
            0x3 => Cond::Ae,
            0x4 => Cond::E,
            0x5 => Cond::Ne,
            0x6 => Cond::Be,
            0x7 => Cond::A,
            0x8 => Cond::S,
            0x9 => Cond::Ns,
            0xa => Cond::P,
            0xb => Cond::Np,
            0xc => Cond::L,
            0xd => Cond::Ge,
            0xe => Cond::Le,
            _ => Cond::G,
        }
    }

    /// The condition code, `0..=15`.
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Whether a Jcc with this condition is taken with `flags` in `EFLAGS`.
    ///
    /// Only CF, PF, ZF, SF and OF are looked at.
    ///
    /// # Examples
    ///
    /// ```
    /// use text_poke::cond::{Cond, EFLAGS_OF, EFLAGS_SF, EFLAGS_ZF};
    ///
    /// assert!(Cond::Ne.taken(0));
    /// assert!(!Cond::Ne.taken(EFLAGS_ZF));
    /// assert!(Cond::L.taken(EFLAGS_SF));
    /// assert!(!Cond::L.taken(EFLAGS_SF | EFLAGS_OF));
    /// ```
    #[inline(always)]
    pub const fn taken(self, flags: usize) -> bool {
        let cf = flags & EFLAGS_CF != 0;
        let pf = flags & EFLAGS_PF != 0;
        let zf = flags & EFLAGS_ZF != 0;
        let sf = flags & EFLAGS_SF != 0;
        let of = flags & EFLAGS_OF != 0;
        // Even codes test the predicate, odd codes its negation.
        let predicate = match self.code() >> 1 {
            0 => of,
            1 => cf,
            2 => zf,
            3 => cf || zf,
            4 => sf,
            5 => pf,
            6 => sf != of,
            _ => zf || sf != of,
        };
        predicate != (self.code() & 1 != 0)
    }

    /// The AT&T mnemonic of the rel32 jump with this condition.
    #[cfg(test)]
    pub const fn mnemonic(self) -> &'static core::ffi::CStr {
        match self {
            Cond::O => c"jo",
            Cond::No => c"jno",
            Cond::B => c"jb",
            Cond::Ae => c"jae",
            Cond::E => c"je",
            Cond::Ne => c"jne",
            Cond::Be => c"jbe",
            Cond::A => c"ja",
            Cond::S => c"js",
            Cond::Ns => c"jns",
            Cond::P => c"jp",
            Cond::Np => c"jnp",
            Cond::L => c"jl",
            Cond::Ge => c"jge",
            Cond::Le => c"jle",
            Cond::G => c"jg",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight from the SDM's table of Jcc conditions, written out per code.
    fn reference(cc: u8, flags: usize) -> bool {
        let f = |m: usize| flags & m != 0;
        match cc {
            0x0 => f(EFLAGS_OF),
            0x1 => !f(EFLAGS_OF),
            0x2 => f(EFLAGS_CF),
            0x3 => !f(EFLAGS_CF),
            0x4 => f(EFLAGS_ZF),
            0x5 => !f(EFLAGS_ZF),
            0x6 => f(EFLAGS_CF) || f(EFLAGS_ZF),
            0x7 => !f(EFLAGS_CF) && !f(EFLAGS_ZF),
            0x8 => f(EFLAGS_SF),
            0x9 => !f(EFLAGS_SF),
            0xa => f(EFLAGS_PF),
            0xb => !f(EFLAGS_PF),
            0xc => f(EFLAGS_SF) != f(EFLAGS_OF),
            0xd => f(EFLAGS_SF) == f(EFLAGS_OF),
            0xe => f(EFLAGS_ZF) || f(EFLAGS_SF) != f(EFLAGS_OF),
            _ => !f(EFLAGS_ZF) && f(EFLAGS_SF) == f(EFLAGS_OF),
        }
    }

    #[test]
    fn every_condition_every_flag_combination() {
        let bits = [EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF, EFLAGS_SF, EFLAGS_OF];
        // Other EFLAGS bits (IF, DF, AF, reserved bit 1) must not matter.
        let noise = (1 << 1) | (1 << 4) | (1 << 9) | (1 << 10);
        for cond in Cond::ALL {
            assert_eq!(Cond::from_nibble(cond.code()), cond);
            for combo in 0..32u32 {
                let mut flags = 0;
                for (i, bit) in bits.iter().enumerate() {
                    if combo & (1 << i) != 0 {
                        flags |= bit;
                    }
                }
                let want = reference(cond.code(), flags);
                assert_eq!(cond.taken(flags), want, "{cond:?} {flags:#x}");
                assert_eq!(cond.taken(flags | noise), want, "{cond:?} {flags:#x} noisy");
            }
        }
    }

    #[test]
    fn negation_pairs() {
        for cc in (0..16).step_by(2) {
            for flags in 0..0x1000usize {
                assert_ne!(
                    Cond::from_nibble(cc).taken(flags),
                    Cond::from_nibble(cc + 1).taken(flags)
                );
            }
        }
    }

    #[test]
    fn mnemonics_are_distinct() {
        for a in Cond::ALL {
            for b in Cond::ALL {
                assert_eq!(a == b, a.mnemonic() == b.mnemonic());
            }
        }
    }
}

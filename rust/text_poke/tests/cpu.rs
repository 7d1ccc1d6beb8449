// SPDX-License-Identifier: GPL-2.0

//! The crate's condition evaluation and Jcc emulation against the host CPU.
//!
//! For each of the 16 conditions, in the rel8 and the rel32 form, and for
//! every combination of CF, PF, ZF, SF and OF (with other EFLAGS bits clear
//! and set), load EFLAGS, execute the real Jcc and see where the CPU went.
//! The crate must predict it: [`Cond::taken`] the outcome, and
//! [`PokeLoc::emulate`] of the executed bytes the new instruction pointer.

#![cfg(target_arch = "x86_64")]

use core::arch::asm;
use text_poke::cond::{EFLAGS_CF, EFLAGS_OF, EFLAGS_PF, EFLAGS_SF, EFLAGS_ZF};
use text_poke::emulate::Emulation;
use text_poke::{Cond, Insn, PokeLoc};

/// Where one executed Jcc went.
struct Run {
    /// Address of the Jcc.
    insn: usize,
    /// Address of the instruction after it.
    next: usize,
    /// Address of its target.
    target: usize,
    /// The address the CPU continued at.
    went: usize,
}

/// Defines `fn $name(flags) -> Run` that executes the Jcc whose bytes `$bytes`
/// (an assembler directive) encode, with `flags` loaded into EFLAGS.
macro_rules! jcc {
    ($name:ident, $bytes:expr) => {
        fn $name(flags: usize) -> Run {
            let (insn, next, target, went): (usize, usize, usize, usize);
            // SAFETY: Only registers and the stack below the stack pointer
            // change (not `nostack`); EFLAGS is restored by the final `cld`
            // for DF, the arithmetic flags are clobbers, TF and AC are never
            // set by the callers.
            unsafe {
                asm!(
                    "lea {insn}, [rip + 2f]",
                    "lea {next}, [rip + 3f]",
                    "lea {target}, [rip + 4f]",
                    "push {flags}",
                    "popfq",
                    "2:",
                    $bytes,
                    "3:",
                    "lea {went}, [rip + 3b]",
                    "jmp 5f",
                    "4:",
                    "lea {went}, [rip + 4b]",
                    "5:",
                    "cld",
                    flags = in(reg) flags,
                    insn = out(reg) insn,
                    next = out(reg) next,
                    target = out(reg) target,
                    went = out(reg) went,
                );
            }
            Run { insn, next, target, went }
        }
    };
}

macro_rules! jcc_both {
    ($cc:literal, $n8:ident, $n32:ident) => {
        jcc!($n8, concat!(".byte 0x70 + ", $cc, ", 4f - 3f"));
        jcc!($n32, concat!(".byte 0x0f, 0x80 + ", $cc, "\n.long 4f - 3f"));
    };
}

jcc_both!(0, jo8, jo32);
jcc_both!(1, jno8, jno32);
jcc_both!(2, jb8, jb32);
jcc_both!(3, jae8, jae32);
jcc_both!(4, je8, je32);
jcc_both!(5, jne8, jne32);
jcc_both!(6, jbe8, jbe32);
jcc_both!(7, ja8, ja32);
jcc_both!(8, js8, js32);
jcc_both!(9, jns8, jns32);
jcc_both!(10, jp8, jp32);
jcc_both!(11, jnp8, jnp32);
jcc_both!(12, jl8, jl32);
jcc_both!(13, jge8, jge32);
jcc_both!(14, jle8, jle32);
jcc_both!(15, jg8, jg32);

type JccFn = fn(usize) -> Run;

const REL8: [JccFn; 16] = [
    jo8, jno8, jb8, jae8, je8, jne8, jbe8, ja8, js8, jns8, jp8, jnp8, jl8, jge8, jle8, jg8,
];
const REL32: [JccFn; 16] = [
    jo32, jno32, jb32, jae32, je32, jne32, jbe32, ja32, js32, jns32, jp32, jnp32, jl32, jge32,
    jle32, jg32,
];

/// Bit 1 is always set; AF, DF and ID are "other" bits that must not matter.
const FIXED: usize = 1 << 1;
const NOISE: usize = (1 << 4) | (1 << 10) | (1 << 21);

#[test]
fn conditions_and_emulation_match_the_cpu() {
    let arith = [EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF, EFLAGS_SF, EFLAGS_OF];
    let mut cases = 0;
    for (forms, len) in [(&REL8, 2usize), (&REL32, 6)] {
        for (cc, run) in forms.iter().enumerate() {
            let cond = Cond::from_nibble(cc as u8);
            for combo in 0..32u32 {
                let mut flags = FIXED;
                for (i, bit) in arith.iter().enumerate() {
                    if combo & (1 << i) != 0 {
                        flags |= bit;
                    }
                }
                for noise in [0, NOISE] {
                    let r = run(flags | noise);
                    let cpu_taken = r.went == r.target;
                    assert!(cpu_taken || r.went == r.next);
                    assert_eq!(cond.taken(flags | noise), cpu_taken, "{cond:?} {flags:#x}");

                    // The bytes the CPU executed, decoded and emulated.
                    // SAFETY: `insn` is the address of `len` bytes of code.
                    let bytes = unsafe { core::slice::from_raw_parts(r.insn as *const u8, len) };
                    let insn = Insn::decode(bytes).expect("a Jcc");
                    assert_eq!((insn.cond(), insn.len()), (Some(cond), len));
                    assert_eq!(insn.target(r.insn), Some(r.target));
                    let loc = PokeLoc::new(bytes, bytes).expect("pokeable");
                    assert_eq!(
                        loc.emulate(r.insn, flags | noise),
                        Some(Emulation::Jump(r.went)),
                        "{cond:?} {flags:#x}"
                    );
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 2 * 16 * 32 * 2);
    println!("cpu: {cases} Jcc executions matched, 0 mismatches");
}

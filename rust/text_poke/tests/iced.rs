// SPDX-License-Identifier: GPL-2.0

//! Differential decoding against a reference decoder, iced-x86.
//!
//! - every encoding the crate produces decodes in iced to exactly the asked
//!   instruction: length, kind, condition, target;
//! - every byte string the crate accepts, iced decodes the same way;
//! - every byte string that iced decodes as one of the crate's forms (no
//!   prefixes, canonical encoding; for the two prefixed forms `ud1
//!   (%edx),%rdi` and `ds ds movb $0,(%rdi)`, exactly the kernel's bytes),
//!   the crate accepts;
//! - random and mutated byte strings never panic the crate.
//!
//! `TEXT_POKE_DIFF_CASES` sets the number of random strings (default 200000;
//! the benchmark runs more).

use iced_x86::{
    ConditionCode, Decoder, DecoderOptions, FlowControl, Instruction, MemorySize, Mnemonic, OpKind,
    Register,
};
use text_poke::insn::{UNLOCKINSN, WARNINSN};
use text_poke::{Cond, Error, Insn};

const IP: usize = 0xffff_ffff_0123_4000;

fn iced(bytes: &[u8]) -> Instruction {
    Decoder::with_ip(64, bytes, IP as u64, DecoderOptions::NONE).decode()
}

fn iced_cond(c: ConditionCode) -> Option<Cond> {
    let cc = match c {
        ConditionCode::o => 0,
        ConditionCode::no => 1,
        ConditionCode::b => 2,
        ConditionCode::ae => 3,
        ConditionCode::e => 4,
        ConditionCode::ne => 5,
        ConditionCode::be => 6,
        ConditionCode::a => 7,
        ConditionCode::s => 8,
        ConditionCode::ns => 9,
        ConditionCode::p => 10,
        ConditionCode::np => 11,
        ConditionCode::l => 12,
        ConditionCode::ge => 13,
        ConditionCode::le => 14,
        ConditionCode::g => 15,
        _ => return None,
    };
    Some(Cond::from_nibble(cc))
}

/// Checks that iced sees in `bytes` what the crate decoded, `insn`.
fn agree(insn: &Insn, bytes: &[u8]) {
    let i = iced(bytes);
    assert!(!i.is_invalid(), "{insn:?} {bytes:x?}: iced says invalid");
    assert_eq!(i.len(), insn.len(), "{insn:?} {bytes:x?}: length");
    let target = insn.target(IP);
    match insn {
        Insn::Call(_) => {
            assert_eq!(i.flow_control(), FlowControl::Call);
            assert_eq!(Some(i.near_branch_target() as usize), target);
        }
        Insn::Jmp32(_) | Insn::Jmp8(_) => {
            assert_eq!(i.flow_control(), FlowControl::UnconditionalBranch);
            assert_eq!(Some(i.near_branch_target() as usize), target);
        }
        Insn::Jcc32(c, _) | Insn::Jcc8(c, _) => {
            assert_eq!(i.flow_control(), FlowControl::ConditionalBranch);
            assert_eq!(iced_cond(i.condition_code()), Some(*c), "{bytes:x?}");
            assert_eq!(Some(i.near_branch_target() as usize), target);
        }
        Insn::Ret => assert_eq!(i.mnemonic(), Mnemonic::Ret),
        Insn::Int3 => assert_eq!(i.mnemonic(), Mnemonic::Int3),
        Insn::Nop2 | Insn::Nop5 => assert!(
            matches!(i.mnemonic(), Mnemonic::Nop | Mnemonic::Xchg),
            "{bytes:x?}: {:?}",
            i.mnemonic()
        ),
        Insn::Xor5Rax => assert_eq!(i.mnemonic(), Mnemonic::Xor),
        Insn::Warn5 => assert!(is_warn(&i), "{bytes:x?}: {i:?}"),
        Insn::Unlock5 => assert!(is_unlock(&i), "{bytes:x?}: {i:?}"),
    }
}

/// Whether iced sees `ud1 (%edx),%rdi`, the instruction of [`WARNINSN`], in
/// any encoding.
fn is_warn(i: &Instruction) -> bool {
    i.mnemonic() == Mnemonic::Ud1
        && i.op_count() == 2
        && i.op0_register() == Register::RDI
        && i.op1_kind() == OpKind::Memory
        && (i.memory_base(), i.memory_index(), i.memory_displacement64())
            == (Register::EDX, Register::None, 0)
        && i.flow_control() == FlowControl::Exception
}

/// Whether iced sees `movb $0,%ds:(%rdi)`, the instruction of [`UNLOCKINSN`],
/// in any encoding.
fn is_unlock(i: &Instruction) -> bool {
    i.mnemonic() == Mnemonic::Mov
        && i.op_count() == 2
        && i.op0_kind() == OpKind::Memory
        && i.memory_size() == MemorySize::UInt8
        && (i.memory_base(), i.memory_index(), i.memory_displacement64())
            == (Register::RDI, Register::None, 0)
        && i.segment_prefix() == Register::DS
        && i.op1_kind() == OpKind::Immediate8
        && i.immediate8() == 0
}

/// Whether iced decodes `bytes` as one of the crate's forms, without prefixes
/// and in the canonical encoding: then the crate must accept it.
fn iced_says_ours(bytes: &[u8]) -> bool {
    let i = iced(bytes);
    if i.is_invalid() {
        return false;
    }
    let first = bytes.first().copied().unwrap_or(0);
    match (i.mnemonic(), i.len(), first) {
        (Mnemonic::Call, 5, 0xe8) | (Mnemonic::Jmp, 5, 0xe9) | (Mnemonic::Jmp, 2, 0xeb) => true,
        (Mnemonic::Ret, 1, 0xc3) | (Mnemonic::Int3, 1, 0xcc) => true,
        (_, 2, 0x70..=0x7f) => i.flow_control() == FlowControl::ConditionalBranch,
        (_, 6, 0x0f) => i.flow_control() == FlowControl::ConditionalBranch,
        // The prefixed forms: exactly the bytes the kernel writes, not every
        // encoding of the same instruction.
        (Mnemonic::Ud1, 5, 0x67) => is_warn(&i) && bytes.get(..5) == Some(&WARNINSN[..]),
        (Mnemonic::Mov, 5, 0x3e) => is_unlock(&i) && bytes.get(..5) == Some(&UNLOCKINSN[..]),
        _ => false,
    }
}

fn every_form() -> Vec<Insn> {
    let mut v = vec![
        Insn::Ret,
        Insn::Int3,
        Insn::Nop2,
        Insn::Nop5,
        Insn::Xor5Rax,
        Insn::Warn5,
        Insn::Unlock5,
    ];
    for d in [
        i32::MIN,
        -0x1000,
        -129,
        -128,
        -6,
        -1,
        0,
        1,
        127,
        128,
        0x12345,
        i32::MAX,
    ] {
        v.push(Insn::Call(d));
        v.push(Insn::Jmp32(d));
        v.extend(Cond::ALL.map(|c| Insn::Jcc32(c, d)));
    }
    for d in [i8::MIN, -2, -1, 0, 1, i8::MAX] {
        v.push(Insn::Jmp8(d));
        v.extend(Cond::ALL.map(|c| Insn::Jcc8(c, d)));
    }
    v
}

#[test]
fn encodings_decode_in_the_reference_as_asked() {
    let forms = every_form();
    for insn in &forms {
        let mut bytes = insn.encode().as_slice().to_vec();
        bytes.extend_from_slice(&[0xcc; 10]);
        agree(insn, &bytes);
    }
    // Built from targets, with range checks on both sides of the limit.
    let mut built = 0;
    for c in Cond::ALL {
        for t in [
            IP + 6,
            IP - 0x7fff_fffa,
            IP + 6 + 0x7fff_ffff,
            IP + 2 + 127,
            IP + 2 - 128,
        ] {
            for make in [Insn::jcc32, Insn::jcc8] {
                if let Ok(insn) = make(c, IP, t) {
                    let bytes = insn.encode();
                    agree(&insn, bytes.as_slice());
                    assert_eq!(iced(bytes.as_slice()).near_branch_target() as usize, t);
                    built += 1;
                }
            }
        }
        assert_eq!(
            Insn::jcc32(c, IP, IP + 7 + 0x7fff_ffff),
            Err(Error::OutOfRange)
        );
    }
    println!(
        "iced: {} encodings and {built} built branches agree",
        forms.len()
    );
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_and_mutated_bytes() {
    let n: u64 = std::env::var("TEXT_POKE_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let seeds: Vec<Vec<u8>> = every_form()
        .iter()
        .map(|i| i.encode().as_slice().to_vec())
        .collect();
    let mut rng = Rng(0x7e57_c0de_1774);
    let (mut accepted, mut ours) = (0u64, 0u64);
    for k in 0..n {
        let mut buf = [0u8; 8];
        if k % 2 == 0 {
            // Random bytes, biased to the opcodes that matter.
            for b in buf.iter_mut() {
                *b = rng.next() as u8;
            }
            buf[0] = [
                0xe8,
                0xe9,
                0xeb,
                0x0f,
                0xc3,
                0xcc,
                0x66,
                0x2e,
                0x67,
                0x3e,
                0x74,
                rng.next() as u8,
            ][(rng.next() % 12) as usize];
        } else {
            // A valid encoding with one or two bytes flipped.
            let s = &seeds[(rng.next() % seeds.len() as u64) as usize];
            buf[..s.len()].copy_from_slice(s);
            for _ in 0..1 + rng.next() % 2 {
                let at = (rng.next() % 6) as usize;
                buf[at] ^= 1 << (rng.next() % 8);
            }
        }
        let len = 1 + (rng.next() % 8) as usize;
        let bytes = &buf[..len];
        match Insn::decode(bytes) {
            Ok(insn) => {
                accepted += 1;
                agree(&insn, bytes);
            }
            Err(_) => {
                // A longer buffer must not make iced see one of our forms
                // that the crate missed.
                if len == 8 && iced_says_ours(bytes) {
                    panic!("{bytes:x?}: iced decodes one of our forms, the crate rejects it");
                }
            }
        }
        if iced_says_ours(bytes) {
            ours += 1;
            assert!(Insn::decode(bytes).is_ok(), "{bytes:x?}: crate rejects");
        }
    }
    println!("iced: {n} random/mutated strings, {accepted} accepted and agreed, {ours} of our forms by iced, 0 mismatches");
}

#[test]
fn prefixed_forms_only_as_the_kernel_writes_them() {
    // Other encodings of the same two instructions: iced sees the same
    // instruction, but the crate takes none of them and the classifier does
    // not call them ours.
    let others = [
        &[0x67, 0x48, 0x0f, 0xb9, 0x7a, 0x00][..], // disp8 0
        &[0x67, 0x4a, 0x0f, 0xb9, 0x3a],           // REX.X without an index
        &[0x3e, 0xc6, 0x07, 0x00],                 // one ds
        &[0x3e, 0x3e, 0x3e, 0xc6, 0x07, 0x00],     // three
        &[0x2e, 0x3e, 0xc6, 0x07, 0x00],           // cs ds
        &[0x3e, 0x3e, 0xc6, 0x47, 0x00, 0x00],     // disp8 0
        &[0x3e, 0x3e, 0x40, 0xc6, 0x07, 0x00],     // empty REX
    ];
    for bytes in others {
        let mut buf = bytes.to_vec();
        buf.resize(8, 0xcc);
        let i = iced(&buf);
        assert!(is_warn(&i) || is_unlock(&i), "{bytes:x?}: {i:?}");
        assert_eq!(Insn::decode(&buf), Err(Error::Unknown), "{bytes:x?}");
        assert!(!iced_says_ours(&buf), "{bytes:x?}");
    }
    for (bytes, insn) in [(WARNINSN, Insn::Warn5), (UNLOCKINSN, Insn::Unlock5)] {
        let mut buf = bytes.to_vec();
        buf.resize(8, 0xcc);
        assert!(iced_says_ours(&buf));
        assert_eq!(Insn::decode(&buf), Ok(insn));
    }
    println!(
        "iced: {} other encodings of ud1 (%edx),%rdi and ds ds movb $0,(%rdi) refused",
        others.len()
    );
}

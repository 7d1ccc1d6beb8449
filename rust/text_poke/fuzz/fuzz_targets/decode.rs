// SPDX-License-Identifier: GPL-2.0

//! Fuzz target: no input panics the crate, and what it decodes, re-encodes
//! to the same bytes and decodes the same way in iced-x86.

#![no_main]

use iced_x86::{Decoder, DecoderOptions};
use libfuzzer_sys::fuzz_target;
use text_poke::{static_call, Insn, PokeLoc};

fuzz_target!(|data: &[u8]| {
    if let Ok(insn) = Insn::decode(data) {
        let code = insn.encode();
        assert_eq!(Some(code.as_slice()), data.get(..insn.len()));
        let i = Decoder::with_ip(64, data, 0x1000, DecoderOptions::NONE).decode();
        assert!(!i.is_invalid());
        assert_eq!(i.len(), insn.len());
        if let Some(t) = insn.target(0x1000) {
            assert_eq!(i.near_branch_target(), t as u64);
        }
    }
    if data.len() <= 12 {
        let (a, b) = data.split_at(data.len() / 2);
        if a.len() == b.len() {
            let _ = PokeLoc::new(a, b).map(|l| l.emulate(0x1000, 0x246));
        }
    }
    for (tail, tramp) in [(false, false), (true, false), (true, true)] {
        let _ = static_call::validate(data, tail, tramp);
    }
});

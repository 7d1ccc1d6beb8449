// SPDX-License-Identifier: GPL-2.0

//! `text_poke_scan OBJECT`: the static call sites of an x86-64 relocatable
//! ELF object (`vmlinux.o` or a `.ko`), classified with the same code that
//! patches them in the kernel (the `text_poke` crate).
//!
//! objtool records each site in `.static_call_sites` as two 32-bit
//! PC-relative entries, `addr` (the instruction) and `key` (the
//! `__SCK__name` key, with bit 0 set for a tail call). The scanner resolves
//! both through the relocations, reads the instruction and asks
//! `text_poke::static_call::validate()` whether the patcher accepts it.
//!
//! Prints one line per conditional tail call (`func+0xoff/0xsize jne
//! __SCT__name`, as the kernel's boot report does), one `UNHANDLED:` line per
//! site the patcher would refuse, and a summary. Exit status: 0 when every
//! site is handled, 1 when one is not, 2 on a bad input file.

use object::{
    Architecture, BinaryFormat, Object, ObjectKind, ObjectSection, ObjectSymbol, RelocationTarget,
    SectionIndex, SymbolKind,
};
use std::collections::HashMap;
use std::process::ExitCode;
use text_poke::static_call::validate;
use text_poke::Insn;

/// The AT&T mnemonics of the rel32 jumps, by condition code, as llvm-objdump
/// prints them.
const JCC_MNEMONIC: [&str; 16] = [
    "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp", "jnp", "jl", "jge",
    "jle", "jg",
];

/// One function symbol: where it is, for `func+off/size`.
struct Func<'a> {
    name: &'a str,
    addr: u64,
    size: u64,
}

/// A resolved `.static_call_sites` entry.
struct Site<'a> {
    section: SectionIndex,
    offset: u64,
    key: &'a str,
    tail: bool,
}

fn fail(msg: String) -> ExitCode {
    eprintln!("text_poke_scan: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, path] = args.as_slice() else {
        return fail("usage: text_poke_scan OBJECT (vmlinux.o or a .ko)".into());
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => return fail(format!("{path}: {e}")),
    };
    let file = match object::File::parse(&*data) {
        Ok(f) if f.format() == BinaryFormat::Elf => f,
        Ok(_) | Err(_) => return fail(format!("{path}: not an ELF file")),
    };
    if file.architecture() != Architecture::X86_64 {
        return fail(format!("{path}: not x86-64 ({:?})", file.architecture()));
    }
    if file.kind() != ObjectKind::Relocatable {
        return fail(format!(
            "{path}: not a relocatable object: give vmlinux.o or a .ko"
        ));
    }
    match scan(&file) {
        Ok(handled) if handled => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => fail(format!("{path}: {e}")),
    }
}

fn scan(file: &object::File<'_>) -> Result<bool, String> {
    let Some(sites_sec) = file.section_by_name(".static_call_sites") else {
        println!("0 static call sites");
        return Ok(true);
    };
    // Relocations of .static_call_sites by offset: (symbol, addend).
    let mut relocs = HashMap::new();
    for (off, r) in sites_sec.relocations() {
        if let RelocationTarget::Symbol(idx) = r.target() {
            relocs.insert(off, (idx, r.addend()));
        }
    }
    let resolve = |off: u64| -> Result<(object::Symbol<'_, '_>, i64), String> {
        let (idx, addend) = relocs
            .get(&off)
            .ok_or(format!(".static_call_sites+{off:#x} has no relocation"))?;
        let sym = file.symbol_by_index(*idx).map_err(|e| e.to_string())?;
        Ok((sym, *addend))
    };

    let count = sites_sec.size() / 8;
    let mut sites = Vec::new();
    for i in 0..count {
        let (addr_sym, addr_add) = resolve(i * 8)?;
        let (key_sym, key_add) = resolve(i * 8 + 4)?;
        let section = addr_sym
            .section_index()
            .ok_or(format!("site {i}: address symbol has no section"))?;
        sites.push(Site {
            section,
            offset: addr_sym.address().wrapping_add(addr_add as u64),
            key: key_sym.name().map_err(|e| e.to_string())?,
            tail: key_add & 1 != 0,
        });
    }

    let mut funcs: HashMap<SectionIndex, Vec<Func<'_>>> = HashMap::new();
    for sym in file.symbols() {
        if let (SymbolKind::Text, Some(sec), Ok(name)) =
            (sym.kind(), sym.section_index(), sym.name())
        {
            funcs.entry(sec).or_default().push(Func {
                name,
                addr: sym.address(),
                size: sym.size(),
            });
        }
    }
    let where_ = |s: &Site<'_>| -> String {
        funcs
            .get(&s.section)
            .and_then(|v| {
                v.iter()
                    .find(|f| f.addr <= s.offset && s.offset < f.addr + f.size.max(1))
            })
            .map(|f| format!("{}+{:#x}/{:#x}", f.name, s.offset - f.addr, f.size))
            .unwrap_or_else(|| format!("section{}+{:#x}", s.section.0, s.offset))
    };

    let (mut calls, mut tails, mut jcc, mut bad) = (0, 0, 0, 0);
    for s in &sites {
        let text = file
            .section_by_index(s.section)
            .and_then(|sec| sec.data())
            .map_err(|e| e.to_string())?;
        let bytes = text
            .get(s.offset as usize..)
            .map(|b| &b[..b.len().min(8)])
            .unwrap_or(&[]);
        let trampoline = s.key.replace("__SCK__", "__SCT__");
        match validate(bytes, s.tail, false) {
            Ok(Insn::Jcc32(c, _)) => {
                jcc += 1;
                println!(
                    "{} {} {trampoline}",
                    where_(s),
                    JCC_MNEMONIC[usize::from(c.code())]
                );
            }
            Ok(_) if s.tail => tails += 1,
            Ok(_) => calls += 1,
            Err(e) => {
                bad += 1;
                let n = bytes.len().min(6);
                println!(
                    "UNHANDLED: {} {} site for {trampoline}: {:02x?} ({e:?})",
                    where_(s),
                    if s.tail { "tail-call" } else { "call" },
                    &bytes[..n]
                );
            }
        }
    }
    println!(
        "{} static call sites: {calls} calls, {tails} tail calls, {jcc} conditional tail calls, {bad} unhandled",
        sites.len()
    );
    Ok(bad == 0)
}

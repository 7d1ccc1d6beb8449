// SPDX-License-Identifier: GPL-2.0

//! Host micro-benchmark: the crate's decisions against the C ones.
//!
//! The Rust side is the kernel's own FFI files, `arch/x86/kernel/text_poke_ffi.rs`
//! and `text_poke_int3.rs`, compiled here with the crate: the functions the
//! kernel calls with `X86_TEXT_POKE_RUST=y`. They see what they see in the
//! kernel: `kernel::bindings` is bindgen's output for the tree's headers
//! (`tests/seam/bindings.h`, made by `workbench/hosttest.sh seam`), and
//! `#[export]` checks them against it (`tests/seam/export/`). The C side is `<asm/static_call_insn.h>` and
//! `<asm/text-poke-insn-c.h>` of a kernel tree (`TEXT_POKE_KSRC`, default
//! `build/7.3/linux`), with the condition of
//! `<asm/text-patching.h>` and the kernel's instruction decoder as `tools/`
//! builds it for the host, compiled by clang-19 into a shared object
//! (`tests/seam/seam.c`, shims in `tests/seam/include/`): what the kernel
//! inlines with `=n`.
//!
//! For each decision (static call site check, static call patch, classify,
//! INT3 emulation, condition), both sides first must agree on every input;
//! then both are timed in the same run, alternating, through function
//! pointers, and the median of `TEXT_POKE_SEAM_SAMPLES` samples is printed in
//! nanoseconds per call. That times the decisions alone, both called out of
//! line: in a kernel with `=n` the C ones are inlined into their callers,
//! with `=y` the Rust ones are calls (with the return thunk where the CPU
//! wants one), and neither side is built with the kernel's code model. Not run by `cargo test` (`test = false`): `make
//! bench` runs it with `--release`, `make check` for the agreement with few
//! samples.

use ffi::c_ulong;
use std::ffi::{c_int, c_uint, c_void, CString};
use std::hint::black_box;
use std::time::Instant;

extern crate self as kernel;

/// What the kernel crate's `ffi` module gives the FFI files (its `c_char` is
/// `u8` on every architecture, its `c_ulong` `usize`).
pub mod ffi {
    pub use core::ffi::{c_int, c_uint, c_void};
    /// The kernel's `c_ulong`.
    #[allow(non_camel_case_types)]
    pub type c_ulong = usize;
    /// The kernel's `c_char`.
    #[allow(non_camel_case_types)]
    pub type c_char = u8;
}

/// The part of the kernel's prelude that the FFI files use.
pub mod prelude {
    pub use text_poke_export::export;
}

/// bindgen's output for `tests/seam/bindings.h` against the tree.
#[allow(
    dead_code,
    non_camel_case_types,
    non_upper_case_globals,
    missing_docs,
    clippy::all
)]
pub mod bindings {
    include!(env!("TEXT_POKE_SEAM_BINDINGS"));
}

#[allow(dead_code, unexpected_cfgs)]
#[path = "../../../arch/x86/kernel/text_poke_ffi.rs"]
mod text_poke_ffi;

#[allow(dead_code)]
#[path = "../../../arch/x86/kernel/text_poke_int3.rs"]
mod text_poke_int3;

use bindings::{
    text_poke_emu as TextPokeEmu, text_poke_sc_env as TextPokeScEnv,
    text_poke_sc_patch as TextPokeScPatch, text_poke_sc_site as TextPokeScSite,
};

type ScCheck = unsafe extern "C" fn(*const u8, bool, bool, *mut TextPokeScSite) -> c_int;
type CScPatch = unsafe extern "C" fn(*mut u8, c_int, *mut c_void, *mut TextPokeScPatch) -> c_int;
type Classify = unsafe extern "C" fn(*const u8, *const u8, c_uint, *mut u8, *mut i32) -> c_int;
type Emulate = unsafe extern "C" fn(u8, u8, i32, c_ulong, c_ulong) -> TextPokeEmu;
type Cond = unsafe extern "C" fn(c_ulong, u8) -> bool;

/// The C side, loaded from the shared object.
struct CSeam {
    sc_check: ScCheck,
    sc_patch: CScPatch,
    classify: Classify,
    emulate: Emulate,
    cond: Cond,
    /// `__static_call_return0`, `__WARN_trap`, `__static_call_return`,
    /// `x86_return_thunk` of the shared object.
    targets: [c_ulong; 4],
}

fn ksrc() -> String {
    std::env::var("TEXT_POKE_KSRC")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../build/7.3/linux").into())
}

fn run(cmd: &mut std::process::Command) {
    let st = cmd
        .status()
        .expect("clang-19 and awk (installed by workbench/setup.sh)");
    assert!(st.success(), "{cmd:?}");
}

/// Builds and loads the C side with the flags the kernel uses here (-Os).
fn load_c() -> CSeam {
    let k = ksrc();
    let header = format!("{k}/arch/x86/include/asm/static_call_insn.h");
    assert!(
        std::path::Path::new(&header).exists(),
        "no {header}: run workbench/tree.sh or set TEXT_POKE_KSRC to a series tree"
    );
    let dir = env!("CARGO_TARGET_TMPDIR");
    let me = env!("CARGO_MANIFEST_DIR");
    let tables = format!("{dir}/inat-tables.c");
    let out = std::fs::File::create(&tables).unwrap();
    run(std::process::Command::new("awk")
        .arg("-f")
        .arg(format!("{k}/tools/arch/x86/tools/gen-insn-attr-x86.awk"))
        .arg(format!("{k}/tools/arch/x86/lib/x86-opcode-map.txt"))
        .stdout(out));
    let so = format!("{dir}/seam.so");
    let clang = |args: &[String]| {
        run(std::process::Command::new("clang-19")
            .args(["-Os", "-fPIC", "-Wall"])
            .args(args))
    };
    // The seam, with the kernel tree's headers behind the shims.
    clang(&[
        "-Werror".into(),
        format!("-I{me}/tests/seam/include"),
        format!("-I{k}/arch/x86/include"),
        format!("-DTP_TOOLS_INSN_H=\"{k}/tools/arch/x86/include/asm/insn.h\""),
        format!("-DTP_NOPS_H=\"{k}/arch/x86/include/asm/nops.h\""),
        "-c".into(),
        format!("{me}/tests/seam/seam.c"),
        "-o".into(),
        format!("{dir}/seam.o"),
    ]);
    // The decoder, with the include paths tools/ builds it with.
    for f in ["insn", "inat"] {
        clang(&[
            format!("-I{dir}"),
            format!("-I{k}/tools/include"),
            format!("-I{k}/tools/arch/x86/include"),
            "-c".into(),
            format!("{k}/tools/arch/x86/lib/{f}.c"),
            "-o".into(),
            format!("{dir}/{f}.o"),
        ]);
    }
    // -Bsymbolic: the seam calls the decoder directly, not through the PLT.
    clang(&[
        "-shared".into(),
        "-Wl,-z,defs".into(),
        "-Wl,-Bsymbolic".into(),
        "-o".into(),
        so.clone(),
        format!("{dir}/seam.o"),
        format!("{dir}/insn.o"),
        format!("{dir}/inat.o"),
    ]);
    let c = CString::new(so).unwrap();
    // SAFETY: Loading our own freshly built object.
    let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW) };
    assert!(!h.is_null(), "dlopen seam.so");
    let sym = |name: &str| {
        let c = CString::new(name).unwrap();
        // SAFETY: `h` is a live handle, `c` a valid C string.
        let p = unsafe { libc::dlsym(h, c.as_ptr()) };
        assert!(!p.is_null(), "dlsym {name}");
        p
    };
    let mut targets = [0; 4];
    // SAFETY: tp_c_targets() of seam.c fills four unsigned longs.
    unsafe {
        let f: extern "C" fn(*mut c_ulong) = std::mem::transmute(sym("tp_c_targets"));
        f(targets.as_mut_ptr());
    }
    // SAFETY: The symbols of seam.c, with these C signatures.
    unsafe {
        CSeam {
            sc_check: std::mem::transmute::<*mut c_void, ScCheck>(sym("tp_c_sc_check")),
            sc_patch: std::mem::transmute::<*mut c_void, CScPatch>(sym("tp_c_sc_patch")),
            classify: std::mem::transmute::<*mut c_void, Classify>(sym("tp_c_classify")),
            emulate: std::mem::transmute::<*mut c_void, Emulate>(sym("tp_c_emulate")),
            cond: std::mem::transmute::<*mut c_void, Cond>(sym("tp_c_cond")),
            targets,
        }
    }
}

/// Text to patch: the static call sites of the bench, each 16 bytes apart
/// in one buffer, the targets near them.
struct Text {
    buf: Vec<u8>,
}

/// The sites: (bytes, tail), as `static_call_init()` finds them.
const SITES: [(&[u8], bool); 6] = [
    (&[0xe8, 0x10, 0x20, 0x00, 0x00], false),
    (&[0x0f, 0x1f, 0x44, 0x00, 0x00], false),
    (&[0x2e, 0x2e, 0x2e, 0x31, 0xc0], false),
    (&[0xe9, 0x10, 0x20, 0x00, 0x00], true),
    (&[0xc3, 0xcc, 0xcc, 0xcc, 0xcc], true),
    (&[0x0f, 0x85, 0x10, 0x20, 0x00, 0x00], true),
];

impl Text {
    fn new() -> Self {
        let mut buf = vec![0xcc; 16 * SITES.len() + 64];
        for (i, (b, _)) in SITES.iter().enumerate() {
            buf[16 * i..16 * i + b.len()].copy_from_slice(b);
        }
        Text { buf }
    }

    fn site(&self, i: usize) -> *const u8 {
        self.buf[16 * i..].as_ptr()
    }
}

/// The patches of the bench: (site, type, target); type as `__sc_insn()`:
/// 0 call, 1 nop, 2 jmp, 3 ret.
fn patches(t: &Text, c: &CSeam) -> Vec<(usize, c_int, c_ulong)> {
    let near = t.site(0) as c_ulong + 0x1000;
    vec![
        (0, 0, near),
        (0, 1, 0),
        (1, 0, c.targets[0]),
        (3, 2, near),
        (3, 3, 0),
        (4, 2, near),
        (5, 2, near),
        (5, 3, 0),
    ]
}

/// What the kernel's `text_poke_sc_env()` gives the Rust patch: the same
/// targets the C side compares with, no return thunk, no call thunks.
fn env(c: &CSeam, func: c_ulong) -> TextPokeScEnv {
    TextPokeScEnv {
        func,
        ret0: c.targets[0],
        warn: c.targets[1],
        unlock: 0,
        ret: c.targets[2],
        rethunk_at: 0,
        rethunk: 0,
    }
}

fn patch_bytes(p: &TextPokeScPatch) -> Vec<u8> {
    // SAFETY: `code` points to `len` bytes of the patch (or the C side's
    // static buffers), valid until the next call.
    unsafe { std::slice::from_raw_parts(p.code, p.len as usize) }.to_vec()
}

fn blank_patch() -> TextPokeScPatch {
    TextPokeScPatch {
        code: std::ptr::null(),
        emulate: std::ptr::null(),
        len: 0,
        buf: [0; 6],
        ebuf: [0; 6],
    }
}

/// What the INT3 path classifies: (written bytes as stored, emulated bytes,
/// length). A Jcc.d32 is stored without its 0x0f.
const LOCS: [(&[u8], &[u8], u32); 5] = [
    (
        &[0x85, 0x10, 0x20, 0x00, 0x00],
        &[0x0f, 0x85, 0x10, 0x20, 0x00, 0x00],
        6,
    ),
    (
        &[0xe8, 0x10, 0x20, 0x00, 0x00],
        &[0xe8, 0x10, 0x20, 0x00, 0x00],
        5,
    ),
    (
        &[0xe9, 0x10, 0x20, 0x00, 0x00],
        &[0xe9, 0x10, 0x20, 0x00, 0x00],
        5,
    ),
    (
        &[0x0f, 0x1f, 0x44, 0x00, 0x00],
        &[0x0f, 0x1f, 0x44, 0x00, 0x00],
        5,
    ),
    (
        &[0xc3, 0xcc, 0xcc, 0xcc, 0xcc],
        &[0xc3, 0xcc, 0xcc, 0xcc, 0xcc],
        5,
    ),
];

/// The EFLAGS values of the bench: every combination of OF, SF, ZF, PF, CF.
fn flags() -> Vec<c_ulong> {
    (0..32u32)
        .map(|i| {
            let mut f = 0x2;
            for (bit, mask) in [(0, 0x800), (1, 0x80), (2, 0x40), (3, 0x4), (4, 0x1)] {
                if i & (1 << bit) != 0 {
                    f |= mask;
                }
            }
            f
        })
        .collect()
}

/// One sample of a decision: runs `f` (`calls` calls) `reps` times, in ns
/// per call.
fn sample(reps: usize, calls: usize, f: &mut dyn FnMut()) -> f64 {
    let t0 = Instant::now();
    for _ in 0..reps {
        f();
    }
    t0.elapsed().as_nanos() as f64 / (reps * calls) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

#[test]
fn seam_c_vs_rust() {
    let samples: usize = std::env::var("TEXT_POKE_SEAM_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(21);
    let reps: usize = if samples > 5 { 20_000 } else { 200 };
    let c = load_c();
    let t = Text::new();
    let pats = patches(&t, &c);
    let fl = flags();

    // Agreement first: every input, both sides.
    for (i, (b, tail)) in SITES.iter().enumerate() {
        let (mut sc, mut sr) = (
            TextPokeScSite {
                expected: std::ptr::null(),
                len: 0,
            },
            TextPokeScSite {
                expected: std::ptr::null(),
                len: 0,
            },
        );
        // SAFETY: 16 readable bytes at each site; `sc`/`sr` writable.
        let (rc, rr) = unsafe {
            (
                (c.sc_check)(t.site(i), *tail, false, &mut sc),
                text_poke_ffi::text_poke_sc_check(t.site(i), *tail, false, &mut sr),
            )
        };
        assert_eq!((rc, rr), (0, 0), "sc_check {b:02x?}");
    }
    for &(i, ty, func) in &pats {
        let (mut pc, mut pr) = (blank_patch(), blank_patch());
        let e = env(&c, func);
        // SAFETY: As above; the C side writes its code into static buffers.
        let (rc, rr) = unsafe {
            (
                (c.sc_patch)(t.site(i) as *mut u8, ty, func as *mut c_void, &mut pc),
                text_poke_ffi::text_poke_rs_sc_patch(t.site(i), ty as c_uint, &e, &mut pr),
            )
        };
        assert_eq!((rc, rr), (0, 0), "sc_patch site {i} type {ty}");
        assert_eq!(
            patch_bytes(&pc),
            patch_bytes(&pr),
            "sc_patch site {i} type {ty}"
        );
    }
    for (text, emu, len) in LOCS {
        let (mut oc, mut dc, mut or, mut dr) = (0u8, 0i32, 0u8, 0i32);
        // SAFETY: `text` and `emu` hold what `len` requires.
        let (rc, rr) = unsafe {
            (
                (c.classify)(text.as_ptr(), emu.as_ptr(), len, &mut oc, &mut dc),
                text_poke_ffi::text_poke_classify(
                    text.as_ptr(),
                    emu.as_ptr(),
                    len,
                    &mut or,
                    &mut dr,
                ),
            )
        };
        assert_eq!((rc, oc, dc), (rr, or, dr), "classify {emu:02x?}");
        for &f in &fl {
            // SAFETY: Both read nothing but their arguments.
            let (ec, er) = unsafe {
                (
                    (c.emulate)(oc, len as u8, dc, 0x1000, f),
                    text_poke_int3::text_poke_emulate(or, len as u8, dr, 0x1000, f),
                )
            };
            assert_eq!(
                (ec.target, ec.action),
                (er.target, er.action),
                "emulate {emu:02x?} flags {f:#x}"
            );
        }
    }
    for &f in &fl {
        for cc in 0..16 {
            // SAFETY: Both read nothing but their arguments.
            let (cc_c, cc_r) = unsafe { ((c.cond)(f, cc), text_poke_int3::text_poke_cond(f, cc)) };
            assert_eq!(cc_c, cc_r, "cond {cc} flags {f:#x}");
        }
    }

    // Then the timing, alternating C and Rust sample by sample.
    let rs_check: ScCheck = text_poke_ffi::text_poke_sc_check;
    let rs_patch: unsafe extern "C" fn(
        *const u8,
        c_uint,
        *const TextPokeScEnv,
        *mut TextPokeScPatch,
    ) -> c_int = text_poke_ffi::text_poke_rs_sc_patch;
    let rs_classify: Classify = text_poke_ffi::text_poke_classify;
    let rs_emulate: Emulate = text_poke_int3::text_poke_emulate;
    let rs_cond: Cond = text_poke_int3::text_poke_cond;
    let jcc = (0x75u8, 6u8, 0x2010i32);

    let mut rows: Vec<(&str, f64, f64)> = Vec::new();
    let mut both =
        |name: &'static str, calls: usize, fc: &mut dyn FnMut(), fr: &mut dyn FnMut()| {
            let (mut vc, mut vr) = (Vec::new(), Vec::new());
            for _ in 0..samples {
                vc.push(sample(reps, calls, fc));
                vr.push(sample(reps, calls, fr));
            }
            rows.push((name, median(vc), median(vr)));
        };
    let mut site_c = TextPokeScSite {
        expected: std::ptr::null(),
        len: 0,
    };
    let mut site_r = TextPokeScSite {
        expected: std::ptr::null(),
        len: 0,
    };
    both(
        "static call site check",
        SITES.len(),
        &mut || {
            for (i, (_, tail)) in SITES.iter().enumerate() {
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(c.sc_check))(black_box(t.site(i)), *tail, false, &mut site_c)
                });
            }
        },
        &mut || {
            for (i, (_, tail)) in SITES.iter().enumerate() {
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(rs_check))(black_box(t.site(i)), *tail, false, &mut site_r)
                });
            }
        },
    );
    let (mut p_c, mut p_r) = (blank_patch(), blank_patch());
    both(
        "static call patch",
        pats.len(),
        &mut || {
            for &(i, ty, func) in &pats {
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(c.sc_patch))(
                        black_box(t.site(i) as *mut u8),
                        ty,
                        func as *mut c_void,
                        &mut p_c,
                    )
                });
            }
        },
        &mut || {
            for &(i, ty, func) in &pats {
                // The environment is part of the Rust path: the kernel's
                // text_poke_sc_patch() fills it for each call.
                let e = black_box(env(&c, func));
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(rs_patch))(black_box(t.site(i)), ty as c_uint, &e, &mut p_r)
                });
            }
        },
    );
    let (mut o_c, mut d_c, mut o_r, mut d_r) = (0u8, 0i32, 0u8, 0i32);
    both(
        "classify (batch add)",
        LOCS.len(),
        &mut || {
            for (text, emu, len) in LOCS {
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(c.classify))(
                        black_box(text.as_ptr()),
                        emu.as_ptr(),
                        len,
                        &mut o_c,
                        &mut d_c,
                    )
                });
            }
        },
        &mut || {
            for (text, emu, len) in LOCS {
                // SAFETY: As in the agreement check.
                black_box(unsafe {
                    (black_box(rs_classify))(
                        black_box(text.as_ptr()),
                        emu.as_ptr(),
                        len,
                        &mut o_r,
                        &mut d_r,
                    )
                });
            }
        },
    );
    both(
        "INT3 emulation of a Jcc",
        fl.len(),
        &mut || {
            for &f in &fl {
                // SAFETY: It reads nothing but its arguments.
                black_box(unsafe {
                    (black_box(c.emulate))(black_box(jcc.0), jcc.1, jcc.2, 0x1000, f)
                });
            }
        },
        &mut || {
            for &f in &fl {
                // SAFETY: It reads nothing but its arguments.
                black_box(unsafe {
                    (black_box(rs_emulate))(black_box(jcc.0), jcc.1, jcc.2, 0x1000, f)
                });
            }
        },
    );
    both(
        "condition (16 cc)",
        fl.len() * 16,
        &mut || {
            for &f in &fl {
                for cc in 0..16 {
                    // SAFETY: It reads nothing but its arguments.
                    black_box(unsafe { (black_box(c.cond))(f, black_box(cc)) });
                }
            }
        },
        &mut || {
            for &f in &fl {
                for cc in 0..16 {
                    // SAFETY: It reads nothing but its arguments.
                    black_box(unsafe { (black_box(rs_cond))(f, black_box(cc)) });
                }
            }
        },
    );

    println!("seam: ns per call, median of {samples} samples of {reps} rounds, C (clang-19 -Os) and Rust (this build) alternating");
    for (name, nc, nr) in &rows {
        println!(
            "seam: {name:<26} C {nc:6.2}  Rust {nr:6.2}  Rust/C {:.2}",
            nr / nc
        );
    }
}

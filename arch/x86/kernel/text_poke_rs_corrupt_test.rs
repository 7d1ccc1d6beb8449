// SPDX-License-Identifier: GPL-2.0

//! Test module: a static call site of a form the patcher does not know.
//!
//! Not a sample: it is for test kernels only.
//!
//! The key has two inline sites, both tail calls to its trampoline. The
//! first is written with a `cs` prefix, `2e e9 <rel32>`: objtool records it
//! as a tail-call site, but it is not a form the patcher rewrites. Loading
//! the module must report it once (the address, the bytes found and the
//! forms expected) and leave it calling the trampoline. The second is a
//! plain `jmp`, which the patcher rewrites inline.
//!
//! The module then updates the key three times. Every update must be
//! written: the trampoline and the plain site retargeted, the prefixed site
//! left as it is and not reported again. After each update both sites must
//! land on the current target, the prefixed one through the trampoline.
//!
//! The module checks all of that and prints one line; the kernel keeps
//! running. Built with the trampoline's signature removed, the prefixed site
//! is foreign text, not a branch to a static call trampoline, and loading the
//! module reports it and dies in `BUG()`.

use core::ffi::c_void;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::bindings;
use kernel::prelude::*;

module! {
    type: TextPokeCorruptTest,
    name: "text_poke_rs_corrupt_test",
    description: "Test: a static call site of unknown form keeps calling its trampoline",
    license: "GPL",
}

core::arch::global_asm!(
    r#"
    // A static call as DEFINE_STATIC_CALL() makes it: the key (type 1: no
    // sites attached yet) on target A, and the trampoline, a jump to A and
    // the signature ud1 %esp,%ecx.
    .pushsection .data
    .balign 8
    .globl __SCK__rust_tp_corrupt
__SCK__rust_tp_corrupt:
    .quad rust_tp_corrupt_a
    .quad 1
    .popsection

    .pushsection .static_call.text, "ax"
    .balign 4
    .globl __SCT__rust_tp_corrupt
__SCT__rust_tp_corrupt:
    // ANNOTATE_NOENDBR, in both of the forms that objtool has read; both
    // sections are discarded at link time.
    .pushsection .discard.annotate_insn, "M", @progbits, 8
    .long __SCT__rust_tp_corrupt - ., 1
    .popsection
    .pushsection .discard.noendbr
    .long __SCT__rust_tp_corrupt
    .popsection
    .byte 0xe9
    .long rust_tp_corrupt_a - (. + 4)
    .byte 0x0f, 0xb9, 0xcc
    .type __SCT__rust_tp_corrupt, @function
    .size __SCT__rust_tp_corrupt, . - __SCT__rust_tp_corrupt
    .popsection

    // Each site function: endbr64 (4 bytes), then the site (6 bytes).
    .pushsection .text
    .globl rust_tp_corrupt_site
    .type rust_tp_corrupt_site, @function
rust_tp_corrupt_site:
    endbr64
    .byte 0x2e, 0xe9
    .long __SCT__rust_tp_corrupt - 4 - .
    .size rust_tp_corrupt_site, . - rust_tp_corrupt_site

    .globl rust_tp_plain_site
    .type rust_tp_plain_site, @function
rust_tp_plain_site:
    endbr64
    .byte 0xe9
    .long __SCT__rust_tp_corrupt - 4 - .
    int3
    .size rust_tp_plain_site, . - rust_tp_plain_site
    .popsection
"#,
    options(att_syntax)
);

extern "C" {
    static mut __SCK__rust_tp_corrupt: [u64; 2];
    fn __SCT__rust_tp_corrupt();
    fn rust_tp_corrupt_site(slot: *mut u64);
    fn rust_tp_plain_site(slot: *mut u64);
}

/// Calls that reached each target.
static HITS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// Target A: records 1.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
unsafe extern "C" fn rust_tp_corrupt_a(slot: *mut u64) {
    HITS[0].fetch_add(1, Ordering::Relaxed);
    // SAFETY: The caller guarantees that `slot` is valid for writes.
    unsafe { *slot = 1 };
}

/// Target B: records 2.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
unsafe extern "C" fn rust_tp_corrupt_b(slot: *mut u64) {
    HITS[1].fetch_add(1, Ordering::Relaxed);
    // SAFETY: The caller guarantees that `slot` is valid for writes.
    unsafe { *slot = 2 };
}

/// A function that holds one inline site of the key.
type SiteFn = unsafe extern "C" fn(*mut u64);

/// The 6 bytes of the inline site of `f` (after its `endbr64`).
fn site_bytes(f: SiteFn) -> [u8; 6] {
    // The offset is added at run time: a relocation into the middle of a
    // function would be an indirect branch target without ENDBR to objtool.
    let addr = core::hint::black_box(f as *const () as usize) + 4;
    let mut b = [0u8; 6];
    // SAFETY: Bytes 4 to 9 of a site function of this module, which is at
    // least 10 bytes long.
    unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, b.as_mut_ptr(), 6) };
    b
}

/// Calls `f` once and says where it landed: 1 (A), 2 (B) or 0 (returned).
fn call(f: SiteFn) -> u64 {
    let mut slot = 0;
    // SAFETY: Both site functions follow the C ABI, reach one of the
    // targets above, or return, and write only `slot`.
    unsafe { f(&mut slot) };
    slot
}

/// `static_call_update()` of the key to `func`.
fn update(func: Option<SiteFn>) {
    let func = func.map_or(core::ptr::null_mut(), |f| f as *mut c_void);
    // SAFETY: The key of this module's static call with its own trampoline;
    // the target is one of this module's functions or NULL.
    unsafe {
        bindings::__static_call_update(
            core::ptr::addr_of_mut!(__SCK__rust_tp_corrupt).cast(),
            __SCT__rust_tp_corrupt as *mut c_void,
            func,
        )
    };
}

struct TextPokeCorruptTest;

impl kernel::Module for TextPokeCorruptTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let (odd, plain): (SiteFn, SiteFn) = (rust_tp_corrupt_site, rust_tp_plain_site);
        let tramp = __SCT__rust_tp_corrupt as *const () as usize;
        // Where the two sites land, and whether the plain one was rewritten
        // inline: it no longer branches to the trampoline.
        let observe = || {
            let p = site_bytes(plain);
            let rel = i32::from_le_bytes([p[1], p[2], p[3], p[4]]) as isize;
            // Through black_box, as in `site_bytes()`.
            let end = core::hint::black_box(plain as *const () as usize) + 9;
            let dest = end.wrapping_add_signed(rel);
            ((call(odd), call(plain)), !(p[0] == 0xe9 && dest == tramp))
        };
        let before = site_bytes(odd);
        // On A after the load, then after the updates to B, NULL and A.
        let (first, mut plain_patched) = observe();
        let mut landed = [first; 4];
        let targets: [Option<SiteFn>; 3] = [Some(rust_tp_corrupt_b), None, Some(rust_tp_corrupt_a)];
        for (i, func) in targets.into_iter().enumerate() {
            update(func);
            let (l, patched) = observe();
            landed[i + 1] = l;
            plain_patched &= patched;
        }
        let after = site_bytes(odd);

        let want = [(1, 1), (2, 2), (0, 0), (1, 1)];
        let untouched = before[..2] == [0x2e, 0xe9] && after == before;
        let pass = untouched && plain_patched && landed == want;
        pr_info!(
            "{}: site {:02x?} {}, plain site {}, calls landed {:?} (want {:?})\n",
            if pass { "PASS" } else { "FAIL" },
            after,
            if untouched {
                "left untouched"
            } else {
                "CHANGED"
            },
            if plain_patched {
                "patched inline"
            } else {
                "NOT PATCHED"
            },
            landed,
            want
        );
        if pass {
            Ok(TextPokeCorruptTest)
        } else {
            Err(EINVAL)
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Rust sample: a static call site with unexpected bytes.
//!
//! The module's only static call site is a tail call written with a `cs`
//! prefix, `2e e9 <rel32>`: objtool records it as a tail-call site, but it is
//! not a form the patcher rewrites. Loading the module must report it (one
//! error line with the address and the bytes, one WARN), leave it untouched,
//! and keep the module working: the prefixed jump still reaches the
//! trampoline, which `static_call_update()` retargets. The module checks all
//! of that and prints one line; the kernel keeps running.

use core::ffi::c_void;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

module! {
    type: RustTextPokeCorrupt,
    name: "rust_text_poke_corrupt",
    description: "Rust sample: an unexpected static call site is reported and left alone",
    license: "GPL",
}

core::arch::global_asm!(
    r#"
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
986:
    // ANNOTATE_NOENDBR: objtool reads the first since 6.14, the second
    // before; both sections are discarded at link time.
    .pushsection .discard.annotate_insn, "M", @progbits, 8
    .long 986b - ., 1
    .popsection
    .pushsection .discard.noendbr
    .long 986b
    .popsection
    .byte 0xe9
    .long rust_tp_corrupt_a - (. + 4)
    .byte 0x0f, 0xb9, 0xcc
    .type __SCT__rust_tp_corrupt, @function
    .size __SCT__rust_tp_corrupt, . - __SCT__rust_tp_corrupt
    .popsection

    .pushsection .text
    .globl rust_tp_corrupt_site
    .type rust_tp_corrupt_site, @function
rust_tp_corrupt_site:
    endbr64
    .byte 0x2e, 0xe9
    .long __SCT__rust_tp_corrupt - 4 - .
    .size rust_tp_corrupt_site, . - rust_tp_corrupt_site
    .popsection
"#,
    options(att_syntax)
);

extern "C" {
    static mut __SCK__rust_tp_corrupt: [u64; 2];
    fn __SCT__rust_tp_corrupt();
    fn rust_tp_corrupt_site(slot: *mut u64);
    fn __static_call_update(key: *mut c_void, tramp: *mut c_void, func: *mut c_void);
}

/// Calls that reached each target.
static HITS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// Target A: records 1.
#[no_mangle]
extern "C" fn rust_tp_corrupt_a(slot: *mut u64) {
    HITS[0].fetch_add(1, Ordering::Relaxed);
    // SAFETY: The caller passes its local slot.
    unsafe { *slot = 1 };
}

/// Target B: records 2.
#[no_mangle]
extern "C" fn rust_tp_corrupt_b(slot: *mut u64) {
    HITS[1].fetch_add(1, Ordering::Relaxed);
    // SAFETY: As for target A.
    unsafe { *slot = 2 };
}

/// The site's first 6 bytes.
fn site_bytes() -> [u8; 6] {
    // The offset is added at run time: a relocation into the middle of a
    // function would be an indirect branch target without ENDBR to objtool.
    let addr = core::hint::black_box(rust_tp_corrupt_site as *const () as usize) + 4;
    let mut b = [0u8; 6];
    // SAFETY: The site is 6 bytes of this module's text after the endbr64.
    unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, b.as_mut_ptr(), 6) };
    b
}

/// Calls the site once and says where it landed.
fn call() -> u64 {
    let mut slot = 0;
    // SAFETY: The site function follows the C ABI and writes only `slot`.
    unsafe { rust_tp_corrupt_site(&mut slot) };
    slot
}

fn update(func: *mut c_void) {
    // SAFETY: This module's key and trampoline; the target is one of its
    // functions or NULL.
    unsafe {
        __static_call_update(
            core::ptr::addr_of_mut!(__SCK__rust_tp_corrupt).cast(),
            __SCT__rust_tp_corrupt as *mut c_void,
            func,
        )
    };
}

struct RustTextPokeCorrupt;

impl kernel::Module for RustTextPokeCorrupt {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let before = site_bytes();
        let first = call();
        update(rust_tp_corrupt_b as *mut c_void);
        let second = call();
        update(core::ptr::null_mut());
        let third = call();
        update(rust_tp_corrupt_a as *mut c_void);
        let fourth = call();
        let after = site_bytes();

        let untouched = before[..2] == [0x2e, 0xe9] && after == before;
        let pass = untouched && (first, second, third, fourth) == (1, 2, 0, 1);
        pr_info!(
            "{}: site {:02x?} {}, calls through the trampoline landed {} {} {} {} (want 1 2 0 1)\n",
            if pass { "PASS" } else { "FAIL" },
            after,
            if untouched {
                "left untouched"
            } else {
                "CHANGED"
            },
            first,
            second,
            third,
            fourth
        );
        if pass {
            Ok(RustTextPokeCorrupt)
        } else {
            Err(EINVAL)
        }
    }
}

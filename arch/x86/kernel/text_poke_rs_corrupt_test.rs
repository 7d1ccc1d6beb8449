// SPDX-License-Identifier: GPL-2.0

//! Test module: a static call site and a trampoline with unexpected bytes.
//!
//! Not a sample: loading it WARNs on purpose, so it is for test kernels only,
//! never for a machine with `panic_on_warn`.
//!
//! The first key's only static call site is a tail call written with a `cs`
//! prefix, `2e e9 <rel32>`: objtool records it as a tail-call site, but it is
//! not a form the patcher rewrites. Loading the module must report it (one
//! WARN with the address, the bytes and the forms expected), leave it
//! untouched, and keep the module working: the prefixed jump still reaches
//! the trampoline. Without batched updates, `static_call_update()` retargets
//! the trampoline and later updates skip the site without a second report.
//! With them (`CONFIG_HAVE_STATIC_CALL_BATCH`), an update with an unexpected
//! site writes nothing: each update is refused, the first one with a WARN,
//! and the calls keep reaching the first target.
//!
//! The second key's trampoline lacks the signature after its jump. An update
//! of that key must be refused as a whole (one WARN): the key, the trampoline
//! and its valid inline site keep the old function, so no caller reaches the
//! new one while others reach the old one.
//!
//! The module checks all of that and prints one line per key; the kernel
//! keeps running.

use core::ffi::c_void;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

module! {
    type: TextPokeCorruptTest,
    name: "text_poke_rs_corrupt_test",
    description: "Test: unexpected static call text is reported, left alone, never torn",
    license: "GPL",
}

core::arch::global_asm!(
    r#"
    // A static call as DEFINE_STATIC_CALL() makes it: the key (type 1: no
    // sites attached yet) on target A, and the trampoline, a jump to A and
    // the three bytes `sig`.
    .macro rust_tp_static_call name, sig:vararg
    .pushsection .data
    .balign 8
    .globl __SCK__\name
__SCK__\name:
    .quad rust_tp_corrupt_a
    .quad 1
    .popsection

    .pushsection .static_call.text, "ax"
    .balign 4
    .globl __SCT__\name
__SCT__\name:
    // ANNOTATE_NOENDBR: objtool reads the first since 6.14, the second
    // before; both sections are discarded at link time.
    .pushsection .discard.annotate_insn, "M", @progbits, 8
    .long __SCT__\name - ., 1
    .popsection
    .pushsection .discard.noendbr
    .long __SCT__\name
    .popsection
    .byte 0xe9
    .long rust_tp_corrupt_a - (. + 4)
    .byte \sig
    .type __SCT__\name, @function
    .size __SCT__\name, . - __SCT__\name
    .popsection
    .endm

    // The trampoline signature, ud1 %esp,%ecx.
    rust_tp_static_call rust_tp_corrupt, 0x0f, 0xb9, 0xcc

    .pushsection .text
    .globl rust_tp_corrupt_site
    .type rust_tp_corrupt_site, @function
rust_tp_corrupt_site:
    endbr64
    .byte 0x2e, 0xe9
    .long __SCT__rust_tp_corrupt - 4 - .
    .size rust_tp_corrupt_site, . - rust_tp_corrupt_site
    .popsection

    // This trampoline lacks the signature.
    rust_tp_static_call rust_tp_badtramp, 0xcc, 0xcc, 0xcc

    .pushsection .text
    .globl rust_tp_badtramp_site
    .type rust_tp_badtramp_site, @function
rust_tp_badtramp_site:
    endbr64
    .byte 0xe9
    .long __SCT__rust_tp_badtramp - 4 - .
    int3
    .size rust_tp_badtramp_site, . - rust_tp_badtramp_site
    .popsection
"#,
    options(att_syntax)
);

extern "C" {
    static mut __SCK__rust_tp_corrupt: [u64; 2];
    fn __SCT__rust_tp_corrupt();
    fn rust_tp_corrupt_site(slot: *mut u64);
    static mut __SCK__rust_tp_badtramp: [u64; 2];
    fn __SCT__rust_tp_badtramp();
    fn rust_tp_badtramp_site(slot: *mut u64);
    fn __static_call_update(key: *mut c_void, tramp: *mut c_void, func: *mut c_void);
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

/// The two static calls of this module: each a key, its trampoline and the
/// function with its one inline site.
#[derive(Clone, Copy)]
enum Call {
    /// The site is `cs jmp`, which the patcher must refuse.
    CorruptSite,
    /// The trampoline lacks its signature.
    BadTramp,
}

impl Call {
    /// The function that holds the inline site: `endbr64` (4 bytes), then
    /// the site; each such function is 10 bytes long.
    fn site_fn(self) -> unsafe extern "C" fn(*mut u64) {
        match self {
            Call::CorruptSite => rust_tp_corrupt_site,
            Call::BadTramp => rust_tp_badtramp_site,
        }
    }

    /// The 6 bytes of the inline site (after the `endbr64`).
    fn site_bytes(self) -> [u8; 6] {
        // The offset is added at run time: a relocation into the middle of
        // a function would be an indirect branch target without ENDBR to
        // objtool.
        let addr = core::hint::black_box(self.site_fn() as *const () as usize) + 4;
        let mut b = [0u8; 6];
        // SAFETY: Bytes 4 to 9 of a 10-byte function of this module.
        unsafe { core::ptr::copy_nonoverlapping(addr as *const u8, b.as_mut_ptr(), 6) };
        b
    }

    /// Calls the site once and says where it landed.
    fn call(self) -> u64 {
        let mut slot = 0;
        // SAFETY: Both site functions follow the C ABI, reach one of the
        // targets above, or return, and write only `slot`.
        unsafe { self.site_fn()(&mut slot) };
        slot
    }

    /// `static_call_update()` of this static call to `func`.
    fn update(self, func: Option<unsafe extern "C" fn(*mut u64)>) {
        let (key, tramp): (*mut [u64; 2], unsafe extern "C" fn()) = match self {
            Call::CorruptSite => (
                core::ptr::addr_of_mut!(__SCK__rust_tp_corrupt),
                __SCT__rust_tp_corrupt,
            ),
            Call::BadTramp => (
                core::ptr::addr_of_mut!(__SCK__rust_tp_badtramp),
                __SCT__rust_tp_badtramp,
            ),
        };
        let func = func.map_or(core::ptr::null_mut(), |f| f as *mut c_void);
        // SAFETY: The key of this module's static call with its own
        // trampoline; the target is one of this module's functions or NULL.
        unsafe { __static_call_update(key.cast(), tramp as *mut c_void, func) };
    }
}

/// The bad trampoline's 8 bytes, its key's function and its site's bytes.
fn badtramp_state() -> ([u8; 8], [u8; 6], u64) {
    // Through black_box, as in `site_bytes()`: KASAN's check of the last
    // byte would otherwise be a relocation to an int3 inside the trampoline.
    let tramp = core::hint::black_box(__SCT__rust_tp_badtramp as *const u8);
    let mut t = [0u8; 8];
    // SAFETY: The trampoline is 8 bytes of this module's text.
    unsafe { core::ptr::copy_nonoverlapping(tramp, t.as_mut_ptr(), 8) };
    // SAFETY: The key is this module's; static call updates write it under
    // the static call lock, and none runs concurrently with module init.
    let func = unsafe { core::ptr::addr_of!(__SCK__rust_tp_badtramp).read_volatile()[0] };
    (t, Call::BadTramp.site_bytes(), func)
}

/// Updates the key with the bad trampoline to target B and checks that
/// nothing changed: the key, the trampoline, the site and where it lands.
fn check_badtramp() -> bool {
    let a = rust_tp_corrupt_a as *const () as u64;
    let before = badtramp_state();
    let first = Call::BadTramp.call();
    Call::BadTramp.update(Some(rust_tp_corrupt_b));
    let second = Call::BadTramp.call();
    let after = badtramp_state();
    let (tramp, site, func) = after;
    let pass = before == after && func == a && (first, second) == (1, 1);
    let said = |same: bool| if same { "unchanged" } else { "CHANGED" };
    pr_info!(
        "{}: bad trampoline: update refused, key {}, trampoline {:02x?} {}, \
         site {:02x?} {}, calls landed {} {} (want 1 1)\n",
        if pass { "PASS" } else { "FAIL" },
        said(func == a),
        tramp,
        said(tramp == before.0),
        site,
        said(site == before.1),
        first,
        second
    );
    pass
}

struct TextPokeCorruptTest;

impl kernel::Module for TextPokeCorruptTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // The corrupt site's bytes, and one call of it after each update.
        let c = Call::CorruptSite;
        let before = c.site_bytes();
        let first = c.call();
        c.update(Some(rust_tp_corrupt_b));
        let second = c.call();
        c.update(None);
        let third = c.call();
        c.update(Some(rust_tp_corrupt_a));
        let fourth = c.call();
        let after = c.site_bytes();

        // Batched updates refuse all three; the last one is a no-op anyway.
        let want = if cfg!(CONFIG_HAVE_STATIC_CALL_BATCH) {
            (1, 1, 1, 1)
        } else {
            (1, 2, 0, 1)
        };
        let untouched = before[..2] == [0x2e, 0xe9] && after == before;
        let pass = untouched && (first, second, third, fourth) == want;
        pr_info!(
            "{}: site {:02x?} {}, calls through the trampoline landed {} {} {} {} \
             (want {} {} {} {})\n",
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
            fourth,
            want.0,
            want.1,
            want.2,
            want.3
        );
        if check_badtramp() && pass {
            Ok(TextPokeCorruptTest)
        } else {
            Err(EINVAL)
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Torture test of live static call patching with conditional tail calls.
//!
//! The module carries 16 static call sites, one per Jcc condition, written in
//! assembly so that no compiler decides their form: each loads the arithmetic
//! flags it is given and ends in `jcc.d32 __SCT__rust_tp_torture`, which objtool
//! records as a tail-call static call site. Loading the module patches them
//! (module-init patching); then two callers, kernel threads bound to CPU 0 and
//! CPU 1, run every site with every flag combination in loops while module init
//! calls `__static_call_update()` through targets A, B and NULL, `updates` times
//! (a module parameter: 300 by default, about a minute under QEMU's TCG; a
//! long run asks for thousands), each update a text poke (under INT3) of
//! every site while it runs.
//!
//! Every call records where it landed. The module checks that each landed on
//! a target that was current during the call, that each condition took its
//! branch exactly when the flags said so, that the targets' own counts add up
//! to what the callers saw, that every update was seen by a caller, and that
//! the callers ran into the INT3 of text poking: a caller reads the first
//! byte of the site with interrupts off before it calls the site, and an
//! INT3 there cannot go away before the call, since the patcher waits for
//! every CPU between its writes. The key and trampoline are written out here;
//! Rust has no `DEFINE_STATIC_CALL()` yet. The result is one line in the log;
//! a failure also fails the module load.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::sync::Arc;

module! {
    type: TextPokeTorture,
    name: "text_poke_rs_torture_test",
    description: "Retargets Jcc.d32 static call sites under running callers",
    license: "GPL",
    params: {
        updates: u32 {
            default: 300,
            description: "static_call_update() calls while the sites run (1 to 100000)",
        },
    },
}

/// The first byte of a site being poked.
const INT3: u8 = 0xcc;

/// CF, PF, ZF, SF, OF: the flags a Jcc looks at.
const ARITH: [u64; 5] = [1 << 0, 1 << 2, 1 << 6, 1 << 7, 1 << 11];

/// The return of the assembly functions below: through the return thunk
/// when the kernel has one (objtool warns about a bare `ret` then), else `ret`.
#[cfg(CONFIG_MITIGATION_RETHUNK)]
macro_rules! asm_ret {
    () => {
        ".macro rust_tp_ret\njmp __x86_return_thunk\n.endm"
    };
}
#[cfg(not(CONFIG_MITIGATION_RETHUNK))]
macro_rules! asm_ret {
    () => {
        ".macro rust_tp_ret\nret\nint3\n.endm"
    };
}

// The static call: key, trampoline, the two targets' entry points are Rust
// functions below. The key's `type` of 1 says "no sites attached yet", as
// DEFINE_STATIC_CALL() does. Each site function takes the arithmetic flags
// in %rdi and a result slot in %rsi, which the tail-called target gets.
core::arch::global_asm!(
    asm_ret!(),
    r#"
    .pushsection .data
    .balign 8
    .globl __SCK__rust_tp_torture
__SCK__rust_tp_torture:
    .quad rust_tp_target_a
    .quad 1
    .popsection

    .pushsection .static_call.text, "ax"
    .balign 4
    .globl __SCT__rust_tp_torture
__SCT__rust_tp_torture:
986:
    // ANNOTATE_NOENDBR, in both of the forms that objtool has read; both
    // sections are discarded at link time.
    .pushsection .discard.annotate_insn, "M", @progbits, 8
    .long 986b - ., 1
    .popsection
    .pushsection .discard.noendbr
    .long 986b
    .popsection
    .byte 0xe9
    .long rust_tp_target_a - (. + 4)
    .byte 0x0f, 0xb9, 0xcc
    .type __SCT__rust_tp_torture, @function
    .size __SCT__rust_tp_torture, . - __SCT__rust_tp_torture
    .popsection

    .macro rust_tp_site cc
    .pushsection .text
    .globl rust_tp_site_\cc
    .type rust_tp_site_\cc, @function
rust_tp_site_\cc:
    endbr64
    pushfq
    popq %rax
    andq $~0x8d5, %rax
    orq %rdi, %rax
    pushq %rax
    popfq
    .byte 0x0f, 0x80 + \cc
    .long __SCT__rust_tp_torture - 4 - .
    rust_tp_ret
    .size rust_tp_site_\cc, . - rust_tp_site_\cc
    .popsection
    .endm

    rust_tp_site 0
    rust_tp_site 1
    rust_tp_site 2
    rust_tp_site 3
    rust_tp_site 4
    rust_tp_site 5
    rust_tp_site 6
    rust_tp_site 7
    rust_tp_site 8
    rust_tp_site 9
    rust_tp_site 10
    rust_tp_site 11
    rust_tp_site 12
    rust_tp_site 13
    rust_tp_site 14
    rust_tp_site 15
"#,
    options(att_syntax)
);

extern "C" {
    static mut __SCK__rust_tp_torture: [u64; 2];
    fn __SCT__rust_tp_torture();
    fn rust_tp_site_0(flags: u64, slot: *mut u64);
    fn rust_tp_site_1(flags: u64, slot: *mut u64);
    fn rust_tp_site_2(flags: u64, slot: *mut u64);
    fn rust_tp_site_3(flags: u64, slot: *mut u64);
    fn rust_tp_site_4(flags: u64, slot: *mut u64);
    fn rust_tp_site_5(flags: u64, slot: *mut u64);
    fn rust_tp_site_6(flags: u64, slot: *mut u64);
    fn rust_tp_site_7(flags: u64, slot: *mut u64);
    fn rust_tp_site_8(flags: u64, slot: *mut u64);
    fn rust_tp_site_9(flags: u64, slot: *mut u64);
    fn rust_tp_site_10(flags: u64, slot: *mut u64);
    fn rust_tp_site_11(flags: u64, slot: *mut u64);
    fn rust_tp_site_12(flags: u64, slot: *mut u64);
    fn rust_tp_site_13(flags: u64, slot: *mut u64);
    fn rust_tp_site_14(flags: u64, slot: *mut u64);
    fn rust_tp_site_15(flags: u64, slot: *mut u64);
}

type SiteFn = unsafe extern "C" fn(u64, *mut u64);

const SITES: [SiteFn; 16] = [
    rust_tp_site_0,
    rust_tp_site_1,
    rust_tp_site_2,
    rust_tp_site_3,
    rust_tp_site_4,
    rust_tp_site_5,
    rust_tp_site_6,
    rust_tp_site_7,
    rust_tp_site_8,
    rust_tp_site_9,
    rust_tp_site_10,
    rust_tp_site_11,
    rust_tp_site_12,
    rust_tp_site_13,
    rust_tp_site_14,
    rust_tp_site_15,
];

/// Offset of the Jcc.d32 in each site function (after endbr64, the flags
/// dance: 4 + 1 + 1 + 6 + 3 + 1 + 1 bytes).
const JCC_OFFSET: usize = 17;

/// The Jcc.d32 of site `cc`.
fn site_addr(cc: usize) -> usize {
    SITES[cc] as usize + JCC_OFFSET
}

/// Where the Jcc.d32 of site `cc` branches to now, read from the text: the
/// test's own decoding, independent of the code under test.
fn site_target(cc: usize) -> usize {
    let addr = site_addr(cc);
    // SAFETY: `addr` is the 6-byte Jcc.d32 of a site function of this module.
    let b = unsafe { core::slice::from_raw_parts(addr as *const u8, 6) };
    let disp = i32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    (addr + 6).wrapping_add(disp as isize as usize)
}

/// Calls that landed on target A and B, counted by the targets themselves.
static HITS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// Target A: records 1 in the caller's slot.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
unsafe extern "C" fn rust_tp_target_a(_flags: u64, slot: *mut u64) {
    HITS[0].fetch_add(1, Ordering::Relaxed);
    // SAFETY: The caller guarantees that `slot` is valid for writes.
    unsafe { *slot = 1 };
}

/// Target B: records 2 in the caller's slot.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
unsafe extern "C" fn rust_tp_target_b(_flags: u64, slot: *mut u64) {
    HITS[1].fetch_add(1, Ordering::Relaxed);
    // SAFETY: The caller guarantees that `slot` is valid for writes.
    unsafe { *slot = 2 };
}

/// Whether Jcc condition `cc` is taken with `flags`, from the SDM's table;
/// independent of the code under test.
fn reference(cc: usize, flags: u64) -> bool {
    let f = |bit: u64| flags & bit != 0;
    let (cf, pf, zf, sf, of) = (f(1), f(1 << 2), f(1 << 6), f(1 << 7), f(1 << 11));
    let base = match cc / 2 {
        0 => of,
        1 => cf,
        2 => zf,
        3 => cf || zf,
        4 => sf,
        5 => pf,
        6 => sf != of,
        _ => zf || sf != of,
    };
    base != (cc % 2 == 1)
}

/// What a taken site lands on in update state `k`: A, B, then NULL.
fn landing(k: u64) -> u64 {
    [1, 2, 0][(k % 3) as usize]
}

fn target_of(k: u64) -> *mut c_void {
    let f: [*mut c_void; 3] = [
        rust_tp_target_a as *mut c_void,
        rust_tp_target_b as *mut c_void,
        core::ptr::null_mut(),
    ];
    f[(k % 3) as usize]
}

/// State shared by the updater (module init) and the two callers.
struct Torture {
    stop: AtomicBool,
    /// `2k`: state `k` is in place; odd: an update is running.
    epoch: AtomicU64,
    /// Highest even epoch whose target a caller saw.
    seen: AtomicU64,
    calls: AtomicU64,
    landed: [AtomicU64; 3],
    wrong: AtomicU64,
    /// Calls made while an update was in progress (odd epoch at entry).
    racing: AtomicU64,
    /// Calls of a site that held the INT3 of text poking: they trapped.
    trapped: AtomicU64,
}

impl Torture {
    fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            Torture {
                stop: AtomicBool::new(false),
                epoch: AtomicU64::new(0),
                seen: AtomicU64::new(0),
                calls: AtomicU64::new(0),
                landed: [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
                wrong: AtomicU64::new(0),
                racing: AtomicU64::new(0),
                trapped: AtomicU64::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    /// One caller: every site, every flag combination, until told to stop.
    fn call_loop(&self) {
        while !self.stop.load(Ordering::Relaxed) {
            for (cc, site) in SITES.iter().enumerate() {
                for combo in 0..32u64 {
                    let flags = flags_of(combo);
                    let mut slot = 0u64;
                    let e0 = self.epoch.load(Ordering::Acquire);
                    // With interrupts off, an INT3 read here is still there
                    // when the site runs: the patcher cannot write again
                    // before this CPU has taken its synchronisation IPI.
                    let irq = kernel::interrupt::local_interrupt_disable();
                    // SAFETY: The first byte of a site of this module; text
                    // poking may be rewriting it, hence the volatile read.
                    let int3 = unsafe { (site_addr(cc) as *const u8).read_volatile() } == INT3;
                    // SAFETY: The site functions follow the C ABI and write
                    // only `slot`, through the target they jump to.
                    unsafe { site(flags, &mut slot) };
                    drop(irq);
                    let e1 = self.epoch.load(Ordering::Acquire);
                    if int3 {
                        self.trapped.fetch_add(1, Ordering::Relaxed);
                    }
                    self.calls.fetch_add(1, Ordering::Relaxed);
                    if e0 % 2 == 1 {
                        self.racing.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Some(c) = self.landed.get(slot as usize) {
                        c.fetch_add(1, Ordering::Relaxed);
                    }
                    let taken = reference(cc, flags);
                    let ok = if taken {
                        (e0 / 2..=e1.div_ceil(2)).any(|k| landing(k) == slot)
                    } else {
                        slot == 0
                    };
                    if !ok {
                        if self.wrong.fetch_add(1, Ordering::Relaxed) < 5 {
                            pr_err!(
                                "site {cc} flags {flags:#x}: landed {slot}, epochs {e0}..{e1}\n"
                            );
                        }
                    } else if taken && e0 == e1 && e0 % 2 == 0 {
                        self.seen.fetch_max(e0, Ordering::AcqRel);
                    }
                }
            }
            // Without preemption, give the updater its turn.
            #[cfg(not(CONFIG_PREEMPTION))]
            // SAFETY: Called from process context (a kernel thread).
            unsafe {
                bindings::__cond_resched()
            };
        }
    }
}

/// The two caller threads, one bound to each CPU. Dropping this stops them
/// and waits until they have exited, so that module init never returns, on
/// success or error, while they may still run this module's text.
struct Callers {
    torture: Arc<Torture>,
    /// The threads started so far, each with a reference held.
    tasks: [*mut bindings::task_struct; 2],
}

impl Callers {
    fn start(torture: Arc<Torture>) -> Result<Callers> {
        let mut callers = Callers {
            torture,
            tasks: [core::ptr::null_mut(); 2],
        };
        for (cpu, task) in (0..).zip(callers.tasks.iter_mut()) {
            // On error, dropping `callers` stops the ones already started.
            *task = spawn_caller(&callers.torture, cpu)?;
        }
        Ok(callers)
    }
}

impl Drop for Callers {
    fn drop(&mut self) {
        self.torture.stop.store(true, Ordering::Relaxed);
        for &task in self.tasks.iter().filter(|t| !t.is_null()) {
            // SAFETY: `task` is a thread that `spawn_caller()` started and
            // holds a reference to; kthread_stop_put() waits until it has
            // exited and drops that reference.
            unsafe { bindings::kthread_stop_put(task) };
        }
    }
}

/// Starts a caller thread on `torture`, bound to `cpu`, and returns it with
/// a reference held.
fn spawn_caller(torture: &Arc<Torture>, cpu: u32) -> Result<*mut bindings::task_struct> {
    /// The thread: runs the loop on the shared state it is given.
    ///
    /// # Safety
    ///
    /// `data` must point to a `Torture` that outlives the thread.
    unsafe extern "C" fn caller(data: *mut c_void) -> c_int {
        // SAFETY: `data` is the `Torture` of a `Callers`, which keeps it
        // alive until the thread has exited.
        let t = unsafe { &*data.cast::<Torture>() };
        t.call_loop();
        0
    }
    let data = core::ptr::from_ref::<Torture>(torture)
        .cast_mut()
        .cast::<c_void>();
    // SAFETY: `caller` matches `int (*)(void *)`, the name is a C string.
    let task = kernel::error::from_err_ptr(unsafe {
        bindings::kthread_create_on_cpu(
            Some(caller),
            data,
            cpu,
            c"rust_tp/%u".to_bytes_with_nul().as_ptr().cast(),
        )
    })?;
    // SAFETY: A freshly created, not yet running thread: the reference
    // keeps it valid for kthread_stop_put() even if it exits first.
    unsafe {
        bindings::get_task_struct(task);
        bindings::wake_up_process(task);
    }
    Ok(task)
}

fn update(k: u64) {
    // SAFETY: The key and trampoline are this module's static call; the
    // targets are functions of this module, or NULL.
    unsafe {
        bindings::__static_call_update(
            core::ptr::addr_of_mut!(__SCK__rust_tp_torture).cast(),
            __SCT__rust_tp_torture as *mut c_void,
            target_of(k),
        )
    };
}

struct TextPokeTorture;

impl kernel::Module for TextPokeTorture {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Module-init patching: every site now goes straight to target A.
        let mut init_ok = 0;
        for (cc, site) in SITES.iter().enumerate() {
            for combo in 0..32u64 {
                let flags = flags_of(combo);
                let mut slot = 0u64;
                // SAFETY: As in `call_loop()`.
                unsafe { site(flags, &mut slot) };
                let want = if reference(cc, flags) { 1 } else { 0 };
                if slot == want {
                    init_ok += 1;
                }
            }
        }

        // The sites themselves must have been rewritten to branch to target
        // A, not left going through the trampoline.
        let patched = (0..16)
            .filter(|&cc| site_target(cc) == rust_tp_target_a as *const () as usize)
            .count();
        if patched != 16 {
            pr_err!("FAIL: only {patched}/16 sites were patched at module init\n");
            return Err(EINVAL);
        }

        // The callers are bound to CPUs 0 and 1.
        #[cfg(not(CONFIG_FORCE_NR_CPUS))]
        // SAFETY: A global of the kernel, set during boot.
        let cpus = unsafe { bindings::nr_cpu_ids };
        #[cfg(CONFIG_FORCE_NR_CPUS)]
        let cpus = bindings::NR_CPUS;
        if cpus < 2 {
            pr_err!("needs two CPUs, the kernel has {cpus}\n");
            return Err(ENODEV);
        }

        let updates = u64::from(module_parameters::updates.value());
        if !(1..=100_000).contains(&updates) {
            pr_err!("updates={updates}: want 1 to 100000\n");
            return Err(EINVAL);
        }

        let t = Torture::new()?;
        // One caller per CPU: whichever CPU runs this updater, the other one
        // keeps calling the sites while text poking rewrites them.
        let callers = Callers::start(t.clone())?;

        let mut unseen = 0u64;
        let mut misplaced = 0u64;
        for k in 1..=updates {
            t.epoch.store(2 * k - 1, Ordering::Release);
            update(k);
            t.epoch.store(2 * k, Ordering::Release);
            let want = target_of(k) as usize;
            let tramp = __SCT__rust_tp_torture as *const () as usize;
            if (0..16).any(|cc| site_target(cc) == tramp || (want != 0 && site_target(cc) != want))
            {
                misplaced += 1;
            }
            // Both callers are behind us on two CPUs: let them see it.
            let mut waited = 0;
            while t.seen.load(Ordering::Acquire) < 2 * k {
                if waited == 2000 {
                    unseen += 1;
                    break;
                }
                // SAFETY: Module init runs in process context.
                unsafe { bindings::msleep(1) };
                waited += 1;
            }
        }
        // Stop the callers and wait until they have exited.
        drop(callers);
        // Leave the call on target A for the next load.
        update(0);
        // The callers ran into the INT3 of text poking this often.
        let trapped = t.trapped.load(Ordering::Relaxed);

        let calls = t.calls.load(Ordering::Relaxed);
        let landed: [u64; 3] = [0, 1, 2].map(|i| t.landed[i].load(Ordering::Relaxed));
        let hits = [0, 1].map(|i| HITS[i].load(Ordering::Relaxed));
        let wrong = t.wrong.load(Ordering::Relaxed);
        // The targets also ran for the init check: 1 per taken combination.
        let init_a = (0..16)
            .map(|cc| (0..32u64).filter(|&c| reference(cc, flags_of(c))).count() as u64)
            .sum::<u64>();
        let add_up = hits[0] == landed[1] + init_a && hits[1] == landed[2];
        let pass = init_ok == 16 * 32
            && wrong == 0
            && unseen == 0
            && add_up
            && misplaced == 0
            && trapped > 0;
        pr_info!(
            "{}: {} updates of 16 Jcc.d32 sites, {} calls ({} during updates; \
             A {}, B {}, none {}), {} INT3 traps emulated, {} wrong, {} unseen updates, \
             {} updates not in the site text, module-init patching {}/512, counts {}\n",
            if pass { "PASS" } else { "FAIL" },
            updates,
            calls,
            t.racing.load(Ordering::Relaxed),
            landed[1],
            landed[2],
            landed[0],
            trapped,
            wrong,
            unseen,
            misplaced,
            init_ok,
            if add_up { "add up" } else { "DO NOT add up" }
        );
        if pass {
            Ok(TextPokeTorture)
        } else {
            Err(EINVAL)
        }
    }
}

/// The EFLAGS value for combination `combo` (bit `i`: `ARITH[i]` set).
fn flags_of(combo: u64) -> u64 {
    ARITH
        .iter()
        .enumerate()
        .filter(|(i, _)| combo & (1 << i) != 0)
        .fold(0, |acc, (_, b)| acc | b)
}

// SPDX-License-Identifier: GPL-2.0

//! Torture test of live static call patching with conditional tail calls.
//!
//! The static call is defined with `kernel::static_call`. The module carries
//! 19 sites of it. 16, one per Jcc condition, are written in assembly so that
//! no compiler decides their form: each loads the arithmetic flags it is given
//! and ends in `jcc.d32 __SCT__rust_tp_torture`, which objtool records as a
//! tail-call static call site. The other three are rustc's: functions that
//! call the static call with `static_call!`, which rustc compiles to a call, a
//! tail call and a conditional tail call (Jcc.d32); the module finds them in
//! its own `.static_call_sites` and fails to load unless it has exactly those
//! three. Loading the module patches all 19 (module-init patching), which the
//! module checks in the text; then two callers, kernel threads bound to CPU 0 and
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
//! every CPU between its writes. The result is one line in the log; a failure
//! also fails the module load.

use core::ffi::{c_int, c_void};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::bindings;
use kernel::prelude::*;
use kernel::sync::Arc;
use kernel::{define_static_call, static_call, static_call_update};

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

// The static call, first on target A; updates also take it to NULL.
define_static_call!(rust_tp_torture: unsafe extern "C" fn(u64, *mut u64) = Some(rust_tp_target_a));

// The assembly sites. Each site function takes the arithmetic flags in %rdi
// and a result slot in %rsi, which the tail-called target gets.
core::arch::global_asm!(
    asm_ret!(),
    r#"
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

/// Calls that returned from rustc's call site.
static RETURNS: AtomicU64 = AtomicU64::new(0);

/// rustc's call site: the static call, then more work.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
#[inline(never)]
unsafe extern "C" fn rust_tp_rustc_call(flags: u64, slot: *mut u64) {
    // SAFETY: The caller's `slot` is valid for writes, as the targets need.
    unsafe { static_call!(rust_tp_torture(flags, slot)) };
    RETURNS.fetch_add(1, Ordering::Relaxed);
}

/// rustc's tail call site: the static call is the last thing it does.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
#[inline(never)]
unsafe extern "C" fn rust_tp_rustc_tail(flags: u64, slot: *mut u64) {
    // SAFETY: The caller's `slot` is valid for writes, as the targets need.
    unsafe { static_call!(rust_tp_torture(flags, slot)) }
}

/// rustc's conditional tail call site: the static call when ZF is in `flags`.
///
/// # Safety
///
/// `slot` must be valid for writes.
#[no_mangle]
#[inline(never)]
unsafe extern "C" fn rust_tp_rustc_jcc(flags: u64, slot: *mut u64) {
    if flags & ZF != 0 {
        // SAFETY: The caller's `slot` is valid for writes, as the targets need.
        unsafe { static_call!(rust_tp_torture(flags, slot)) }
    }
}

/// ZF in `ARITH`.
const ZF: u64 = 1 << 6;

/// The assembly sites (one per condition code), then rustc's.
const SITES: [SiteFn; 19] = [
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
    rust_tp_rustc_call,
    rust_tp_rustc_tail,
    rust_tp_rustc_jcc,
];

/// The first of rustc's sites in `SITES`, and the forms rustc gave them.
const RUSTC: usize = 16;
const RUSTC_FORMS: [&str; 3] = ["call", "tail call", "Jcc.d32"];

/// Offset of the Jcc.d32 in each site function (after endbr64, the flags
/// dance: 4 + 1 + 1 + 6 + 3 + 1 + 1 bytes).
const JCC_OFFSET: usize = 17;

/// The addresses of the sites: the assembly ones' Jcc.d32 at `JCC_OFFSET`,
/// rustc's from the module's `.static_call_sites`.
struct Sites([usize; 19]);

impl Sites {
    /// Finds rustc's sites among the module's static call sites: exactly one in
    /// each of its functions, besides the 16 assembly ones.
    fn find(module: &'static ThisModule) -> Result<Self> {
        let mut addrs = [0usize; 19];
        for (addr, site) in addrs.iter_mut().zip(SITES.iter()).take(RUSTC) {
            *addr = *site as usize + JCC_OFFSET;
        }
        let starts: [usize; 3] = [0, 1, 2].map(|i| SITES[RUSTC + i] as usize);
        let mut found = [0usize; 3];
        // SAFETY: The module is loaded; the loader set its static call site
        // table, which stays as long as the module.
        let (table, n) = unsafe {
            let m = module.as_ptr();
            ((*m).static_call_sites, (*m).num_static_call_sites as usize)
        };
        for i in 0..n {
            // SAFETY: `i` is below the table's length. The fields are offsets
            // from themselves to the site and the key.
            let site = unsafe {
                let s = table.add(i);
                let a = core::ptr::addr_of!((*s).addr);
                (a as usize).wrapping_add((*a) as isize as usize)
            };
            if addrs[..RUSTC].contains(&site) {
                continue;
            }
            // The function of the site: the one of the three that starts
            // last at or before it.
            let Some(f) = (0..3)
                .filter(|&f| starts[f] <= site)
                .max_by_key(|&f| starts[f])
            else {
                pr_err!("FAIL: a static call site at {site:#x} before rustc's functions\n");
                return Err(EINVAL);
            };
            addrs[RUSTC + f] = site;
            found[f] += 1;
        }
        if found != [1, 1, 1] {
            pr_err!(
                "FAIL: rustc's sites: want one each in rust_tp_rustc_call, _tail and _jcc, \
                 found {found:?} among {n} static call sites\n"
            );
            return Err(EINVAL);
        }
        Ok(Sites(addrs))
    }

    /// The first byte of site `cc`.
    fn addr(&self, cc: usize) -> usize {
        self.0[cc]
    }

    /// The site's bytes: a call, jump or Jcc.d32 is at most 6.
    fn bytes(&self, cc: usize) -> [u8; 6] {
        // SAFETY: A site of this module; the bytes after the 5-byte ones are
        // still in its function, whose return follows. Text poking may be
        // rewriting them, hence the volatile reads.
        core::array::from_fn(|i| unsafe { ((self.0[cc] + i) as *const u8).read_volatile() })
    }

    /// Where site `cc` branches to now, read from the text: the test's own
    /// decoding, independent of the code under test. `None` for a NOP or a
    /// return.
    fn target(&self, cc: usize) -> Option<usize> {
        let b = self.bytes(cc);
        let (len, disp) = match b {
            [0xe8 | 0xe9, d0, d1, d2, d3, _] => (5, [d0, d1, d2, d3]),
            [0x0f, 0x80..=0x8f, d0, d1, d2, d3] => (6, [d0, d1, d2, d3]),
            _ => return None,
        };
        Some((self.0[cc] + len).wrapping_add(i32::from_le_bytes(disp) as isize as usize))
    }

    /// The form of site `cc` in its text, as rustc was to give it.
    fn form(&self, cc: usize) -> &'static str {
        match self.bytes(cc) {
            [0xe8, ..] => "call",
            [0xe9, ..] => "tail call",
            [0x0f, 0x80..=0x8f, ..] => "Jcc.d32",
            _ => "other",
        }
    }
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
    // rustc's sites: the call and the tail call always, the Jcc on ZF.
    match cc {
        16 | 17 => return true,
        18 => return flags & ZF != 0,
        _ => {}
    }
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
    sites: Sites,
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
    fn new(sites: Sites) -> Result<Arc<Self>> {
        Ok(Arc::new(
            Torture {
                sites,
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
                    let first = unsafe { (self.sites.addr(cc) as *const u8).read_volatile() };
                    let int3 = first == INT3;
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
    let targets: [Option<SiteFn>; 3] = [Some(rust_tp_target_a), Some(rust_tp_target_b), None];
    static_call_update!(rust_tp_torture, targets[(k % 3) as usize]);
}

struct TextPokeTorture;

impl kernel::Module for TextPokeTorture {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let sites = Sites::find(module)?;
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
        let a = rust_tp_target_a as *const () as usize;
        let patched = (0..SITES.len())
            .filter(|&cc| sites.target(cc) == Some(a))
            .count();
        if patched != SITES.len() {
            pr_err!("FAIL: only {patched}/19 sites were patched at module init\n");
            return Err(EINVAL);
        }
        // rustc's forms, as patched: each branches to target A.
        for (i, want) in RUSTC_FORMS.iter().enumerate() {
            let cc = RUSTC + i;
            let form = sites.form(cc);
            let b = sites.bytes(cc);
            let len = if form == "Jcc.d32" { 6 } else { 5 };
            pr_info!(
                "rustc {want} site, patched at module init: {:#x}: {:02x?} -> target A\n",
                sites.addr(cc),
                &b[..len]
            );
            if form != *want {
                pr_err!("FAIL: rustc's {want} site is a {form}\n");
                return Err(EINVAL);
            }
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

        let t = Torture::new(sites)?;
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
            if (0..SITES.len()).any(|cc| {
                let at = t.sites.target(cc);
                at == Some(tramp) || (want != 0 && at != Some(want))
            }) {
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
        let init_a = (0..SITES.len())
            .map(|cc| (0..32u64).filter(|&c| reference(cc, flags_of(c))).count() as u64)
            .sum::<u64>();
        let add_up = hits[0] == landed[1] + init_a && hits[1] == landed[2];
        let returns = RETURNS.load(Ordering::Relaxed);
        let pass = init_ok == SITES.len() * 32
            && wrong == 0
            && unseen == 0
            && add_up
            && misplaced == 0
            && trapped > 0;
        pr_info!(
            "{}: {} updates of 19 sites (16 Jcc.d32 in assembly, rustc's call, tail call and \
             Jcc.d32), {} calls ({} during updates; A {}, B {}, none {}; {} returns from \
             rustc's call), {} INT3 traps emulated, {} wrong, {} unseen updates, \
             {} updates not in the site text, module-init patching {}/608, counts {}\n",
            if pass { "PASS" } else { "FAIL" },
            updates,
            calls,
            t.racing.load(Ordering::Relaxed),
            landed[1],
            landed[2],
            landed[0],
            returns,
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

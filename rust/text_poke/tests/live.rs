// SPDX-License-Identifier: GPL-2.0

//! Live patching of real clang -Os code in user space, the `text_poke_bp()`
//! way, with the crate deciding the bytes and emulating the INT3.
//!
//! `tests/live/sites.c` is built with clang-19 -Os into a shared object whose
//! functions end in conditional tail calls (`jcc.d32 sc_tramp`) and plain tail
//! calls (`jmp sc_tramp`), as `amd_pmu_add_event()` does in the kernel; the
//! test first checks that clang still emits them. Caller threads run those
//! functions in loops while the patcher retargets every site, in one batch,
//! through targets A, B and NULL (the return form) with the INT3 protocol of
//! `text_poke_bp_batch()`: INT3 on the first bytes, sync, the other bytes,
//! sync, the first bytes, sync, where sync is
//! `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)`. A SIGTRAP handler
//! emulates the instruction being written with [`PokeLoc::emulate`] on the
//! saved registers.
//!
//! Each call records where it landed and is checked against the targets that
//! were current during the call; after each retarget the patcher waits until
//! a caller has seen the new target. `TEXT_POKE_LIVE_RETARGETS` sets the
//! number of retargets (default 3000; the benchmark runs 10^6).

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::ffi::{c_void, CString};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use std::time::{Duration, Instant};
use text_poke::emulate::Emulation;
use text_poke::static_call::{transform, Patch, SiteType, StaticCallEnv};
use text_poke::{Insn, PokeLoc};

const MAX_SITES: usize = 16;

/// A C condition, evaluated in Rust.
type Pred = fn(i64) -> bool;

/// The batch being poked, read by the SIGTRAP handler: site address and the
/// compact form (opcode | len << 8 | disp << 32) of what is being written.
static POKE_ADDR: [AtomicUsize; MAX_SITES] = [const { AtomicUsize::new(0) }; MAX_SITES];
static POKE_LOC: [AtomicU64; MAX_SITES] = [const { AtomicU64::new(0) }; MAX_SITES];
static TRAPS: AtomicU64 = AtomicU64::new(0);
static STRAY: AtomicU64 = AtomicU64::new(0);

/// Retarget epochs: even `2k` is "state k is in place", odd is "changing".
static EPOCH: AtomicU64 = AtomicU64::new(0);
/// Highest stable epoch whose target a caller landed on.
static SEEN: AtomicU64 = AtomicU64::new(0);
static CALLS: AtomicU64 = AtomicU64::new(0);
static WRONG: AtomicU64 = AtomicU64::new(0);
static STOP: AtomicBool = AtomicBool::new(false);
static FIRST_WRONG: AtomicUsize = AtomicUsize::new(0);

const MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE: i32 = 1 << 5;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: i32 = 1 << 6;

fn sync_cores() {
    // SAFETY: A plain system call with no pointer arguments.
    let r = unsafe {
        libc::syscall(
            libc::SYS_membarrier,
            MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE,
            0,
            0,
        )
    };
    assert_eq!(r, 0, "membarrier sync-core");
}

extern "C" fn on_sigtrap(_sig: i32, _info: *mut libc::siginfo_t, uc: *mut c_void) {
    // SAFETY: The kernel passes a valid ucontext_t to an SA_SIGINFO handler.
    let gregs = unsafe { &mut (*(uc as *mut libc::ucontext_t)).uc_mcontext.gregs };
    let addr = (gregs[libc::REG_RIP as usize] as usize).wrapping_sub(1);
    let flags = gregs[libc::REG_EFL as usize] as usize;
    for i in 0..MAX_SITES {
        if POKE_ADDR[i].load(Acquire) != addr {
            continue;
        }
        let c = POKE_LOC[i].load(Acquire);
        let loc = PokeLoc {
            opcode: c as u8,
            len: (c >> 8) as u8,
            disp: (c >> 32) as i32,
        };
        match loc.emulate(addr, flags) {
            Some(Emulation::Jump(t)) => gregs[libc::REG_RIP as usize] = t as i64,
            Some(Emulation::Ret) => {
                let sp = gregs[libc::REG_RSP as usize] as usize;
                // SAFETY: A RET site is reached with the return address on
                // top of the interrupted thread's stack.
                let ret = unsafe { *(sp as *const usize) };
                gregs[libc::REG_RSP as usize] = (sp + 8) as i64;
                gregs[libc::REG_RIP as usize] = ret as i64;
            }
            Some(Emulation::Call(t)) => {
                let sp = gregs[libc::REG_RSP as usize] as usize - 8;
                // SAFETY: The signal frame sits below the interrupted stack
                // pointer, so the word below it is free to take.
                unsafe { *(sp as *mut usize) = addr + 5 };
                gregs[libc::REG_RSP as usize] = sp as i64;
                gregs[libc::REG_RIP as usize] = t as i64;
            }
            Some(Emulation::Pass) | None => break,
        }
        TRAPS.fetch_add(1, Relaxed);
        return;
    }
    STRAY.fetch_add(1, Relaxed);
    // Not ours: nothing sane to do.
    std::process::abort();
}

struct Lib(*mut c_void);

impl Lib {
    fn sym(&self, name: &str) -> usize {
        let c = CString::new(name).unwrap();
        // SAFETY: `self.0` is a live handle, `c` a valid C string.
        let p = unsafe { libc::dlsym(self.0, c.as_ptr()) };
        assert!(!p.is_null(), "dlsym {name}");
        p as usize
    }
}

/// One patchable site: where, what it holds now, which C condition guards it.
struct Site {
    name: &'static str,
    addr: usize,
    insn: Insn,
    cond: Pred,
    func: extern "C" fn(i64),
}

/// The site functions of sites.c and their C conditions.
const FUNCS: [(&str, Pred); 10] = [
    ("site_ne", |x| x != 0),
    ("site_e", |x| x == 7),
    ("site_g", |x| x > 5),
    ("site_le", |x| x <= 5),
    ("site_l", |x| x < -3),
    ("site_ge", |x| x >= -3),
    ("site_a", |x| (x as u64) > 9),
    ("site_be", |x| (x as u64) <= 9),
    ("site_s", |x| x < 0),
    ("site_ns", |x| x >= 0),
];
const ARGS: [i64; 8] = [0, 7, 6, 5, -4, -3, 10, i64::MIN];

fn build_and_load() -> Lib {
    let dir = env!("CARGO_TARGET_TMPDIR");
    let so = format!("{dir}/sites.so");
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/sites.c");
    let st = std::process::Command::new("clang-19")
        .args(["-Os", "-fPIC", "-shared", "-o", &so, src])
        .status()
        .expect("clang-19 (installed by workbench/setup.sh)");
    assert!(st.success(), "clang-19 -Os {src}");
    let c = CString::new(so).unwrap();
    // SAFETY: Loading our own freshly built object.
    let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW) };
    assert!(!h.is_null(), "dlopen sites.so");
    Lib(h)
}

/// Finds the site in `func` that branches to `tramp`: a Jcc.d32 or JMP.d32.
fn find_site(func: usize, tramp: usize) -> Option<(usize, Insn)> {
    for off in 0..32usize {
        // SAFETY: The functions are followed by more text in the same page
        // range; 6 bytes past any of the first 32 are mapped.
        let bytes = unsafe { std::slice::from_raw_parts((func + off) as *const u8, 6) };
        if let Ok(insn @ (Insn::Jcc32(..) | Insn::Jmp32(_))) = Insn::decode(bytes) {
            if insn.target(func + off) == Some(tramp) {
                return Some((func + off, insn));
            }
        }
    }
    None
}

fn write_text(addr: usize, bytes: &[u8]) {
    // SAFETY: The text pages were made writable; the INT3 protocol keeps
    // executing CPUs away from bytes being changed.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), addr as *mut u8, bytes.len()) };
}

/// `text_poke_bp_batch()` in user space.
fn poke_batch(sites: &[Site], patches: &[Patch]) {
    for (i, (s, p)) in sites.iter().zip(patches).enumerate() {
        let emulate = p.emulate.unwrap_or(p.code);
        let loc = PokeLoc::new(p.code.as_slice(), emulate.as_slice()).expect("pokeable");
        let c = loc.opcode as u64 | (loc.len as u64) << 8 | (loc.disp as u32 as u64) << 32;
        POKE_ADDR[i].store(s.addr, Release);
        POKE_LOC[i].store(c, Release);
    }
    for s in sites {
        write_text(s.addr, &[0xcc]);
    }
    sync_cores();
    for (s, p) in sites.iter().zip(patches) {
        write_text(s.addr + 1, &p.code.as_slice()[1..]);
    }
    sync_cores();
    for (s, p) in sites.iter().zip(patches) {
        write_text(s.addr, &p.code.as_slice()[..1]);
    }
    sync_cores();
    // The table stays: unlike the kernel's INT3 handler, which runs with
    // interrupts off so that the last sync waits for it, a SIGTRAP can still
    // be on its way to a thread that hit the INT3 before the sync. Its
    // handler then emulates the instruction now in place, which is as
    // current as the one it trapped on.
}

/// What a call with a taken condition lands on in state `k`: 1 (A), 2 (B) or
/// 0 (NULL, the return form).
fn landing(k: u64) -> i32 {
    [1, 2, 0][(k % 3) as usize]
}

/// A site function and the C condition that guards its tail call.
type Work = (extern "C" fn(i64), Pred);

fn caller(sites: &[Work], take: extern "C" fn() -> i32) {
    while !STOP.load(Relaxed) {
        for (f, cond) in sites {
            for x in ARGS {
                let e0 = EPOCH.load(Acquire);
                f(x);
                let landed = take();
                let e1 = EPOCH.load(Acquire);
                CALLS.fetch_add(1, Relaxed);
                let ok = if !cond(x) {
                    landed == 0
                } else {
                    // Any state current during the call will do.
                    let (lo, hi) = (e0 / 2, e1.div_ceil(2));
                    (lo..=hi).any(|k| landing(k) == landed)
                };
                if !ok {
                    WRONG.fetch_add(1, Relaxed);
                    FIRST_WRONG.store(*f as usize, Relaxed);
                }
                if ok && cond(x) && e0 == e1 && e0.is_multiple_of(2) {
                    SEEN.fetch_max(e0, AcqRel);
                }
            }
        }
    }
}

#[test]
fn live_retargeting_under_concurrent_callers() {
    let retargets: u64 = std::env::var("TEXT_POKE_LIVE_RETARGETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let lib = build_and_load();
    let tramp = lib.sym("sc_tramp");
    let targets = [lib.sym("sc_target_a"), lib.sym("sc_target_b"), 0];
    let env = |func| StaticCallEnv {
        func,
        ret: lib.sym("sc_return"),
        ..Default::default()
    };

    let mut sites = Vec::new();
    for (name, cond) in FUNCS {
        let f = lib.sym(name);
        if let Some((addr, insn)) = find_site(f, tramp) {
            // SAFETY: `f` is the address of `void name(long)` in sites.so.
            let func: extern "C" fn(i64) = unsafe { std::mem::transmute(f as *const c_void) };
            sites.push(Site {
                name,
                addr,
                insn,
                cond,
                func,
            });
        }
    }
    let jcc: Vec<_> = sites.iter().filter(|s| s.insn.cond().is_some()).collect();
    let mut conds: Vec<_> = jcc.iter().filter_map(|s| s.insn.cond()).collect();
    conds.dedup();
    println!(
        "live: clang-19 -Os made {} of {} functions end in jcc.d32 sc_tramp ({} conditions), {} in jmp",
        jcc.len(),
        FUNCS.len(),
        conds.len(),
        sites.len() - jcc.len()
    );
    assert!(
        jcc.len() >= 6,
        "clang no longer emits conditional tail calls here"
    );
    for s in &sites {
        assert!(s.name.starts_with("site_"));
    }

    // Writable text, SIGTRAP emulation, sync-core membarrier.
    let page = 4096usize;
    let lo = sites.iter().map(|s| s.addr).min().unwrap() & !(page - 1);
    let hi = (sites.iter().map(|s| s.addr).max().unwrap() + 6 + page - 1) & !(page - 1);
    // SAFETY: Our own object's text pages; they stay executable.
    let r = unsafe {
        libc::mprotect(
            lo as *mut c_void,
            (hi - lo) as usize,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
        )
    };
    assert_eq!(r, 0, "mprotect RWX");
    // SAFETY: Installing a handler that only touches atomics and the
    // interrupted context.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigtrap as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO;
        assert_eq!(libc::sigaction(libc::SIGTRAP, &sa, std::ptr::null_mut()), 0);
    }
    // SAFETY: A plain system call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_membarrier,
            MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
            0,
            0,
        )
    };
    assert_eq!(r, 0, "membarrier register sync-core");

    let take: extern "C" fn() -> i32 =
        // SAFETY: `int sc_take(void)` in sites.so.
        unsafe { std::mem::transmute(lib.sym("sc_take") as *const c_void) };
    let work: Vec<Work> = sites.iter().map(|s| (s.func, s.cond)).collect();
    let start = Instant::now();
    let mut unobserved = 0;
    let mut done = 0;
    std::thread::scope(|sc| {
        for _ in 0..3 {
            sc.spawn(|| caller(&work, take));
        }
        for k in 1..=retargets {
            let target = targets[(k % 3) as usize];
            let patches: Vec<Patch> = sites
                .iter()
                .map(|s| {
                    let ty = if target == 0 {
                        SiteType::Ret
                    } else {
                        SiteType::Jmp
                    };
                    transform(s.addr, &s.insn, ty, &env(target)).expect("in range")
                })
                .collect();
            EPOCH.store(2 * k - 1, Release);
            poke_batch(&sites, &patches);
            EPOCH.store(2 * k, Release);
            // The callers must see the new target before it changes again.
            let t = Instant::now();
            while SEEN.load(Acquire) < 2 * k {
                if t.elapsed() > Duration::from_secs(5) {
                    unobserved += 1;
                    break;
                }
                std::hint::spin_loop();
            }
            done = k;
            if WRONG.load(Relaxed) != 0 {
                break;
            }
        }
        STOP.store(true, Relaxed);
    });
    let secs = start.elapsed().as_secs_f64();
    let (calls, traps, wrong) = (
        CALLS.load(Relaxed),
        TRAPS.load(Relaxed),
        WRONG.load(Relaxed),
    );
    println!(
        "live: {done} retargets of {} sites, {calls} calls, {traps} traps emulated, \
         {wrong} wrong targets, {unobserved} retargets unobserved, {:.0} retargets/s",
        sites.len(),
        done as f64 / secs
    );
    assert_eq!(
        wrong,
        0,
        "a call landed on a wrong target (first in function {:#x})",
        FIRST_WRONG.load(Relaxed)
    );
    assert_eq!(
        unobserved, 0,
        "a retarget was never observed by the callers"
    );
    assert_eq!(STRAY.load(Relaxed), 0);
    assert!(
        traps > 0,
        "no caller ever hit an INT3: the emulation was not exercised"
    );
}

// SPDX-License-Identifier: GPL-2.0

//! Static calls.
//!
//! A static call is a call whose target is written into the code that makes it. With
//! `CONFIG_HAVE_STATIC_CALL_INLINE` (x86-64) every call site is patched to call the current
//! target directly: no function pointer is loaded and no indirect branch is taken. An update
//! rewrites every site.
//!
//! C header: [`include/linux/static_call.h`](srctree/include/linux/static_call.h).
//!
//! The macros share C's machinery instead of copying it:
//!
//! - [`define_static_call!`] defines a static call: its key, a [`bindings::static_call_key`],
//!   and its trampoline, whose assembly comes from the C header at build time
//!   (`ARCH_STATIC_CALL_TRAMP_ASM`), as [`static_branch_unlikely!`] takes its assembly.
//! - [`declare_static_call!`] makes a static call that C defines callable, with the function
//!   type checked against bindgen's declaration of its trampoline.
//! - [`static_call!`] calls it. The call goes straight to the trampoline, so rustc chooses the
//!   form of the site, a call, a tail call or a conditional tail call, and objtool records the
//!   site in `.static_call_sites` as it does for C. The kernel patches it at boot or when the
//!   module is loaded, and at every update.
//! - [`static_call_update!`] sets the target, [`static_call_query!`] reads it.
//!
//! Without `CONFIG_HAVE_STATIC_CALL` (the generic implementation, on UML for instance) a static
//! call is an indirect call through its key, as in C.
//!
//! In the kernel image objtool needs the key of every site in the site's object. So a static
//! call that Rust defines is called from the crate that defines it, and one that C defines from
//! a crate that declares it. A module calls a static call of the kernel image through its
//! exported trampoline (`EXPORT_STATIC_CALL_TRAMP_GPL()` or `EXPORT_STATIC_CALL_GPL()`).
//!
//! # Examples
//!
//! ```
//! # mod example {
//! use kernel::{define_static_call, static_call, static_call_query, static_call_update};
//!
//! extern "C" fn double(x: u64) -> u64 {
//!     2 * x
//! }
//!
//! extern "C" fn square(x: u64) -> u64 {
//!     x * x
//! }
//!
//! define_static_call!(rust_doctest_scale: extern "C" fn(u64) -> u64 = double);
//!
//! # pub(super) fn run() {
//! assert_eq!(static_call!(rust_doctest_scale(5)), 10);
//! static_call_update!(rust_doctest_scale, square);
//! assert_eq!(static_call!(rust_doctest_scale(5)), 25);
//! assert_eq!(static_call_query!(rust_doctest_scale) as usize, square as *const () as usize);
//! static_call_update!(rust_doctest_scale, double);
//! # }
//! # }
//! # example::run();
//! ```
//!
//! [`static_branch_unlikely!`]: crate::jump_label::static_branch_unlikely

use crate::bindings;
use core::{cell::UnsafeCell, ffi::c_void};

/// The key of a static call that Rust defines: the target and, with inline static calls, the
/// sites. C reads and writes it: [`define_static_call!`] makes it a `#[no_mangle]` static.
#[doc(hidden)]
#[repr(transparent)]
pub struct Key(UnsafeCell<bindings::static_call_key>);

// SAFETY: C's static call code writes the key, under its own lock; Rust only reads `func`,
// with a volatile read, as C's `static_call_query()` does.
unsafe impl Sync for Key {}

impl Key {
    /// A key whose target is `func`, as `DEFINE_STATIC_CALL()` initialises it.
    #[doc(hidden)]
    pub const fn new(func: *mut c_void) -> Self {
        Self(UnsafeCell::new(bindings::static_call_key {
            func,
            // With inline static calls, the low bit of the union says "sites, not modules",
            // and no site is attached yet.
            #[cfg(CONFIG_HAVE_STATIC_CALL_INLINE)]
            __bindgen_anon_1: bindings::static_call_key__bindgen_ty_1 { type_: 1 },
        }))
    }
}

/// The target of the key at `key`, or `nop` read back as NULL.
///
/// # Safety
///
/// `key` must point to a static call key.
#[doc(hidden)]
#[inline(always)]
pub unsafe fn __func(key: *const bindings::static_call_key) -> *mut c_void {
    // SAFETY: The caller passes a key. C writes `func` with WRITE_ONCE() and reads it with
    // READ_ONCE(): a volatile read of a pointer-sized field.
    unsafe { core::ptr::addr_of!((*key).func).read_volatile() }
}

/// The target of the key at `key`, NULL where the generic implementation holds `nop` instead.
///
/// # Safety
///
/// `key` must point to a static call key.
#[doc(hidden)]
#[inline]
pub unsafe fn __query(key: *const bindings::static_call_key, nop: *mut c_void) -> *mut c_void {
    // SAFETY: The caller passes a key.
    let func = unsafe { __func(key) };
    if func == nop {
        core::ptr::null_mut()
    } else {
        func
    }
}

/// Sets the target of a static call to `func`: `__static_call_update()`, or, with the generic
/// implementation, the key alone, with `nop` for NULL where the static call has one.
///
/// Sleeps: static call updates are serialised by a mutex.
///
/// # Safety
///
/// `key` and `tramp` must be the key and trampoline (NULL in the generic implementation) of
/// one static call, and `func` NULL or a function of its type.
#[doc(hidden)]
pub unsafe fn __update(
    key: *mut bindings::static_call_key,
    tramp: *mut c_void,
    func: *mut c_void,
    nop: *mut c_void,
) {
    #[cfg(CONFIG_HAVE_STATIC_CALL)]
    {
        let _ = nop;
        // SAFETY: The caller passes a key, its trampoline and a target of its type.
        unsafe { bindings::__static_call_update(key, tramp, func) };
    }
    #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
    {
        let _ = tramp;
        let func = if func.is_null() { nop } else { func };
        // SAFETY: The caller passes a key; C's generic `static_call_update()` is this
        // WRITE_ONCE().
        unsafe { core::ptr::addr_of_mut!((*key).func).write_volatile(func) };
    }
}

/// Defines a static call.
///
/// `define_static_call!(VIS NAME: FN = TARGET)` defines the static call `NAME`, whose targets
/// have the type `FN`, an `extern "C" fn` or `unsafe extern "C" fn`, and whose first target is
/// the function `TARGET`: C's `DEFINE_STATIC_CALL(NAME, TARGET)`. A static call that may have
/// no target, so that a call does nothing, is defined with `= None` (C's
/// `DEFINE_STATIC_CALL_NULL()`) or `= Some(TARGET)`: `FN` must return `()`, and updates and
/// queries take and give `Option<FN>`.
///
/// It defines the symbols `__SCK__NAME` (the key) and `__SCT__NAME` (the trampoline), as C
/// does, so `NAME` must be unique among the kernel's or the module's static calls. Without
/// `MODULE`, it also adds the `.static_call_tramp_key` entry that lets modules call the
/// trampoline without the key (`EXPORT_STATIC_CALL_TRAMP()`).
///
/// # Examples
///
/// ```
/// # mod example {
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::{define_static_call, static_call, static_call_query, static_call_update};
///
/// static SEEN: AtomicU32 = AtomicU32::new(0);
///
/// extern "C" fn note(x: u32) {
///     SEEN.store(x, Ordering::Relaxed);
/// }
///
/// define_static_call!(rust_doctest_hook: extern "C" fn(u32) = None);
///
/// # pub(super) fn run() {
/// static_call!(rust_doctest_hook(1)); // No target: does nothing.
/// assert!(static_call_query!(rust_doctest_hook).is_none());
/// static_call_update!(rust_doctest_hook, Some(note));
/// static_call!(rust_doctest_hook(2));
/// assert_eq!(SEEN.load(Ordering::Relaxed), 2);
/// static_call_update!(rust_doctest_hook, None);
/// static_call!(rust_doctest_hook(3));
/// assert_eq!(SEEN.load(Ordering::Relaxed), 2);
/// # }
/// # }
/// # example::run();
/// ```
///
/// The macro defines items: at module level, not in a function.
#[macro_export]
macro_rules! define_static_call {
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) () None) => {
        $crate::define_static_call!(@option $vis $name [$($unsafe)?] [$safety] ($($arg),*) []);
    };
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) ()
     Some($init:path)) => {
        $crate::define_static_call!(@option $vis $name [$($unsafe)?] [$safety] ($($arg),*) [$init]);
    };
    // A static call that may have no target: its type is `Option<FN>`.
    (@option $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) [$($init:path)?]) => {
        $crate::macros::paste! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCF__ $name>] = $($unsafe)? extern "C" fn($($arg),*);
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCU__ $name>] = ::core::option::Option<[<__SCF__ $name>]>;

            /// The target of the generic implementation in place of NULL.
            #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
            extern "C" fn [<__scn_ $name>]($(_: $arg),*) {}
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
            $vis const [<__SCN__ $name>]: *mut ::core::ffi::c_void =
                [<__scn_ $name>] as *mut ::core::ffi::c_void;
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            #[cfg(CONFIG_HAVE_STATIC_CALL)]
            $vis const [<__SCN__ $name>]: *mut ::core::ffi::c_void = ::core::ptr::null_mut();

            // The first target has the static call's type.
            $(const _: [<__SCF__ $name>] = $init;)?

            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            #[no_mangle]
            $vis static [<__SCK__ $name>]: $crate::static_call::Key =
                // The first target, else none.
                $crate::static_call::Key::new(
                    [$($init as *mut ::core::ffi::c_void,)? [<__SCN__ $name>]][0],
                );

            $crate::define_static_call!(@tramp $vis $name [$safety] ($($arg),*) ());
            $crate::define_static_call!(@tramp_asm $name [$($init)?]);
        }
    };
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) ($($ret:tt)+)
     $(None)? $(Some($init:path))?) => {
        ::core::compile_error!("a static call that may have no target must return ()");
    };
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) ($($ret:tt)*)
     $init:path) => {
        $crate::macros::paste! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCF__ $name>] = $($unsafe)? extern "C" fn($($arg),*) $($ret)*;
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCU__ $name>] = [<__SCF__ $name>];
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            $vis const [<__SCN__ $name>]: *mut ::core::ffi::c_void = ::core::ptr::null_mut();

            // The first target has the static call's type.
            const _: [<__SCF__ $name>] = $init;

            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            #[no_mangle]
            $vis static [<__SCK__ $name>]: $crate::static_call::Key =
                $crate::static_call::Key::new($init as *mut ::core::ffi::c_void);

            $crate::define_static_call!(@tramp $vis $name [$safety] ($($arg),*) ($($ret)*));
            $crate::define_static_call!(@tramp_asm $name [$init]);
        }
    };
    // The trampoline: a jump to the first target, or a return without one.
    (@tramp_asm $name:ident []) => {
        $crate::macros::paste! {
            #[cfg(CONFIG_HAVE_STATIC_CALL_INLINE)]
            ::core::arch::global_asm!(
                include!(concat!(
                    env!("OBJTREE"),
                    "/rust/kernel/generated_arch_static_call_null_tramp_asm.rs"
                )),
                tramp = sym [<__SCT__ $name>],
                options(att_syntax)
            );
        }
    };
    (@tramp_asm $name:ident [$init:path]) => {
        $crate::macros::paste! {
            #[cfg(CONFIG_HAVE_STATIC_CALL_INLINE)]
            ::core::arch::global_asm!(
                include!(concat!(
                    env!("OBJTREE"),
                    "/rust/kernel/generated_arch_static_call_tramp_asm.rs"
                )),
                tramp = sym [<__SCT__ $name>],
                func = sym $init,
                options(att_syntax)
            );
        }
    };
    // The trampoline's declaration, and its `.static_call_tramp_key` entry in the kernel image.
    (@tramp $vis:vis $name:ident [$safety:tt] ($($arg:ty),*) ($($ret:tt)*)) => {
        $crate::macros::paste! {
            #[cfg(all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_HAVE_STATIC_CALL_INLINE)))]
            ::core::compile_error!(
                "Rust defines static calls with CONFIG_HAVE_STATIC_CALL_INLINE or the generic \
                 implementation only"
            );
            #[cfg(CONFIG_HAVE_STATIC_CALL_INLINE)]
            unsafe extern "C" {
                #[doc(hidden)]
                $vis $safety fn [<__SCT__ $name>]($(_: $arg),*) $($ret)*;
            }
            #[cfg(all(CONFIG_HAVE_STATIC_CALL_INLINE, not(MODULE)))]
            ::core::arch::global_asm!(
                include!(concat!(
                    env!("OBJTREE"),
                    "/rust/kernel/generated_arch_static_call_tramp_key_asm.rs"
                )),
                tramp = sym [<__SCT__ $name>],
                key = sym [<__SCK__ $name>],
                options(att_syntax)
            );
        }
    };
    ($vis:vis $name:ident: unsafe extern "C" fn($($arg:ty),* $(,)?) $(-> $ret:ty)? = $($init:tt)+) => {
        $crate::define_static_call!(
            @define $vis $name [unsafe] [unsafe] ($($arg),*) ($(-> $ret)?) $($init)+
        );
    };
    ($vis:vis $name:ident: extern "C" fn($($arg:ty),* $(,)?) $(-> $ret:ty)? = $($init:tt)+) => {
        $crate::define_static_call!(@define $vis $name [] [safe] ($($arg),*) ($(-> $ret)?) $($init)+);
    };
}

/// Makes a static call that C defines callable from Rust.
///
/// `declare_static_call!(VIS NAME: FN)` is C's `DECLARE_STATIC_CALL()`: `FN` is the function
/// type, and the build fails unless bindgen's declaration of the trampoline `__SCT__NAME` has
/// it. Calls are `unsafe`, like those of every C function. Updates and queries take and give
/// `Option<FN>`: C may set NULL.
///
/// A crate declares each static call of C that it calls: in the kernel image the declaration
/// adds the reference to the key that objtool needs in the object of every site, as C's
/// `static_call()` does with `__ADDRESSABLE()`.
///
/// # Examples
///
/// ```
/// # #[cfg(all(CONFIG_PREEMPT_DYNAMIC, CONFIG_HAVE_PREEMPT_DYNAMIC_CALL))]
/// # {
/// use kernel::{declare_static_call, static_call, static_call_query};
///
/// declare_static_call!(cond_resched: unsafe extern "C" fn() -> kernel::ffi::c_int);
///
/// // SAFETY: This is process context, where the kernel may reschedule.
/// let _ = unsafe { static_call!(cond_resched()) };
/// assert!(static_call_query!(cond_resched).is_some());
/// # }
/// ```
#[macro_export]
macro_rules! declare_static_call {
    ($vis:vis $name:ident: $fn:ty) => {
        $crate::macros::paste! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCF__ $name>] = $fn;
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCU__ $name>] = ::core::option::Option<[<__SCF__ $name>]>;
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            $vis const [<__SCN__ $name>]: *mut ::core::ffi::c_void = ::core::ptr::null_mut();

            // The type is C's.
            const _: [<__SCF__ $name>] = $crate::bindings::[<__SCT__ $name>];

            // C's `__ADDRESSABLE()`: in the kernel image objtool names the key of each site
            // and must find it in the object. A module calls an exported trampoline
            // without the key, and the module loader finds the key. (In a module of its
            // own: `global_asm!` is not a statement.)
            #[cfg(all(CONFIG_HAVE_STATIC_CALL_INLINE, not(MODULE)))]
            #[doc(hidden)]
            mod [<__sca_ $name>] {
                ::core::arch::global_asm!(
                    include!(concat!(
                        env!("OBJTREE"),
                        "/rust/kernel/generated_arch_static_call_addressable_asm.rs"
                    )),
                    key = sym $crate::bindings::[<__SCK__ $name>],
                    options(att_syntax)
                );
            }

            #[doc(hidden)]
            #[allow(unused_imports)]
            $vis use $crate::bindings::[<__SCK__ $name>];
            #[doc(hidden)]
            #[allow(unused_imports)]
            #[cfg(CONFIG_HAVE_STATIC_CALL)]
            $vis use $crate::bindings::[<__SCT__ $name>];
        }
    };
}

/// Calls a static call: `static_call!(NAME(ARGS...))`.
///
/// The arguments and the result have the types of the static call's function type. A call of
/// a static call whose type is an `unsafe extern "C" fn`, as every one that C defines, must be
/// in an `unsafe` block. A static call without a target does nothing.
///
/// See [`define_static_call!`] for an example.
#[macro_export]
macro_rules! static_call {
    ($name:ident($($arg:expr),* $(,)?)) => {
        $crate::macros::paste! {{
            #[cfg(CONFIG_HAVE_STATIC_CALL)]
            let ret = [<__SCT__ $name>]($($arg),*);
            #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
            let ret = {
                #[allow(unused_unsafe)]
                // SAFETY: The key of this static call holds a function of its type (NULL is
                // held as a function that does nothing), which a pointer to that type may
                // hold.
                let func = unsafe {
                    ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCF__ $name>]>(
                        $crate::static_call::__func(
                            ::core::ptr::addr_of!([<__SCK__ $name>]).cast(),
                        ),
                    )
                };
                func($($arg),*)
            };
            ret
        }}
    };
}

/// Sets the target of a static call: `static_call_update!(NAME, TARGET)`.
///
/// `TARGET` has the static call's function type, or is an `Option` of it for a static call
/// defined with `= None` or by C. Every site is rewritten before it returns. It may sleep.
#[macro_export]
macro_rules! static_call_update {
    ($name:ident, $func:expr $(,)?) => {
        $crate::macros::paste! {{
            let func: [<__SCU__ $name>] = $func;
            #[cfg(CONFIG_HAVE_STATIC_CALL)]
            let tramp = [<__SCT__ $name>] as *mut ::core::ffi::c_void;
            #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
            let tramp = ::core::ptr::null_mut();
            #[allow(unused_unsafe)]
            // SAFETY: A function pointer and an `Option` of one are a pointer, NULL for `None`.
            // The key and trampoline are this static call's, and `func` has its type.
            unsafe {
                $crate::static_call::__update(
                    ::core::ptr::addr_of!([<__SCK__ $name>]).cast_mut().cast(),
                    tramp,
                    ::core::mem::transmute::<[<__SCU__ $name>], *mut ::core::ffi::c_void>(func),
                    [<__SCN__ $name>],
                )
            }
        }}
    };
}

/// Reads the target of a static call: `static_call_query!(NAME)`.
///
/// It gives the static call's function type, or an `Option` of it for a static call defined
/// with `= None` or by C.
#[macro_export]
macro_rules! static_call_query {
    ($name:ident) => {
        $crate::macros::paste! {{
            #[allow(unused_unsafe)]
            // SAFETY: The key of this static call holds NULL only where the static call can
            // have no target, and then `Option` is its type; else a function of its type.
            unsafe {
                ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCU__ $name>]>(
                    $crate::static_call::__query(
                        ::core::ptr::addr_of!([<__SCK__ $name>]).cast(),
                        [<__SCN__ $name>],
                    ),
                )
            }
        }}
    };
}

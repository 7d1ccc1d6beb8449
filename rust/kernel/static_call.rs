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
//! The macros work like C's:
//!
//! - [`define_static_call!`] is `DEFINE_STATIC_CALL()`: the key, a
//!   [`bindings::static_call_key`], and the trampoline, whose assembly comes from the
//!   architecture's C header at build time (`ARCH_STATIC_CALL_TRAMP_ASM()`), as
//!   [`static_branch_unlikely!`] takes its assembly.
//! - [`declare_static_call!`] makes a static call that C defines callable, as `static_call()`
//!   calls it, and [`declare_static_call_mod!`] one whose trampoline alone is exported, as
//!   `static_call_mod()` calls it. bindgen's declaration of the trampoline checks the type.
//! - [`static_call!`] calls it. The call goes straight to the trampoline, so rustc chooses the
//!   form of the site, a call, a tail call or a conditional tail call, and objtool records the
//!   site in `.static_call_sites` as it does for C. The kernel patches it at boot or when the
//!   module is loaded, and at every update.
//! - [`static_call_update!`] sets the target, [`static_call_query!`] reads it.
//!
//! Without `CONFIG_HAVE_STATIC_CALL` (the generic implementation, on UML for instance) a call
//! goes through the key's function pointer, as in C. So it does on architectures with inline
//! static calls whose `<asm/static_call.h>` does not give its assembly as strings
//! (`CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR`); Rust cannot define static calls there.
//!
//! In the kernel image objtool needs the key of every inline site in the object of the site.
//! So a static call that Rust defines is called from the crate that defines it, and one that
//! C defines from a crate that declares it, outside `#[inline]` and generic functions that
//! other crates may instantiate.
//!
//! # Examples
//!
//! ```
//! # #[cfg(any(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR, not(CONFIG_HAVE_STATIC_CALL)))]
//! # {
//! # mod example {
//! use kernel::define_static_call;
//!
//! pub(crate) extern "C" fn double(x: u64) -> u64 {
//!     2 * x
//! }
//!
//! pub(crate) extern "C" fn square(x: u64) -> u64 {
//!     x * x
//! }
//!
//! define_static_call!(pub(crate) rust_doctest_scale: extern "C" fn(u64) -> u64 = double);
//! # }
//! # use example::*;
//! use kernel::{static_call, static_call_query, static_call_update};
//!
//! assert_eq!(static_call!(rust_doctest_scale(5)), 10);
//! static_call_update!(rust_doctest_scale, square);
//! assert_eq!(static_call!(rust_doctest_scale(5)), 25);
//! assert_eq!(static_call_query!(rust_doctest_scale) as usize, square as *const () as usize);
//! static_call_update!(rust_doctest_scale, double);
//! # }
//! ```
//!
//! [`static_branch_unlikely!`]: crate::jump_label::static_branch_unlikely
//! [`define_static_call!`]: crate::define_static_call
//! [`declare_static_call!`]: crate::declare_static_call
//! [`declare_static_call_mod!`]: crate::declare_static_call_mod
//! [`static_call!`]: macro@crate::static_call
//! [`static_call_update!`]: crate::static_call_update
//! [`static_call_query!`]: crate::static_call_query

use crate::bindings;
use core::{cell::UnsafeCell, ffi::c_void};

// The generated assembly is a string literal.
#[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
const _: [&str; 3] = [
    include!(concat!(
        env!("OBJTREE"),
        "/rust/kernel/generated_arch_static_call_tramp_asm.rs"
    )),
    include!(concat!(
        env!("OBJTREE"),
        "/rust/kernel/generated_arch_static_call_null_tramp_asm.rs"
    )),
    include!(concat!(
        env!("OBJTREE"),
        "/rust/kernel/generated_arch_static_call_addressable_asm.rs"
    )),
];

/// The key of a static call that Rust defines: the target and, with inline static calls, the
/// sites. C reads and writes it: [`define_static_call!`] makes it a `#[no_mangle]` static.
///
/// [`define_static_call!`]: crate::define_static_call
#[doc(hidden)]
#[repr(transparent)]
pub struct Key(UnsafeCell<bindings::static_call_key>);

// SAFETY: The key is written by C's `__static_call_update()` and the module loader, under C's
// locks, and in the generic implementation by `__update()` with one volatile write of `func`,
// C's WRITE_ONCE(). Rust reads only `func`, with volatile reads, as C's READ_ONCE().
unsafe impl Sync for Key {}

impl Key {
    /// A key whose target is `func`, as `DEFINE_STATIC_CALL()` initialises it: with inline
    /// static calls, `type` 1 says "no sites attached yet".
    ///
    /// # Safety
    ///
    /// The key must be the `__SCK__` symbol of a static call whose trampoline, if the
    /// implementation has one, starts on `func`, and `func` must be NULL or a function of the
    /// static call's type.
    #[doc(hidden)]
    pub const unsafe fn new(func: *mut c_void) -> Self {
        Self(UnsafeCell::new(bindings::static_call_key {
            func,
            #[cfg(CONFIG_HAVE_STATIC_CALL_INLINE)]
            __bindgen_anon_1: bindings::static_call_key__bindgen_ty_1 { type_: 1 },
        }))
    }
}

/// The target of the key at `key`.
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

/// The target of the key at `key`, NULL where the key holds `nop` instead.
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

/// Sets the target of a static call to `func` with `__static_call_update()`, or, with the
/// generic implementation, in the key alone, as C's `static_call_update()`, `nop` standing
/// for NULL where it is not NULL.
///
/// # Safety
///
/// `key` and `tramp` must be the key and trampoline (NULL in the generic implementation) of
/// one static call, and `func` NULL or a function of its type.
#[doc(hidden)]
#[track_caller]
pub unsafe fn __update(
    key: *mut bindings::static_call_key,
    tramp: *mut c_void,
    func: *mut c_void,
    nop: *mut c_void,
) {
    // Updates sleep on C's locks.
    crate::task::might_sleep();
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
        // SAFETY: The caller passes a key.
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
/// does, so `NAME` must be unique among the static calls of the kernel image or the module.
/// The kernel crate exports both, as `EXPORT_STATIC_CALL_GPL()` would; other crates export
/// nothing. It defines items, so it is used at module level: the trampoline is `global_asm!`.
///
/// # Examples
///
/// ```
/// # #[cfg(any(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR, not(CONFIG_HAVE_STATIC_CALL)))]
/// # {
/// # mod example {
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use kernel::define_static_call;
///
/// pub(crate) static SEEN: AtomicU32 = AtomicU32::new(0);
///
/// pub(crate) extern "C" fn note(x: u32) {
///     SEEN.store(x, Ordering::Relaxed);
/// }
///
/// define_static_call!(pub(crate) rust_doctest_hook: extern "C" fn(u32) = None);
/// # }
/// # use example::*;
/// use core::sync::atomic::Ordering;
/// use kernel::{static_call, static_call_query, static_call_update};
///
/// static_call!(rust_doctest_hook(1)); // No target: does nothing.
/// assert!(static_call_query!(rust_doctest_hook).is_none());
/// static_call_update!(rust_doctest_hook, Some(note));
/// static_call!(rust_doctest_hook(2));
/// assert_eq!(SEEN.load(Ordering::Relaxed), 2);
/// static_call_update!(rust_doctest_hook, None);
/// static_call!(rust_doctest_hook(3));
/// assert_eq!(SEEN.load(Ordering::Relaxed), 2);
/// # }
/// ```
#[macro_export]
macro_rules! define_static_call {
    ($vis:vis $name:ident: unsafe extern "C" fn($($arg:ty),* $(,)?) $(-> $ret:ty)?
     = $($init:tt)+) => {
        $crate::__static_call!(
            @define $vis $name [unsafe] [unsafe] ($($arg),*) ($(-> $ret)?) $($init)+
        );
    };
    ($vis:vis $name:ident: extern "C" fn($($arg:ty),* $(,)?) $(-> $ret:ty)?
     = $($init:tt)+) => {
        $crate::__static_call!(@define $vis $name [] [safe] ($($arg),*) ($(-> $ret)?) $($init)+);
    };
}

/// The implementation of `define_static_call!` and the declarations: one static call's items.
#[doc(hidden)]
#[macro_export]
macro_rules! __static_call {
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) () None) => {
        $crate::__static_call!(@option $vis $name [$($unsafe)?] [$safety] ($($arg),*) []);
    };
    (@define $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*) ()
     Some($init:path)) => {
        $crate::__static_call!(@option $vis $name [$($unsafe)?] [$safety] ($($arg),*) [$init]);
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
            // SAFETY: The key of this static call, whose trampoline starts on `$init`, a
            // function of its type.
            $vis static [<__SCK__ $name>]: $crate::static_call::Key =
                unsafe { $crate::static_call::Key::new($init as *mut ::core::ffi::c_void) };

            $crate::__static_call!(@common $vis $name [$safety] ($($arg),*) ($($ret)*));
            $crate::__static_call!(@tramp_asm $name [$init]);
        }
    };
    // A static call that may have no target: its type is `Option<FN>`.
    (@option $vis:vis $name:ident [$($unsafe:tt)?] [$safety:tt] ($($arg:ty),*)
     [$($init:path)?]) => {
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
            // SAFETY: The key of this static call, whose trampoline starts on its first
            // target, a function of its type, or without one returns.
            $vis static [<__SCK__ $name>]: $crate::static_call::Key = unsafe {
                $crate::static_call::Key::new(
                    [$($init as *mut ::core::ffi::c_void,)? [<__SCN__ $name>]][0],
                )
            };

            $crate::__static_call!(@common $vis $name [$safety] ($($arg),*) ());
            $crate::__static_call!(@tramp_asm $name [$($init)?]);
        }
    };
    // The trampoline's declaration and the functions behind the macros.
    (@common $vis:vis $name:ident [$safety:tt] ($($arg:ty),*) ($($ret:tt)*)) => {
        $crate::macros::paste! {
            #[cfg(all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)))]
            ::core::compile_error!(
                "Rust defines static calls where <asm/static_call.h> gives its assembly as \
                 strings (ARCH_HAS_STATIC_CALL_ASM_STR) and with the generic implementation"
            );
            #[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
            unsafe extern "C" {
                #[doc(hidden)]
                $vis $safety fn [<__SCT__ $name>]($(_: $arg),*) $($ret)*;
            }

            /// Sets the target: `static_call_update!`.
            #[doc(hidden)]
            #[allow(dead_code)]
            // The type may be an `Option`, which no pointer cast converts.
            #[allow(clippy::transmutes_expressible_as_ptr_casts)]
            $vis fn [<__scu_ $name>](func: [<__SCU__ $name>]) {
                #[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
                let tramp = [<__SCT__ $name>] as *mut ::core::ffi::c_void;
                #[cfg(not(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR))]
                let tramp = ::core::ptr::null_mut();
                // SAFETY: A function pointer and an `Option` of one are a pointer, NULL for
                // `None`. The key and trampoline are this static call's; `func` has its type.
                unsafe {
                    $crate::static_call::__update(
                        ::core::ptr::addr_of!([<__SCK__ $name>]).cast_mut().cast(),
                        tramp,
                        ::core::mem::transmute::<[<__SCU__ $name>], *mut ::core::ffi::c_void>(func),
                        [<__SCN__ $name>],
                    )
                }
            }

            /// Reads the target: `static_call_query!`.
            #[doc(hidden)]
            #[allow(dead_code)]
            $vis fn [<__scq_ $name>]() -> [<__SCU__ $name>] {
                // SAFETY: The key holds NULL only where the static call's type is an `Option`
                // (and never in the generic implementation, which holds its `nop`), else a
                // function of its type.
                unsafe {
                    ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCU__ $name>]>(
                        $crate::static_call::__query(
                            ::core::ptr::addr_of!([<__SCK__ $name>]).cast(),
                            [<__SCN__ $name>],
                        ),
                    )
                }
            }

            /// The target to call without a trampoline: `static_call!`.
            #[doc(hidden)]
            #[allow(dead_code)]
            #[inline(always)]
            #[cfg(not(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR))]
            $vis fn [<__scf_ $name>]() -> [<__SCF__ $name>] {
                // SAFETY: The key holds a function of the static call's type: without a
                // trampoline, NULL is held as its `nop`.
                unsafe {
                    ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCF__ $name>]>(
                        $crate::static_call::__func(
                            ::core::ptr::addr_of!([<__SCK__ $name>]).cast(),
                        ),
                    )
                }
            }
        }
    };
    // The trampoline: a jump to the first target, or a return without one.
    (@tramp_asm $name:ident []) => {
        $crate::macros::paste! {
            #[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
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
            #[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
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
    // A static call that C defines: what both declarations have.
    (@declare $vis:vis $name:ident $fn:ty) => {
        $crate::macros::paste! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCF__ $name>] = $fn;

            // The type is C's.
            const _: [<__SCF__ $name>] = $crate::bindings::[<__SCT__ $name>];

            #[doc(hidden)]
            #[allow(unused_imports)]
            #[cfg(any(
                CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR,
                all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_HAVE_STATIC_CALL_INLINE))
            ))]
            $vis use $crate::bindings::[<__SCT__ $name>];

            /// The target to call without a trampoline: `static_call!`.
            ///
            /// # Safety
            ///
            /// The static call must have a target.
            #[doc(hidden)]
            #[allow(dead_code)]
            #[inline(always)]
            #[cfg(not(any(
                CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR,
                all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_HAVE_STATIC_CALL_INLINE))
            )))]
            $vis unsafe fn [<__scf_ $name>]() -> [<__SCF__ $name>] {
                // SAFETY: C's key holds a function of this type, not NULL: the caller's
                // promise.
                unsafe {
                    ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCF__ $name>]>(
                        $crate::static_call::__func(
                            ::core::ptr::addr_of!($crate::bindings::[<__SCK__ $name>]),
                        ),
                    )
                }
            }
        }
    };
    // C's `__ADDRESSABLE()` of the key. (In a module of its own: `global_asm!` is not a
    // statement.)
    (@addressable $name:ident) => {
        $crate::macros::paste! {
            #[cfg(CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR)]
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
        }
    };
}

/// Makes a static call that C defines callable from Rust, as `static_call()` calls it.
///
/// `declare_static_call!(VIS NAME: FN)` is C's `DECLARE_STATIC_CALL()`: `FN` is the function
/// type, and the build fails unless bindgen's declaration of the trampoline `__SCT__NAME` has
/// it. Calls are `unsafe`, like those of every C function, and the static call must have a
/// target when one is called, as in C. [`static_call_update!`] is `unsafe` too: its caller
/// answers for what C's static call is allowed to call. Updates and queries take and give
/// `Option<FN>`.
///
/// Each object that calls a static call must name its key, as `static_call()` does in C with
/// `__ADDRESSABLE()`: the declaration does that in its crate. A module needs the key exported
/// (`EXPORT_STATIC_CALL_GPL()`); for one whose trampoline alone is exported, see
/// [`declare_static_call_mod!`].
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
/// // SAFETY: This is process context, where the kernel may reschedule, and
/// // `cond_resched` always has a target.
/// let _ = unsafe { static_call!(cond_resched()) };
/// assert!(static_call_query!(cond_resched).is_some());
/// # }
/// ```
///
/// [`declare_static_call_mod!`]: crate::declare_static_call_mod
/// [`static_call_update!`]: crate::static_call_update
#[macro_export]
macro_rules! declare_static_call {
    ($vis:vis $name:ident: $fn:ty) => {
        $crate::__static_call!(@declare $vis $name $fn);
        $crate::__static_call!(@addressable $name);
        $crate::macros::paste! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            $vis type [<__SCU__ $name>] = ::core::option::Option<[<__SCF__ $name>]>;

            /// Sets the target: `static_call_update!`.
            ///
            /// # Safety
            ///
            /// C's static call may call `func`.
            #[doc(hidden)]
            #[allow(dead_code)]
            $vis unsafe fn [<__scu_ $name>](func: [<__SCU__ $name>]) {
                #[cfg(CONFIG_HAVE_STATIC_CALL)]
                let tramp = $crate::bindings::[<__SCT__ $name>] as *mut ::core::ffi::c_void;
                #[cfg(not(CONFIG_HAVE_STATIC_CALL))]
                let tramp = ::core::ptr::null_mut();
                // SAFETY: A function pointer and an `Option` of one are a pointer, NULL for
                // `None`. The key and trampoline are this static call's; `func` has its type.
                unsafe {
                    $crate::static_call::__update(
                        ::core::ptr::addr_of_mut!($crate::bindings::[<__SCK__ $name>]),
                        tramp,
                        ::core::mem::transmute::<[<__SCU__ $name>], *mut ::core::ffi::c_void>(func),
                        ::core::ptr::null_mut(),
                    )
                }
            }

            /// Reads the target: `static_call_query!`.
            #[doc(hidden)]
            #[allow(dead_code)]
            $vis fn [<__scq_ $name>]() -> [<__SCU__ $name>] {
                // SAFETY: C's key holds NULL or a function of this type.
                unsafe {
                    ::core::mem::transmute::<*mut ::core::ffi::c_void, [<__SCU__ $name>]>(
                        $crate::static_call::__func(
                            ::core::ptr::addr_of!($crate::bindings::[<__SCK__ $name>]),
                        ),
                    )
                }
            }
        }
    };
}

/// Makes a static call that C defines callable from Rust, as `static_call_mod()` calls it.
///
/// Like [`declare_static_call!`], for a static call whose trampoline alone is exported to
/// modules (`EXPORT_STATIC_CALL_TRAMP_GPL()`): a module's sites do not name the key, and the
/// module loader finds it through `.static_call_tramp_key`. It can be called, not updated or
/// queried.
///
/// [`declare_static_call!`]: crate::declare_static_call
#[macro_export]
macro_rules! declare_static_call_mod {
    ($vis:vis $name:ident: $fn:ty) => {
        $crate::__static_call!(@declare $vis $name $fn);
        #[cfg(not(MODULE))]
        $crate::__static_call!(@addressable $name);
    };
}

/// Calls a static call: `static_call!(NAME(ARGS...))`.
///
/// The arguments and the result have the types of the static call's function type. A call of
/// a static call whose type is an `unsafe extern "C" fn`, as every one that C defines, must be
/// in an `unsafe` block. A static call without a target does nothing.
///
/// See [`define_static_call!`] for an example.
///
/// [`define_static_call!`]: crate::define_static_call
#[macro_export]
macro_rules! static_call {
    ($name:ident($($arg:expr),* $(,)?)) => {
        $crate::macros::paste! {{
            #[cfg(any(
                CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR,
                all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_HAVE_STATIC_CALL_INLINE))
            ))]
            let ret = [<__SCT__ $name>]($($arg),*);
            #[cfg(not(any(
                CONFIG_ARCH_HAS_STATIC_CALL_ASM_STR,
                all(CONFIG_HAVE_STATIC_CALL, not(CONFIG_HAVE_STATIC_CALL_INLINE))
            )))]
            let ret = [<__scf_ $name>]()($($arg),*);
            ret
        }}
    };
}

/// Sets the target of a static call: `static_call_update!(NAME, TARGET)`.
///
/// `TARGET` has the static call's function type, or is an `Option` of it for a static call
/// defined with `= None` or `= Some(..)`, or by C (then the update is `unsafe`). Every site is
/// rewritten before it returns. It may sleep.
#[macro_export]
macro_rules! static_call_update {
    ($name:ident, $func:expr $(,)?) => {
        $crate::macros::paste! { [<__scu_ $name>]($func) }
    };
}

/// Reads the target of a static call: `static_call_query!(NAME)`.
///
/// It gives the static call's function type, or an `Option` of it for a static call defined
/// with `= None` or `= Some(..)`, or by C.
#[macro_export]
macro_rules! static_call_query {
    ($name:ident) => {
        $crate::macros::paste! { [<__scq_ $name>]() }
    };
}

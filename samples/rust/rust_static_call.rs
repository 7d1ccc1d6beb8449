// SPDX-License-Identifier: GPL-2.0

//! Rust static call sample.
//!
//! A static call is a call whose target the kernel writes into the code that makes it: no
//! function pointer is loaded, no indirect branch taken. This module defines one with a
//! default target, calls it, and switches it to another target at init, as a driver does once
//! it knows the hardware. A second one has no target until one is set: a call of it does
//! nothing. Both go away with the module.

use kernel::prelude::*;
use kernel::{define_static_call, static_call, static_call_query, static_call_update};

module! {
    type: RustStaticCall,
    name: "rust_static_call",
    description: "Rust static call sample",
    license: "GPL",
}

/// Scales a value: the portable way.
extern "C" fn scale_by_adding(x: u32) -> u32 {
    x + x + x
}

/// Scales a value: the way the module picks at init.
extern "C" fn scale_by_multiplying(x: u32) -> u32 {
    x * 3
}

/// Reports a scaled value.
extern "C" fn report(x: u32) {
    pr_info!("observer: {x}\n");
}

// A static call whose target is `scale_by_adding` until updated.
define_static_call!(rust_sample_scale: extern "C" fn(u32) -> u32 = scale_by_adding);

// A static call without a target: calls do nothing until one is set.
define_static_call!(rust_sample_observe: extern "C" fn(u32) = None);

/// Scales `x` and lets the observer, if any, see the result.
fn scale(x: u32) -> u32 {
    let y = static_call!(rust_sample_scale(x));
    static_call!(rust_sample_observe(y));
    y
}

struct RustStaticCall;

impl kernel::Module for RustStaticCall {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("Rust static call sample (init)\n");
        pr_info!("scale(14) = {}\n", scale(14));

        static_call_update!(rust_sample_scale, scale_by_multiplying);
        static_call_update!(rust_sample_observe, Some(report));
        let multiplying = static_call_query!(rust_sample_scale) as usize
            == scale_by_multiplying as *const () as usize;
        pr_info!("now multiplying: {multiplying}\n");
        pr_info!("scale(14) = {}\n", scale(14));
        Ok(RustStaticCall)
    }
}

impl Drop for RustStaticCall {
    fn drop(&mut self) {
        pr_info!("Rust static call sample (exit)\n");
    }
}

// SPDX-License-Identifier: GPL-2.0

//! Host stand-in for the kernel's `#[export]`: the seam bench compiles the
//! kernel's FFI files with it. Like the kernel's, it checks that the function
//! has the type of the declaration of the same name in `kernel::bindings`
//! (the bench's bindgen output for `<asm/text-poke-insn.h>`) and keeps its
//! name unmangled.

use proc_macro::{TokenStream, TokenTree};

/// Checks the function against `::kernel::bindings` and adds `#[no_mangle]`.
#[proc_macro_attribute]
pub fn export(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut tokens = item.clone().into_iter();
    let name = loop {
        match tokens.next() {
            Some(TokenTree::Ident(i)) if i.to_string() == "fn" => match tokens.next() {
                Some(TokenTree::Ident(name)) => break name,
                _ => {
                    return "compile_error!(\"#[export]: no function name\");"
                        .parse()
                        .unwrap()
                }
            },
            Some(_) => continue,
            None => {
                return "compile_error!(\"#[export] goes on a function\");"
                    .parse()
                    .unwrap()
            }
        }
    };
    let mut out: TokenStream = format!(
        "const _: () = {{ if true {{ ::kernel::bindings::{name} }} else {{ {name} }}; }}; #[no_mangle]"
    )
    .parse()
    .unwrap();
    out.extend(item);
    out
}

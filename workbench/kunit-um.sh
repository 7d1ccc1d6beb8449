#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-um.sh: kernel::static_call without CONFIG_HAVE_STATIC_CALL. kunit.py's
# default architecture, UML, has none: a static call there is C's generic
# implementation, a call through the key's function pointer. Build UML with
# Rust and the kernel crate's doctests (build/BASE/kunit-um) and run the
# doctests of rust/kernel/static_call.rs: they define static calls, call,
# update and query them, and must all pass.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

json=$LOGS/kunit-um.json log=$LOGS/kunit-um.log
[ ! -e "$SRC/.config" ] || die "$SRC/.config exists: kunit.py needs a clean source tree"
rm -f "$json"
(cd "$SRC" && PATH=$TOP/workbench/bin:$PATH python3 tools/testing/kunit/kunit.py run \
	--build_dir="$BUILD/kunit-um" \
	--kconfig_add CONFIG_RUST=y --kconfig_add CONFIG_RUST_KERNEL_DOCTESTS=y \
	--make_options LLVM=-19 --make_options RUSTC="$RUSTC" \
	--make_options RUSTDOC="$RUSTDOC" --make_options BINDGEN="$BINDGEN" \
	--make_options HOSTRUSTC="$RUSTC" --jobs="$(nproc)" --timeout=300 \
	--json="$json" 'rust_doctests_kernel.*static_call*') > "$log" 2>&1 || {
	tail -20 "$log"
	die "kunit.py on UML failed, see $log"
}
grep -q '^CONFIG_UML=y' "$BUILD/kunit-um/.config" || die "not a UML kernel"
! grep -q '^CONFIG_HAVE_STATIC_CALL=y' "$BUILD/kunit-um/.config" || die "this UML has HAVE_STATIC_CALL"
cases=$(kunit_cases "$json" | grep static_call) || die "no static_call doctest ran"
echo "$cases" | sed 's/^/  /'
! grep -qv '^PASS ' <<< "$cases" || die "a static_call doctest did not pass"
echo "UML (no HAVE_STATIC_CALL), Rust: $(echo "$cases" | wc -l) doctests of kernel::static_call pass"

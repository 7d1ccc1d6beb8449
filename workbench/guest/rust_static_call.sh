# SPDX-License-Identifier: GPL-2.0
# Guest test: load and unload the Rust static call sample.
echo "textpoke-test: loading rust_static_call"
if insmod /lib/modules/rust_static_call.ko && rmmod rust_static_call; then
	echo "textpoke-test: rust_static_call loaded and unloaded"
else
	echo "textpoke-test: rust_static_call FAILED"
fi

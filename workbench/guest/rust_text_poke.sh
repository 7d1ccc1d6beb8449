# SPDX-License-Identifier: GPL-2.0
# Guest test: load the torture sample (module-init patching, then live
# live patching of its 16 Jcc.d32 sites under two callers).
echo "textpoke-test: loading rust_text_poke"
if insmod /lib/modules/rust_text_poke.ko; then
	echo "textpoke-test: rust_text_poke loaded"
else
	echo "textpoke-test: rust_text_poke FAILED to load"
fi

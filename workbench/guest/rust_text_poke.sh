# SPDX-License-Identifier: GPL-2.0
# Guest test: load the torture sample (module-init patching, then live
# patching of its 16 Jcc.d32 sites under two callers). textpoke.updates=N
# on the kernel command line sets the module's updates parameter.
updates=$(sed -n 's/.*textpoke\.updates=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "textpoke-test: loading rust_text_poke${updates:+ updates=$updates}"
if insmod /lib/modules/rust_text_poke.ko ${updates:+updates=$updates}; then
	echo "textpoke-test: rust_text_poke loaded"
else
	echo "textpoke-test: rust_text_poke FAILED to load"
fi

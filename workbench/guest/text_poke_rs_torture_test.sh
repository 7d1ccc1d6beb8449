# SPDX-License-Identifier: GPL-2.0
# Guest test: load the torture test module (module-init patching, then live
# patching of its 16 Jcc.d32 sites under two callers). textpoke.updates=N
# on the kernel command line sets the module's updates parameter.
updates=$(sed -n 's/.*textpoke\.updates=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "textpoke-test: loading text_poke_rs_torture_test${updates:+ updates=$updates}"
if insmod /lib/modules/text_poke_rs_torture_test.ko ${updates:+updates=$updates}; then
	echo "textpoke-test: text_poke_rs_torture_test loaded"
else
	echo "textpoke-test: text_poke_rs_torture_test FAILED to load"
fi

# SPDX-License-Identifier: GPL-2.0
# Guest test: load the static_call_update() bench (workbench/bench), which
# measures on load and stays loaded.
echo "textpoke-test: loading static_call_bench"
if insmod /lib/modules/static_call_bench.ko; then
	echo "textpoke-test: static_call_bench loaded"
else
	echo "textpoke-test: static_call_bench FAILED to load"
fi

# SPDX-License-Identifier: GPL-2.0
# Guest test: load the test module with an unexpected static call site; the
# kernel must report it, keep the site working and stay alive.
echo "textpoke-test: loading text_poke_rs_corrupt_test"
if insmod /lib/modules/text_poke_rs_corrupt_test.ko; then
	echo "textpoke-test: text_poke_rs_corrupt_test loaded, kernel alive"
else
	echo "textpoke-test: text_poke_rs_corrupt_test FAILED to load"
fi

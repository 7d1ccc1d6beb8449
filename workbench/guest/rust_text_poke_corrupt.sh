# SPDX-License-Identifier: GPL-2.0
# Guest test: load the sample with an unexpected static call site; the
# kernel must report it, keep the site working and stay alive.
echo "textpoke-test: loading rust_text_poke_corrupt"
if insmod /lib/modules/rust_text_poke_corrupt.ko; then
	echo "textpoke-test: rust_text_poke_corrupt loaded, kernel alive"
else
	echo "textpoke-test: rust_text_poke_corrupt FAILED to load"
fi

# SPDX-License-Identifier: GPL-2.0
# Guest test: run the x86_text_poke_rs KUnit suite again through KUnit's
# debugfs after boot, when init text is freed. KUnit prints the results to
# the kernel log, between the two markers.
d=/sys/kernel/debug/kunit/x86_text_poke_rs
if [ -w "$d/run" ]; then
	echo "textpoke-test: kunit rerun: start"
	echo 1 > "$d/run"
	echo "textpoke-test: kunit rerun: end"
else
	echo "textpoke-test: kunit rerun: no $d/run"
fi

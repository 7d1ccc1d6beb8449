# SPDX-License-Identifier: GPL-2.0
# Guest test: the reports of sites left calling their trampoline, as the
# log buffer holds them after boot, at warning level (<4>). The console
# printed them twice: from earlyprintk and when it replayed the buffer.
n=$(dmesg -r | grep -c '^<4>.*left calling its trampoline')
echo "textpoke-test: log buffer: $n sites left calling their trampoline, at warning level"

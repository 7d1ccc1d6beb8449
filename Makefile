# SPDX-License-Identifier: GPL-2.0
#
# Workbench of the text_poke series: Debian's linux-source-7.3 (or 6.12, the
# backport) plus our patches, built with clang-19 -Os and Rust, booted under
# QEMU.
#
#   make          set up, apply the series, build, boot, print the summary
#   make check    every test of an everyday change, within an hour on 2 cores
#   make check-full  make check and the slow proofs (reproducer, GCC, i386,
#                 6.12's mails): before sending the series
#   make setup-check  setup.sh's package choice on made-up machines
#   make repro    the base kernel without Jcc tail-call support: must not boot
#   make kunit    the KUnit suites with tools/testing/kunit/kunit.py
#   make bench    the long runs: host test bench, kernel torture (README)
#   make matrix   the series in 12 configurations, one line each (README)
#   make series   the series as mails for LKML, signed off by you (README)
#   make bisect-check  every commit of the series builds (README)
#   make clean    remove build/
#
# Everything lands in build/ (ignored by git); see README.md.

WB := workbench
# Variables of our command line (BASE=, M=) must not reach the kernel's
# makes that the scripts run: kbuild reads M= as an external module.
MAKEOVERRIDES :=
export BUILD_ROOT ?= $(CURDIR)/build
# BASE=7.3 (default, mainline) or BASE=6.12 (the LTS backport)
export BASE ?= 7.3

.PHONY: all setup tree kernel boot summary check check-full setup-check repro kunit hosttest bench matrix series bisect-check baseline clean

all: setup tree kernel boot summary

setup:
	@bash $(WB)/setup.sh

tree: setup
	@bash $(WB)/tree.sh

kernel: tree
	@bash $(WB)/build.sh out $(WB)/series.config

boot: kernel
	@bash $(WB)/boot.sh out

summary:
	@bash $(WB)/summary.sh

hosttest: setup
	@bash $(WB)/hosttest.sh

bench: setup
	@bash $(WB)/bench.sh

matrix: tree
	@bash $(WB)/matrix.sh $(M)

# The mails: SERIES_FROM="Name <address>" if git config has no identity,
# SERIES_TRAILERS for tags of your own (README.md).
series: tree
	@bash $(WB)/series.sh

bisect-check: tree
	@bash $(WB)/bisect.sh

repro: tree
	@bash $(WB)/repro.sh

kunit: tree
	@bash $(WB)/kunit.sh

check: setup
	@bash $(WB)/check.sh

check-full: setup
	@CHECK_FULL=1 bash $(WB)/check.sh

setup-check:
	@bash $(WB)/setup-check.sh

# Regenerate workbench/objtool-baseline.txt from the unpatched base tree.
baseline: tree
	@bash $(WB)/baseline.sh

clean:
	rm -rf $(BUILD_ROOT)

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Proof that the uprobe test can fail, and that uprobes evaluates a probed
# Jcc through the Rust code: build the series kernel with
# workbench/mutants/kunit-jl.diff (text_poke_cond() with jl inverted) and
# require that exactly the jl probes of workbench/uprobes.sh fail, rel8 and
# rel32, and the other 30 pass. The tree is restored and the kernel rebuilt
# afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutant_build "$TOP/workbench/mutants/kunit-jl.diff"
bash "$TOP/workbench/uprobes.sh" --mutant

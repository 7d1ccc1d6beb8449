#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scan.sh OBJECT: build scripts/text_poke_scan (cargo, quietly) and run it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CARGO_TARGET_DIR=$BUILD_ROOT/cargo-scan cargo build --quiet --release \
	--manifest-path "$TOP/scripts/text_poke_scan/Cargo.toml"
exec "$BUILD_ROOT/cargo-scan/release/text_poke_scan" "$@"

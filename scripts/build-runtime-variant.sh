#!/usr/bin/env bash
# Builds a variant of the runtime's Wasm with one cargo feature and prints the path of its
# compressed Wasm:
#   scripts/build-runtime-variant.sh next-spec-version   # spec_version + 1: the e2e upgrade test
#   scripts/build-runtime-variant.sh fast-blocks         # 500 ms blocks: scripts/bench/blocktime 500
# Cached per feature and source tree under $CARGO_TARGET_DIR/upgrade-runtime/, so an unchanged
# tree costs nothing. The node's own runtime is left exactly as it was: the Wasm builder writes both
# variants to one place, so the node's files are saved first and put back (same mtimes, so
# cargo does not rebuild the node).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"
feature="${1:?usage: scripts/build-runtime-variant.sh FEATURE}"

key="$(git ls-files -z runtime pallets primitives Cargo.toml Cargo.lock rust-toolchain.toml |
	xargs -0 sha256sum | sha256sum | cut -c1-16)"
cache="$CARGO_TARGET_DIR/upgrade-runtime"
out="$cache/clearing_runtime_${feature}_$key.compact.compressed.wasm"
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

wbuild="$CARGO_TARGET_DIR/release/wbuild/clearing-runtime"
saved="$(mktemp -d)"
trap 'rm -rf "$saved"' EXIT
[ -d "$wbuild" ] && cp -p "$wbuild"/*.wasm "$saved"/ 2>/dev/null || true

log "building the runtime with feature $feature"
mkdir -p "$cache"
# FORCE_WASM_BUILD makes the Wasm builder rebuild even if cargo thinks the feature's build
# is fresh (its last output may have been overwritten by the node's runtime).
FORCE_WASM_BUILD="$(date +%s%N)" cargo build --release --locked -p clearing-runtime \
	--features "$feature" >&2
cp "$wbuild/clearing_runtime.compact.compressed.wasm" "$out.tmp"
mv "$out.tmp" "$out"

# Put the node's runtime back, byte for byte and mtime for mtime.
if compgen -G "$saved/*.wasm" >/dev/null; then
	cp -p "$saved"/*.wasm "$wbuild"/
fi
echo "$out"

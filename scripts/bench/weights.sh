#!/usr/bin/env bash
# Regenerates every Clearing pallet's weights.rs on this machine from its benchmarks, and the
# runtime's base block and extrinsic weights (`overhead`: runtime/src/weights/):
#   scripts/bench/weights.sh [pallet ... | overhead]      (default: all Clearing pallets, overhead)
# Builds the node with `--features runtime-benchmarks` (about 120 more crates) first.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$REPO_ROOT"

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_oracle pallet_vaults pallet_insurance pallet_margin pallet_orderbook pallet_liquidation pallet_governance pallet_options overhead)

ensure_prerequisites
log "building clearing-node with runtime benchmarks"
cargo build --release --locked -p clearing-node --features runtime-benchmarks

for pallet in "${pallets[@]}"; do
	if [ "$pallet" = overhead ]; then
		# An empty block, and blocks full of `system.remark` (the cheapest signed extrinsic),
		# executed from the dev genesis: what every block and every extrinsic costs before
		# any call's own weight.
		log "benchmarking block and extrinsic overhead → runtime/src/weights/"
		mkdir -p runtime/src/weights
		"$NODE_BIN" benchmark overhead \
			--chain dev \
			--wasm-execution compiled \
			--warmup "${OVERHEAD_WARMUP:-10}" \
			--repeat "${OVERHEAD_REPEAT:-100}" \
			--weight-path runtime/src/weights
		continue
	fi
	dir="pallets/${pallet#pallet_}"
	log "benchmarking $pallet → $dir/src/weights.rs"
	"$NODE_BIN" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps "${STEPS:-50}" \
		--repeat "${REPEAT:-20}" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--template scripts/bench/pallet-weight-template.hbs \
		--output "$dir/src/weights.rs"
done

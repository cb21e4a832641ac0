#!/usr/bin/env bash
# The test command (README, CI): Rust tests, then a real dev node driven by the polkadot.js
# end-to-end suite. Exits non-zero on any failure; always stops the node it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

ensure_prerequisites
bash scripts/check-sdk-pins.sh
bash scripts/check-pallet-seams.sh

# The node first: `cargo test` then reuses every artifact of this build (the other order
# rebuilds the workspace crates once more, measured at ~2.5 min here).
build_node

# The second runtime the end-to-end upgrade test enacts (spec_version + 1; cached per tree).
upgrade_wasm="$(bash scripts/build-runtime-variant.sh next-spec-version)"

log "cargo test --release --workspace --locked"
cargo test --release --workspace --locked

# The hard rules for runtime code (no panics, no unchecked arithmetic or indexing) are
# clippy lints the workspace denies: every Clearing pallet, the primitives and the runtime must pass them.
log "clippy: Clearing's pallets, primitives and runtime"
SKIP_WASM_BUILD=1 cargo clippy --release --locked -p clearing-primitives -p pallet-oracle -p pallet-vaults \
	-p pallet-insurance -p pallet-margin -p pallet-orderbook -p pallet-liquidation -p pallet-governance \
	-p pallet-options -p clearing-runtime

# Every pallet benchmark also runs once against its pallet's mock, so a benchmark that no
# longer sets up its worst case fails here, not at the next weight regeneration.
log "benchmark test suites (--features runtime-benchmarks, native)"
SKIP_WASM_BUILD=1 cargo test --release --locked -p pallet-oracle -p pallet-vaults -p pallet-insurance \
	-p pallet-margin -p pallet-orderbook -p pallet-liquidation -p pallet-governance -p pallet-options \
	--features runtime-benchmarks benchmarking

ensure_e2e_packages
ensure_indexer_packages
ensure_postgres
ensure_app_packages
ensure_chromium

log "indexer unit tests"
(cd indexer && npm test --silent)
build_app

workdir="$(mktemp -d -t clearing-e2e.XXXXXX)"
pg_dir="$(mktemp -d -t clearing-pg.XXXXXX)"
node_pid=""
feed_pid=""
stop_node() {
	stop_postgres "$pg_dir"
	rm -rf "$pg_dir"
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null || true
	if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
		kill "$node_pid" 2>/dev/null || true
		for _ in $(seq 1 20); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.5; done
		kill -9 "$node_pid" 2>/dev/null || true
	fi
	rm -rf "$workdir"
}
trap stop_node EXIT
# Interrupted: stop everything (EXIT's trap) and end here, not at the next step.
trap 'exit 130' INT TERM

feed_port="$(free_port)"
feed_pid="$(start_price_feed "$feed_port" --seed 7)" || { echo "the price feed did not start" >&2; exit 1; }

rpc_port="$(free_port)"
p2p_port="$(free_port)"
prom_port="$(free_port)"
log "starting a dev node (RPC $rpc_port, p2p $p2p_port, Prometheus $prom_port, base path $workdir)"
"$NODE_BIN" --dev --state-pruning archive-canonical --base-path "$workdir/chain" \
	--rpc-port "$rpc_port" --port "$p2p_port" --prometheus-port "$prom_port" \
	--no-telemetry --no-mdns >"$workdir/node.log" 2>&1 &
node_pid=$!

if ! wait_for_rpc "$rpc_port" 2; then
	echo "the dev node did not author blocks within 60 s; its log:" >&2
	tail -n 50 "$workdir/node.log" >&2
	exit 1
fi

point_oracle_at "$rpc_port" "http://127.0.0.1:$feed_port" || { echo "cannot point the oracle at the feed" >&2; exit 1; }

log "end-to-end suite against ws://127.0.0.1:$rpc_port (price feed on $feed_port)"
status=0
(cd scripts/e2e && CLEARING_WS="ws://127.0.0.1:$rpc_port" PRICE_FEED_URL="http://127.0.0.1:$feed_port" \
	UPGRADE_WASM="$upgrade_wasm" npm test --silent) || status=$?
if [ "$status" -ne 0 ]; then
	echo "end-to-end suite failed; the node's log tail:" >&2
	tail -n 40 "$workdir/node.log" >&2
	exit "$status"
fi

# The indexer over the history the suite just made: SQLite killed and resumed against
# PostgreSQL (Debian's package, a throwaway cluster), the rows against the chain, the API.
pg_url="$(start_postgres "$pg_dir" "$(free_port)")"
log "indexer against the dev node (SQLite and $pg_url)"
(cd indexer && CLEARING_WS="ws://127.0.0.1:$rpc_port" PRICE_FEED_URL="http://127.0.0.1:$feed_port" \
	INDEXER_PG_URL="$pg_url" npm run --silent test:chain) || status=$?
[ "$status" -ne 0 ] && exit "$status"

# The web app in headless Chromium against the same node (screenshots in app/test/screenshots).
log "web app in headless Chromium"
(cd app && CLEARING_WS="ws://127.0.0.1:$rpc_port" PRICE_FEED_URL="http://127.0.0.1:$feed_port" npm test --silent) || status=$?
exit "$status"

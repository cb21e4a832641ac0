#!/usr/bin/env bash
# The first command: installs what is missing, builds the release node and runs a dev chain
# (one validator, Alice) with RPC on 9944. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

RPC_PORT="${RPC_PORT:-9944}"
PRICE_FEED_PORT="${PRICE_FEED_PORT:-8099}"
INDEXER_PORT="${INDEXER_PORT:-3001}"
APP_PORT="${APP_PORT:-3000}"

ensure_prerequisites
build_node
ensure_indexer_packages
ensure_app_packages
build_app
# The dev chain is new on every run, so its history database is too (unless INDEXER_DB names one).
scratch="$(mktemp -d -t clearing-dev.XXXXXX)"
INDEXER_DB="${INDEXER_DB:-$scratch/indexer.sqlite}"

pids=()
cleanup() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

# The local exchange-API simulator the dev node's oracle feeder reads (BTC, ETH, DOT).
if curl -s "http://127.0.0.1:$PRICE_FEED_PORT/control/state" >/dev/null 2>&1; then
	log "a price feed already answers on $PRICE_FEED_PORT; using it"
else
	feed_pid="$(start_price_feed "$PRICE_FEED_PORT")" || { echo "cannot start the price feed on $PRICE_FEED_PORT" >&2; exit 1; }
	pids+=("$feed_pid")
fi

# --dev: chain `dev`, Alice's keys (oracle key included), a temporary database, RPC open to
# browsers.
"$NODE_BIN" --dev --state-pruning archive-canonical --rpc-port "$RPC_PORT" --prometheus-port "${PROMETHEUS_PORT:-9615}" "$@" &
node_pid=$!
pids+=("$node_pid")

if wait_for_rpc "$RPC_PORT" 1; then
	point_oracle_at "$RPC_PORT" "http://127.0.0.1:$PRICE_FEED_PORT" ||
		echo "could not point the oracle at the price feed (offchain_localStorageSet failed)" >&2
	# The history indexer: finalized blocks into SQLite, REST + websocket on $INDEXER_PORT.
	node indexer/src/main.js --ws "ws://127.0.0.1:$RPC_PORT" --db "$INDEXER_DB" --port "$INDEXER_PORT" \
		2>"$scratch/indexer.log" &
	pids+=("$!")
	# The trading web app (app/dist), told where the node and the indexer are.
	(cd app && exec node node_modules/vite/bin/vite.js preview --port "$APP_PORT" --strictPort) >"$scratch/app.log" 2>&1 &
	pids+=("$!")
	cat <<MSG

  Clearing dev chain is up: one block per second, finalized by GRANDPA.
    RPC (WebSocket + HTTP):  ws://127.0.0.1:$RPC_PORT
    polkadot.js apps:        https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
    Prometheus metrics:      http://127.0.0.1:${PROMETHEUS_PORT:-9615}/metrics
    Trading web app:         http://127.0.0.1:$APP_PORT/?ws=ws://127.0.0.1:$RPC_PORT&indexer=http://127.0.0.1:$INDEXER_PORT
    History API (indexer):   http://127.0.0.1:$INDEXER_PORT/markets  (log: $scratch/indexer.log)
    Dev accounts (//Alice, //Bob, ...) hold 1,000,000 CLR and 1,000,000 USDC (asset 1).
    Oracle: Alice's node feeds BTC (2), ETH (3), DOT (4) from the local price feed
      http://127.0.0.1:$PRICE_FEED_PORT (scripts/price-feed); read them with
      api.call.oracleApi.prices(), or move a price: curl -XPOST -d '{"asset":"BTC","price":"65000"}' http://127.0.0.1:$PRICE_FEED_PORT/control/set
  Ctrl-C stops the chain (its database is temporary).

MSG
fi
# Runs until the node stops or Ctrl-C; the trap then stops the price feed too.
wait "$node_pid"

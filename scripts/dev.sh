#!/usr/bin/env bash
# The first command: installs what is missing, builds the release node and runs a dev chain
# (one validator, Alice) with RPC on 9944. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

RPC_PORT="${RPC_PORT:-9944}"

ensure_prerequisites
build_node

pids=()
cleanup() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# --dev: chain `dev`, Alice's keys, a temporary database, RPC open to browsers.
"$NODE_BIN" --dev --rpc-port "$RPC_PORT" --prometheus-port "${PROMETHEUS_PORT:-9615}" "$@" &
pids+=($!)

if wait_for_rpc "$RPC_PORT" 1; then
	cat <<MSG

  Clearing dev chain is up: one block per second, finalized by GRANDPA.
    RPC (WebSocket + HTTP):  ws://127.0.0.1:$RPC_PORT
    polkadot.js apps:        https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
    Prometheus metrics:      http://127.0.0.1:${PROMETHEUS_PORT:-9615}/metrics
    Dev accounts (//Alice, //Bob, ...) hold 1,000,000 CLR and 1,000,000 USDC (asset 1).
  Ctrl-C stops the chain (its database is temporary).

MSG
fi
wait "${pids[0]}"

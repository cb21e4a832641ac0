#!/usr/bin/env bash
# A 3-validator network (Alice, Bob, Charlie) on loopback, chain `local`, each node with its
# own base path and ports. RPC: Alice 9944, Bob 9945, Charlie 9946; Prometheus 9615-9617.
# Ctrl-C stops all three. BASE_DIR keeps the databases (default: a fresh temporary dir).
# CHAIN names another chain spec (a JSON file) with the same three authorities.
# Arguments are passed to every node, e.g. `scripts/local-testnet.sh --grandpa-gossip-ms 333`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$REPO_ROOT"

[ "${SKIP_BUILD:-0}" = 1 ] || { ensure_prerequisites; build_node; }

base="${BASE_DIR:-$(mktemp -d -t clearing-local.XXXXXX)}"
mkdir -p "$base"
pids=()
cleanup() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "${BASE_DIR:-}" ] && rm -rf "$base"
}
trap cleanup EXIT INT TERM

# Fixed network keys give fixed peer ids, so Bob and Charlie can name Alice as bootnode.
# (Test keys only: anyone can derive them.)
alice_key=0000000000000000000000000000000000000000000000000000000000000001
bob_key=0000000000000000000000000000000000000000000000000000000000000002
charlie_key=0000000000000000000000000000000000000000000000000000000000000003
alice_peer="$(echo -n "$alice_key" | "$NODE_BIN" key inspect-node-key)"
bootnode="/ip4/127.0.0.1/tcp/30333/p2p/$alice_peer"

start() { # name index node-key extra-args...
	local name="$1" i="$2" key="$3"; shift 3
	"$NODE_BIN" --chain "${CHAIN:-local}" --validator "--$name" \
		--base-path "$base/$name" --node-key "$key" \
		--port $((30333 + i)) --rpc-port $((9944 + i)) --prometheus-port $((9615 + i)) \
		--rpc-cors all --no-mdns --no-telemetry "$@" >"$base/$name.log" 2>&1 &
	pids+=($!)
}
start alice 0 "$alice_key" "$@"
start bob 1 "$bob_key" --bootnodes "$bootnode" "$@"
start charlie 2 "$charlie_key" --bootnodes "$bootnode" "$@"

if wait_for_rpc 9944 2; then
	echo "local testnet up: RPC ws://127.0.0.1:9944 (Alice), :9945 (Bob), :9946 (Charlie); logs in $base/*.log"
else
	echo "the network produced no blocks within 60 s; see $base/*.log" >&2
	exit 1
fi
wait

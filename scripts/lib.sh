#!/usr/bin/env bash
# Shared by the scripts: where builds go, and installing what a fresh machine lacks.
# Sourced, not run.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# One target directory for every build, outside the clone, so CI and every session reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/clearing-target}"
NODE_BIN="$CARGO_TARGET_DIR/release/clearing-node"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Rust target/component and the Debian packages the build needs, when missing.
ensure_prerequisites() {
	cd "$REPO_ROOT"
	if ! command -v rustup >/dev/null; then
		echo "rustup is required (https://rustup.rs)" >&2
		return 1
	fi
	# rust-toolchain.toml pins the toolchain; these act on it.
	local toolchain
	toolchain="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)"
	if ! rustup target list --toolchain "$toolchain" --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
		log "adding the wasm32-unknown-unknown target"
		rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
	fi
	if ! rustup component list --toolchain "$toolchain" --installed 2>/dev/null | grep -q '^rust-src'; then
		log "adding rust-src"
		rustup component add rust-src --toolchain "$toolchain"
	fi
	if ! rustup component list --toolchain "$toolchain" --installed 2>/dev/null | grep -q '^clippy'; then
		log "installing clippy"
		rustup component add clippy --toolchain "$toolchain"
	fi
	local missing=()
	command -v protoc >/dev/null || missing+=(protobuf-compiler)
	command -v clang >/dev/null || missing+=(clang)
	dpkg -s libclang-dev >/dev/null 2>&1 || missing+=(libclang-dev)
	# litep2p's WebRTC transport links OpenSSL.
	dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
	command -v pkg-config >/dev/null || missing+=(pkg-config)
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		local sudo=""
		[ "$(id -u)" -ne 0 ] && sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
	fi
}

# Builds the release node (and the Wasm runtime inside it).
build_node() {
	log "building clearing-node (release; target dir $CARGO_TARGET_DIR)"
	(cd "$REPO_ROOT" && cargo build --release --locked -p clearing-node)
}

# Prints a TCP port nobody listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until the node's JSON-RPC on $1 answers and the chain has authored block $2 (default 1).
wait_for_rpc() {
	local port="$1" min_block="${2:-1}" tries=0
	while [ $tries -lt 120 ]; do
		local head
		head=$(curl -s -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"chain_getHeader","params":[]}' \
			"http://127.0.0.1:$port" 2>/dev/null | python3 -c 'import sys,json; print(int(json.load(sys.stdin)["result"]["number"],16))' 2>/dev/null || true)
		if [ -n "$head" ] && [ "$head" -ge "$min_block" ]; then
			return 0
		fi
		sleep 0.5
		tries=$((tries + 1))
	done
	return 1
}

# Installs a package's npm dependencies from its committed lockfile when `marker` (a module it
# needs) is missing or the lockfile is newer than the install.
ensure_npm_packages() {
	local dir="$REPO_ROOT/$1" marker="$2" what="$3"
	if [ ! -d "$dir/node_modules/$marker" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		log "installing $what's npm packages"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}
ensure_e2e_packages() { ensure_npm_packages scripts/e2e @polkadot/api "the e2e suite"; }
ensure_indexer_packages() { ensure_npm_packages indexer better-sqlite3 "the indexer"; }
ensure_app_packages() { ensure_npm_packages app vite "the web app"; }

# Builds the web app into app/dist (type-checked first).
build_app() {
	log "building the web app"
	local out
	out="$(cd "$REPO_ROOT/app" && npm run --silent build 2>&1)" || { echo "$out" >&2; return 1; }
}

# Debian's Chromium, which the web app's tests drive headless.
ensure_chromium() {
	if ! command -v chromium >/dev/null; then
		log "installing chromium"
		local sudo=""
		[ "$(id -u)" -ne 0 ] && sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
	fi
}

# PostgreSQL from Debian's package, for the indexer's tests: a throwaway cluster in $1 on port
# $2 (127.0.0.1 only, trust auth), run as the `postgres` user when we are root (the server
# refuses root). Prints the connection URL.
ensure_postgres() {
	if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
		log "installing postgresql"
		local sudo=""
		[ "$(id -u)" -ne 0 ] && sudo="sudo"
		$sudo apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql
	fi
}
postgres_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }
as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
	local dir="$1" port="$2" bin
	bin="$(postgres_bin)" || return 1
	mkdir -p "$dir" || return 1
	if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir" || return 1; fi
	# From inside $dir: the server changes back to the caller's directory, which the postgres
	# user may not be allowed to enter (a clone under /root).
	(cd "$dir" && as_postgres "$bin/initdb" -D "$dir/data" --auth=trust --username=postgres >/dev/null) || return 1
	(cd "$dir" && as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null) || return 1
	echo "postgres://postgres@127.0.0.1:$port/postgres"
}
stop_postgres() {
	local dir="$1"
	[ -d "$dir/data" ] && (cd "$dir" && as_postgres "$(postgres_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1) || true
}

# Points the oracle feeder of the node whose RPC is on $1 at the exchange-API host $2 (e.g. the
# local price feed), by writing the host override into the node's persistent offchain storage.
point_oracle_at() {
	local port="$1" host="$2" key value
	key="0x$(printf '%s' 'clearing::oracle::host' | od -An -tx1 | tr -d ' \n')"
	value="0x$(printf '%s' "$host" | od -An -tx1 | tr -d ' \n')"
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"offchain_localStorageSet\",\"params\":[\"PERSISTENT\",\"$key\",\"$value\"]}" \
		"http://127.0.0.1:$port" | grep -q '"result":null'
}

# Starts the local exchange-API simulator on port $1 in the background; prints its pid.
start_price_feed() {
	local port="$1"; shift
	python3 "$REPO_ROOT/scripts/price-feed" --port "$port" "$@" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 1 40); do
		curl -s "http://127.0.0.1:$port/control/state" >/dev/null 2>&1 && { echo "$pid"; return 0; }
		sleep 0.25
	done
	kill "$pid" 2>/dev/null
	return 1
}

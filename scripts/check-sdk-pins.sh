#!/usr/bin/env bash
# Fails if Cargo.lock holds a polkadot-sdk crate at a version other than the stable2609
# release's (scripts/polkadot-sdk-stable2609.txt), or holds RocksDB.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import re, sys
release = dict(line.split() for line in open("scripts/polkadot-sdk-stable2609.txt") if line.strip())
lock = open("Cargo.lock").read()
# Registry packages only: the workspace's own crates (no `source`) may share a name.
packages = re.findall(r'\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"\nsource = "registry', lock)
drift = [f"{n} {v} (release: {release[n]})" for n, v in packages if n in release and release[n] != v]
rocks = sorted({n for n, _ in packages if "rocksdb" in n})
if drift:
    print("polkadot-sdk crates off the stable2609 release:\n  " + "\n  ".join(drift))
if rocks:
    print("RocksDB is in Cargo.lock: " + ", ".join(rocks))
sdk = sum(1 for n, _ in packages if n in release)
print(f"{sdk} polkadot-sdk crates in Cargo.lock, all from stable2609" if not (drift or rocks) else "")
sys.exit(1 if drift or rocks else 0)
PY

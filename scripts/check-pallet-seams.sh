#!/usr/bin/env bash
# Fails if a Clearing pallet crate depends on another Clearing pallet crate (a normal or
# build dependency, so in the runtime's code): pallets talk only through the traits in
# `primitives`, and the runtime wires them. A pallet's mock runtime may use another pallet
# as a dev-dependency, to test the seam against the real thing. Prints each offending edge.
set -euo pipefail
cd "$(dirname "$0")/.."
metadata="$(cargo metadata --format-version 1 --no-deps --locked)"
python3 - "$metadata" <<'PY'
import json, sys
meta = json.loads(sys.argv[1])
root = meta["workspace_root"] + "/pallets/"
pallets = {p["name"] for p in meta["packages"] if p["manifest_path"].startswith(root)}
edges = []
for package in meta["packages"]:
    if package["name"] not in pallets:
        continue
    for dep in package["dependencies"]:
        if dep["name"] in pallets and dep["kind"] != "dev":
            edges.append(f'{package["name"]} -> {dep["name"]} ({dep["kind"] or "normal"} dependency)')
if edges:
    print("pallet crates that depend on another Clearing pallet crate:\n  " + "\n  ".join(edges))
    sys.exit(1)
print(f"{len(pallets)} pallet crates; none depends on another (mocks' dev-dependencies aside)")
PY

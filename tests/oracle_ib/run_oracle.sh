#!/usr/bin/env bash
# CTest driver for the @stoqey/ib cross-check (loopback only; no live TWS is reachable here).
#   run_oracle.sh <node> <tws_oracle_tool> <work dir>
set -euo pipefail
node_bin=$1 tool=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@stoqey/ib" ]; then
  echo "oracle_ib: $here/node_modules is missing: run 'make oracle-deps' (npm ci in tests/oracle_ib)" >&2
  exit 1
fi
mkdir -p "$work"
"$node_bin" "$here/fake_tws.js" "$here/fixtures.json" "$work/ref.json"
"$tool" "$here/fixtures.json" "$work/harrier.json"
"$node_bin" "$here/compare.js" "$work/ref.json" "$work/harrier.json"

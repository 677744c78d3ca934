#!/usr/bin/env bash
# Stops the cluster benchmarks/remote/start_cluster.sh started on BASE (default 32001) and removes its files.
set -uo pipefail
base=${1:-32001}
for port in $base $((base + 1)) $((base + 2)); do
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
done
rm -rf "${TMPDIR:-/tmp}/osipy-bench-redis-$base"

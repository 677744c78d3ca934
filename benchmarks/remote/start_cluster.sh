#!/usr/bin/env bash
# Starts a 3-master Redis Cluster on loopback ports BASE, BASE+1, BASE+2 (default 32001) for the
# remote-tier benchmarks, and prints the StackExchange.Redis configuration string to export:
#   export OSIPY_BENCH_REDIS=$(benchmarks/remote/start_cluster.sh)
# Stop it with benchmarks/remote/stop_cluster.sh. Needs Debian's redis-server (apt-get install redis-server).
set -euo pipefail
base=${1:-32001}
root=${TMPDIR:-/tmp}/osipy-bench-redis-$base
rm -rf "$root"
nodes=()
for port in $base $((base + 1)) $((base + 2)); do
  mkdir -p "$root/$port"
  redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$root/$port/nodes.conf" \
    --dir "$root/$port" --save "" --appendonly no --daemonize yes --logfile "$root/$port/log" >/dev/null
  nodes+=("127.0.0.1:$port")
done
for port in $base $((base + 1)) $((base + 2)); do
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
redis-cli --cluster create "${nodes[@]}" --cluster-yes >/dev/null
until redis-cli -p "$base" cluster info | grep -q cluster_state:ok; do sleep 0.2; done
(IFS=,; echo "${nodes[*]}")

#!/bin/sh
# A remote fetch's private memory (docs/PERFORMANCE.md, issue 22): starts a loopback 3-master
# cluster (benchmarks/remote/start_cluster.sh, port BASE, default 32101), puts a 64 MiB and a
# 512 MiB float32 array, then fetches each in a new process ROUNDS times (default 3), alternating,
# and prints each process's RssAnon before the fetch (opened, connected, a small entry fetched),
# its peak during the fetch (sampled every millisecond), the increase, and the window
# (8 x 4 MiB). Stops the cluster at the end. Usage: remote_memory.sh [ROUNDS] [BASE]
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
base=${2:-32101}
dir=${TMPDIR:-/tmp}/osipy-remote-memory
dotnet build "$repo/benchmarks/peers/RemoteDriver" -c Release -o "$repo/benchmarks/peers/RemoteDriver/bin/run" >/dev/null
driver="$repo/benchmarks/peers/RemoteDriver/bin/run/RemoteDriver.dll"
redis=$("$repo/benchmarks/remote/start_cluster.sh" "$base")
trap '"$repo/benchmarks/remote/stop_cluster.sh" "$base"; rm -rf "$dir"' EXIT
prefix=mem$$
rm -rf "$dir"; mkdir -p "$dir"
dotnet "$driver" put "$redis" "$prefix" "$dir/writer" 64 512
for round in $(seq "$rounds"); do
  for mib in 64 512; do
    rm -rf "$dir/reader"
    printf 'round=%s ' "$round"
    dotnet "$driver" fetch "$redis" "$prefix" "$dir/reader" "$mib"
    printf 'round=%s ' "$round"
    dotnet "$driver" floor "$redis" "$prefix" "$dir/reader" "$mib"
  done
done
dotnet "$driver" clear "$redis" "$prefix" "$dir/writer"

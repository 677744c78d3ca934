#!/bin/sh
# Put against np.save, and Create + fill + Commit against Put, at 1 MiB, 126 MB and 1.68 GB
# (docs/PERFORMANCE.md, issue 22). Each size runs np.save, then the C# put alone (so neither
# carries the other's dirty pages into writeback), then put and create in one process; three
# rounds, each line a median of its repetitions. Usage: put_vs_np_save.sh [DIR] (default: a
# directory under /tmp, removed at the end). /usr/bin/python3 must have numpy.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-/tmp/osipy-put-vs-np-save}
dotnet build "$repo/benchmarks/peers/PutDriver" -c Release -o "$repo/benchmarks/peers/PutDriver/bin/run" >/dev/null
driver="$repo/benchmarks/peers/PutDriver/bin/run/PutDriver.dll"
for round in 1 2 3; do
  for spec in "1048576 41" "125829120 7" "1677721600 3"; do
    set -- $spec
    rm -rf "$dir"; mkdir -p "$dir"; /usr/bin/python3 "$repo/benchmarks/peers/np_save_loop.py" "$1" "$2" "$dir"
    rm -rf "$dir"; mkdir -p "$dir"; dotnet "$driver" "$1" "$2" "$dir" put
    rm -rf "$dir"; mkdir -p "$dir"; dotnet "$driver" "$1" "$2" "$dir" both
  done
done
rm -rf "$dir"

#!/bin/sh
# A new process's first get against np.load(mmap_mode='r') of the same .npy (docs/PERFORMANCE.md,
# issue 22): the C# driver built against the project (JIT) and against the NuGet package as
# `dotnet pack` makes it (its library ReadyToRun-compiled), run alternately with numpy in new
# processes. Each C# figure is the driver's session open + first get, timed inside the process
# (the runtime's own start is not counted, as numpy's interpreter start is not). Prints the medians
# and the ratios to np.load measured in the same rounds.
# Usage: first_get_vs_np_load.sh [ROUNDS] [DIR] (default 9, a directory under /tmp, removed at the
# end). /usr/bin/python3 must have numpy.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-9}
dir=${2:-/tmp/osipy-first-get}
driver="$repo/benchmarks/peers/CacheDriver"
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$repo/Directory.Build.props")
work="$driver/obj/pkg/first-get"
rm -rf "$work" "$driver/bin/first-get-pkg" "$dir"
mkdir -p "$dir"
dotnet build "$driver" -c Release >/dev/null
dotnet pack "$repo/src/Osipy.MappedCache" -c Release -o "$work/feed" --artifacts-path "$work/pack" >/dev/null
dotnet build "$driver" -c Release --artifacts-path "$work/build" -p:OsipyFromPackage="$version" \
  -p:RestoreAdditionalProjectSources="$work/feed" -p:RestorePackagesPath="$work/packages" >/dev/null
mkdir -p "$driver/bin/first-get-pkg"
cp -r "$work/build/bin/CacheDriver/release/." "$driver/bin/first-get-pkg/"

# The 126 MB DCE series (float32 128x128x32x60), stored PERSISTENT under result type "dce".
/usr/bin/python3 -c "import numpy as np; np.save('$dir/series.npy', np.random.default_rng(0).random((128, 128, 32, 60), dtype=np.float32))"
dotnet "$driver/bin/Release/net10.0/CacheDriver.dll" put "$dir/cache" "$dir/series.npy" series 1 >/dev/null

for round in $(seq 1 "$rounds"); do
  /usr/bin/python3 -c "
import json, time
import numpy as np
t = time.perf_counter(); a = np.load('$dir/series.npy', mmap_mode='r'); ms = (time.perf_counter() - t) * 1e3
print('numpy', json.dumps({'setup_ms': 0.0, 'open_ms': ms}))"
  echo "jit $(dotnet "$driver/bin/Release/net10.0/CacheDriver.dll" get "$dir/cache" series)"
  echo "package $(dotnet "$driver/bin/first-get-pkg/CacheDriver.dll" get "$dir/cache" series)"
done > "$dir/runs.txt"

/usr/bin/python3 - "$dir/runs.txt" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, record = line.split(" ", 1)
    d = json.loads(record)
    runs.setdefault(name, []).append((d["setup_ms"], d["open_ms"]))
numpy = statistics.median(o for _, o in runs["numpy"])
print(f"np.load(mmap_mode='r'): {numpy:.2f} ms ({len(runs['numpy'])} new processes)")
for name, label in (("jit", "C#, JIT (project reference)"), ("package", "C#, ReadyToRun package")):
    setup = statistics.median(s for s, _ in runs[name])
    get = statistics.median(o for _, o in runs[name])
    total = statistics.median(s + o for s, o in runs[name])
    print(f"{label}: open {setup:.1f} ms + first get {get:.1f} ms = {total:.1f} ms, {total / numpy:.1f}x np.load")
PY
rm -rf "$dir"

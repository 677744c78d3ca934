#!/bin/sh
# Builds what compare_peers.py runs besides Python: the native library (for the Python package)
# and the C# driver three ways, so a new process's first get is measured with each of .NET's
# code-generation modes: JIT (a plain build), ReadyToRun (precompiled, JIT as fallback) and
# NativeAOT (no JIT). Run from anywhere; outputs stay under bin/ (ignored by git).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
driver="$repo/benchmarks/peers/CacheDriver"
dotnet publish "$repo/src/Osipy.MappedCache.Native" -r linux-x64 -c Release
dotnet build "$driver" -c Release
dotnet publish "$driver" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$driver/bin/r2r"
dotnet publish "$driver" -c Release -r linux-x64 -p:PublishAot=true -o "$driver/bin/aot"

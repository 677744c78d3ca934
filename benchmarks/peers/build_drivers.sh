#!/bin/sh
# Builds what compare_peers.py runs besides Python: the native library (for the Python package)
# and the C# driver three ways, so a new process's first get is measured with each of .NET's
# code-generation modes: JIT (a plain build), ReadyToRun (precompiled, JIT as fallback) and
# NativeAOT (no JIT). Run from anywhere; outputs stay under bin/ (ignored by git).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
driver="$repo/benchmarks/peers/CacheDriver"
# Fresh output folders: publishing over an older one could leave its files mixed with new ones.
rm -rf "$driver/bin/r2r" "$driver/bin/aot"
dotnet publish "$repo/src/Osipy.MappedCache.Native" -r linux-x64 -c Release
dotnet build "$driver" -c Release
dotnet publish "$driver" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$driver/bin/r2r"
# IlcInstructionSet=native: the JIT builds use this CPU's vector width, so the AOT build does too
# (by default NativeAOT targets baseline x86-64 and Vector<float> is 128-bit).
dotnet publish "$driver" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native -o "$driver/bin/aot"

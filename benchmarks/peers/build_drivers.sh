#!/bin/sh
# Builds what compare_peers.py runs besides Python: the native library (for the Python package)
# and the C# driver five ways, so a new process's first get is measured with each of .NET's
# code-generation modes: JIT (a plain build against the project), JIT against the NuGet package
# as `dotnet pack` makes it (its library ReadyToRun-compiled), the same package compiled for
# x86-64-v3, an app published ReadyToRun (precompiled, JIT as fallback) and NativeAOT (no JIT).
# Run from anywhere; outputs stay under bin/ and obj/ (ignored by git).
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
driver="$repo/benchmarks/peers/CacheDriver"
# Fresh output folders: publishing over an older one could leave its files mixed with new ones.
rm -rf "$driver/bin/r2r" "$driver/bin/aot" "$driver/bin/pkg" "$driver/bin/pkg-v3" "$driver/obj/pkg"
dotnet publish "$repo/src/Osipy.MappedCache.Native" -r linux-x64 -c Release
dotnet build "$driver" -c Release
# Against the package: each variant packed into its own feed and restored into its own package
# folder (the version is the same, so a shared NuGet cache would hand out the first one).
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$repo/Directory.Build.props")
for variant in pkg pkg-v3; do
  work="$driver/obj/pkg/$variant"
  isa=""
  [ "$variant" = pkg-v3 ] && isa="-p:PackReadyToRunInstructionSet=x86-64-v3"
  dotnet pack "$repo/src/Osipy.MappedCache" -c Release -o "$work/feed" --artifacts-path "$work/pack" $isa
  dotnet build "$driver" -c Release --artifacts-path "$work/build" -p:OsipyFromPackage="$version" \
    -p:RestoreAdditionalProjectSources="$work/feed" -p:RestorePackagesPath="$work/packages"
  mkdir -p "$driver/bin/$variant"
  cp -r "$work/build/bin/CacheDriver/release/." "$driver/bin/$variant/"
done
dotnet publish "$driver" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$driver/bin/r2r"
# IlcInstructionSet=native: the JIT builds use this CPU's vector width, so the AOT build does too
# (by default NativeAOT targets baseline x86-64 and Vector<float> is 128-bit).
dotnet publish "$driver" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native -o "$driver/bin/aot"

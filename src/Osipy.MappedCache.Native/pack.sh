#!/usr/bin/env bash
# Installs the C library the way C libraries are installed: publishes it (NativeAOT) and lays out
#   PREFIX/lib/libosipy_mappedcache.so
#   PREFIX/include/osipy_mappedcache.h
#   PREFIX/lib/pkgconfig/osipy_mappedcache.pc   (prefix= set to PREFIX)
# so that   cc prog.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs osipy_mappedcache)
# builds, and the program runs with PREFIX/lib on the loader's path (ldconfig for a system prefix
# such as /usr/local, LD_LIBRARY_PATH otherwise). Needs the .NET SDK and a C toolchain (NativeAOT links with it).
#
#   src/Osipy.MappedCache.Native/pack.sh PREFIX
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 PREFIX   (for example /usr/local, or \$HOME/.local)" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
prefix=$(realpath -m "$1")
# The one version of every package (Directory.Build.props).
version=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$here/../../Directory.Build.props")
publish="$here/bin/Release/net10.0/linux-x64/publish"

dotnet publish "$here" -r linux-x64 -c Release -nologo -v quiet >&2
install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$publish/libosipy_mappedcache.so" "$prefix/lib/libosipy_mappedcache.so"
install -m 0644 "$here/include/osipy_mappedcache.h" "$prefix/include/osipy_mappedcache.h"
cat > "$prefix/lib/pkgconfig/osipy_mappedcache.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: osipy_mappedcache
Description: Memory-mapped, zero-copy intermediate-result cache for perfusion-MRI pipelines (C ABI)
Version: $version
Libs: -L\${libdir} -losipy_mappedcache
Cflags: -I\${includedir}
PC
echo "$prefix"

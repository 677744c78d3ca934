#!/usr/bin/env bash
# Installs the C library the way C libraries are installed: publishes it (NativeAOT) and lays out
#   PREFIX/lib/libosipy_mappedcache.so
#   PREFIX/include/osipy_mappedcache.h
#   PREFIX/lib/pkgconfig/osipy_mappedcache.pc   (prefix= set to PREFIX)
# so that   cc prog.c $(pkg-config --cflags --libs osipy_mappedcache)
# builds (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig where pkg-config does not look by itself) and the
# program starts without LD_LIBRARY_PATH: for every prefix but /usr, Libs carries
# -Wl,-rpath,${libdir}, because the loader searches only /usr/lib (and, on Debian, /usr/local/lib
# after an ldconfig) on its own. Needs the .NET SDK and a C toolchain (NativeAOT links with it).
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
# The loader finds /usr/lib by itself; anywhere else the program records where the library is.
rpath='-Wl,-rpath,${libdir} '
if [ "$prefix" = /usr ]; then
  rpath=''
fi
cat > "$prefix/lib/pkgconfig/osipy_mappedcache.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: osipy_mappedcache
Description: Memory-mapped, zero-copy intermediate-result cache for perfusion-MRI pipelines (C ABI)
Version: $version
Libs: -L\${libdir} ${rpath}-losipy_mappedcache
Cflags: -I\${includedir}
PC
echo "$prefix"

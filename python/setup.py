"""Build steps pyproject.toml cannot express: the version, and the native library inside the package.

``build_py`` publishes ``src/Osipy.MappedCache.Native`` with NativeAOT (the .NET SDK is needed
to build, never to install the wheel) and copies ``libosipy_mappedcache.so`` into the built
package, where ``_native.py`` looks first after ``$OSIPY_MAPPEDCACHE_LIBRARY``.  Set
``OSIPY_MAPPEDCACHE_LIBRARY`` to an already built library to package that one instead.  The
wheel is tagged ``py3-none-linux_x86_64``: no Python extension, but a binary for one platform.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NATIVE_PROJECT = REPO / "src" / "Osipy.MappedCache.Native"
LIBRARY = "libosipy_mappedcache.so"


def version() -> str:
    props = REPO / "Directory.Build.props"
    match = re.search(r"<VersionPrefix>([^<]+)</VersionPrefix>", props.read_text(encoding="utf-8")) if props.exists() else None
    if match is None:
        raise SystemExit(f"osipy-mappedcache: cannot read the version from {props}; build from the repository's python/ directory.")
    return match.group(1).strip()


def native_library() -> Path:
    prebuilt = os.environ.get("OSIPY_MAPPEDCACHE_LIBRARY")
    if prebuilt:
        path = Path(prebuilt)
        if not path.is_file():
            raise SystemExit(f"osipy-mappedcache: OSIPY_MAPPEDCACHE_LIBRARY names {path}, which does not exist.")
        return path
    if shutil.which("dotnet") is None:
        raise SystemExit("osipy-mappedcache: building needs the .NET SDK (dotnet) to publish the native library, "
                         "or OSIPY_MAPPEDCACHE_LIBRARY set to a built libosipy_mappedcache.so; installing a wheel needs neither.")
    subprocess.run(["dotnet", "publish", str(NATIVE_PROJECT), "-r", "linux-x64", "-c", "Release", "-nologo", "-v", "quiet"], check=True)
    return NATIVE_PROJECT / "bin" / "Release" / "net10.0" / "linux-x64" / "publish" / LIBRARY


class BuildWithNativeLibrary(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "osipy_mappedcache" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(native_library(), target)


class PlatformWheel(bdist_wheel):
    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False  # it carries a linux-x86_64 binary

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform  # ctypes, no extension module: any Python 3


setup(version=version(), cmdclass={"build_py": BuildWithNativeLibrary, "bdist_wheel": PlatformWheel})

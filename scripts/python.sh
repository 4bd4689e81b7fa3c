#!/usr/bin/env bash
# Build a CPython the machine lacks from Debian's source package (3.13 from Debian 13
# "trixie", 3.11 from Debian 12 "bookworm") into a cache
# outside the repo, and print its interpreter's path. Reused when already built.
#
#   scripts/python.sh 3.13            -> ~/.cache/tenantry/python/3.13/bin/python3.13
#
# Needs root or sudo for apt (deb-src lines for bookworm and trixie, the -dev packages); machines
# reach only the package registries, and Debian's source package carries CPython's upstream
# tarball. TENANTRY_PYTHON_CACHE moves the cache.
set -euo pipefail

version="${1:?usage: scripts/python.sh 3.13}"
case "$version" in 3.[0-9]|3.[0-9][0-9]) ;; *) echo "not a Python version: $version" >&2; exit 2 ;; esac
prefix="${TENANTRY_PYTHON_CACHE:-$HOME/.cache/tenantry/python}/$version"
interpreter="$prefix/bin/python$version"

# Built and complete already: the modules a test suite needs that depend on system libraries.
if [ -x "$interpreter" ] && "$interpreter" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, venv' 2>/dev/null; then
    echo "$interpreter"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
as_root=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "scripts/python.sh: apt needs root (or sudo)" >&2; exit 1; }
    as_root=(sudo --preserve-env=DEBIAN_FRONTEND)
fi
sources=/etc/apt/sources.list.d/tenantry-python-src.sources
if [ ! -f "$sources" ]; then
    "${as_root[@]}" tee "$sources" >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi
"${as_root[@]}" apt-get update -qq >&2
"${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    build-essential pkg-config xz-utils libssl-dev zlib1g-dev libbz2-dev liblzma-dev \
    libreadline-dev libsqlite3-dev libffi-dev libncurses-dev uuid-dev libgdbm-dev \
    libgdbm-compat-dev libexpat1-dev >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# _apt cannot write into a directory only root may enter (mktemp's 0700).
chmod 755 "$work"
apt-get source --download-only -qq "python$version" >&2
tarball="$(ls python"$version"_*.orig.tar.* | grep -v '\.asc$' | head -n 1)"
tar -xf "$tarball"
cd Python-*/
./configure --prefix="$prefix" --with-ensurepip=install --enable-loadable-sqlite-extensions \
    >"$work/configure.log" 2>&1 || { tail -40 "$work/configure.log" >&2; exit 1; }
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -60 "$work/make.log" >&2; exit 1; }
make install >"$work/install.log" 2>&1 || { tail -40 "$work/install.log" >&2; exit 1; }
"$interpreter" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, venv' >&2
echo "$interpreter"

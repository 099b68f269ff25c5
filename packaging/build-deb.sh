#!/bin/bash
# Makes vfioctl's .deb and its -dbgsym .ddeb in BUILD_DIR: configures it for the package (prefix /usr, optimised with
# debug information: `install.sh --prefix /usr --build-type RelWithDebInfo` leaves such a build, which is then not
# rebuilt), builds, runs `cpack -G DEB`, and makes the .ddeb as Debian's dh_strip makes it. CMake 3.25's CPack writes
# the .ddeb's md5sums with the absolute staging path and gives it no /usr/share/doc/vfioctl-dbgsym; both are mended
# here. Usage: build-deb.sh BUILD_DIR; prints the two file names.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "${1:?usage: build-deb.sh BUILD_DIR}"
build=$(cd "$1" && pwd)
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
      -DVFIOCTL_BUILD_TESTS=OFF > /dev/null
cmake --build "$build" > /dev/null
rm -f "$build"/vfioctl_*.deb "$build"/vfioctl-dbgsym_*.ddeb
(cd "$build" && cpack -G DEB > "$build/cpack.log" 2>&1) || { cat "$build/cpack.log" >&2; exit 1; }
deb=$(ls "$build"/vfioctl_*.deb)
ddeb=$(ls "$build"/vfioctl-dbgsym_*.ddeb)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$ddeb" "$work/tree"
# Debian's dbgsym packages point their documentation at the package they belong to.
mkdir -p "$work/tree/usr/share/doc"
ln -sfn vfioctl "$work/tree/usr/share/doc/vfioctl-dbgsym"
(cd "$work/tree" && find usr -type f -printf '%P\n' | sort | sed 's|^|usr/|' | xargs md5sum) > "$work/tree/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$work/tree" "$ddeb" > /dev/null
echo "$deb"
echo "$ddeb"

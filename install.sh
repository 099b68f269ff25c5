#!/bin/bash
# Installs vfioctl: its Debian 12 packages, a release build, and the files under a prefix.
#   ./install.sh [--prefix DIR] [--destdir DIR] [--no-deps] [--deps-only [--with-test-deps]] [--uninstall]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/local
destdir=
deps=yes
deps_only=no
test_deps=no
uninstall=no

runtime_packages=(libvirt0 libpugixml1v5 libboost-program-options1.74.0 libudev1 libkmod2 udev kmod)
build_packages=(build-essential cmake ninja-build pkg-config libvirt-dev libpugixml-dev libboost-program-options-dev
                nlohmann-json3-dev libudev-dev libkmod-dev)
test_packages=(googletest libgtest-dev qemu-system-x86 busybox-static pciutils e2fsprogs iproute2 python3 cpio
               libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients)

usage() {
    sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --no-deps) deps=no; shift ;;
        --deps-only) deps_only=yes; shift ;;
        --with-test-deps) test_deps=yes; shift ;;
        --uninstall) uninstall=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: error: unknown option '$1'" >&2; usage 2 ;;
    esac
done

build_dir="$here/build-install"
manifest="$build_dir/install_manifest.txt"

if [ "$uninstall" = yes ]; then
    if [ ! -f "$manifest" ]; then
        echo "install.sh: error: nothing recorded as installed ($manifest is missing)" >&2
        exit 1
    fi
    while read -r file; do
        rm -f -- "$file" && echo "removed $file"
    done < "$manifest"
    exit 0
fi

if [ "$deps" = yes ]; then
    packages=("${runtime_packages[@]}" "${build_packages[@]}")
    [ "$test_deps" = yes ] && packages+=("${test_packages[@]}")
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: error: installing packages needs root (or pass --no-deps)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
[ "$deps_only" = yes ] && exit 0

cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
      -DVFIOCTL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir"
DESTDIR="$destdir" cmake --install "$build_dir" | grep -v "^-- Up-to-date" || true
echo "vfioctl installed under ${destdir}${prefix}"
hook="${destdir}/etc/libvirt/hooks/qemu.d/vfioctl"
if [ -x "$hook" ]; then
    echo "libvirt qemu hook installed as $hook"
    # libvirtd looks for hooks only when it starts.
    if [ -z "$destdir" ]; then
        echo "restart libvirtd so that it runs the hook: systemctl restart libvirtd"
    fi
fi

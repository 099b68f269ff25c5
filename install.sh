#!/bin/bash
# Installs vfioctl: the packages of the Debian release it runs on (12 or 13), a release build, and the files under a
# prefix (both executables, the libvirt hook in /etc/libvirt/hooks/qemu.d, the udev rules, man pages, completion).
# Running it twice changes nothing; --uninstall removes what it installed.
#   ./install.sh [--prefix DIR] [--destdir DIR] [--build-dir DIR] [--build-type TYPE] [--no-deps]
#                [--deps-only [--with-test-deps]] [--uninstall]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/local
destdir=
build_dir=
deps=yes
deps_only=no
test_deps=no
uninstall=no
build_type=Release # RelWithDebInfo: what packaging/build-deb.sh splits into the .deb and its -dbgsym

# Package names shared by Debian 12 and 13. No versioned library package is named: the -dev packages bring the
# libraries the build links, and the .deb's Depends are computed from the built binaries (dpkg-shlibdeps).
runtime_packages=(udev kmod)
build_packages=(build-essential cmake ninja-build pkg-config libvirt-dev libpugixml-dev libboost-program-options-dev
                nlohmann-json3-dev libudev-dev libkmod-dev libpci-dev libsystemd-dev dpkg-dev)
test_packages=(googletest libgtest-dev qemu-system-x86 busybox-static pciutils e2fsprogs iproute2 python3 cpio strace systemd dbus
               libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients man-db time file xz-utils
               clang python3-nova python3-yaml lintian debootstrap
               cockpit-ws cockpit-bridge chromium chromium-driver python3-selenium)
supported_releases="Debian 12 (bookworm) and Debian 13 (trixie)"

usage() {
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
        --destdir=*) destdir=${1#*=}; shift ;;
        --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
        --build-dir=*) build_dir=${1#*=}; shift ;;
        --no-deps) deps=no; shift ;;
        --deps-only) deps_only=yes; shift ;;
        --with-test-deps) test_deps=yes; shift ;;
        --build-type) build_type=${2:?--build-type needs Release, RelWithDebInfo or Debug}; shift 2 ;;
        --uninstall) uninstall=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: error: unknown option '$1'" >&2; usage 2 ;;
    esac
done

build_dir=${build_dir:-$here/build-install}
if [ -n "$destdir" ]; then
    mkdir -p "$destdir"
    destdir=$(cd "$destdir" && pwd)
fi
manifest="$build_dir/install_manifest.txt"
# cmake's manifest lists paths without the DESTDIR; the DESTDIR of the last install is kept beside it.
destdir_record="$build_dir/install_destdir.txt"

# udev reads new rules files only when told (or at its next start).
reload_udev() {
    if [ -z "$destdir" ] && command -v udevadm > /dev/null && udevadm control --ping > /dev/null 2>&1; then
        udevadm control --reload && echo "udev rules reloaded"
    fi
}

if [ "$uninstall" = yes ]; then
    if [ ! -f "$manifest" ]; then
        echo "install.sh: error: nothing recorded as installed ($manifest is missing)" >&2
        exit 1
    fi
    recorded=$(cat "$destdir_record" 2>/dev/null || true)
    if [ -n "$destdir" ] && [ "$destdir" != "$recorded" ]; then
        echo "install.sh: error: the last install went to '${recorded:-/}', not '$destdir'" >&2
        exit 1
    fi
    destdir=$recorded
    while read -r installed || [ -n "$installed" ]; do  # the manifest has no final newline
        file="$destdir$installed"
        if [ -e "$file" ] || [ -L "$file" ]; then
            rm -f -- "$file" && echo "removed $file"
        fi
        # Under a DESTDIR nothing else lives in our directories: leave no empty ones behind.
        if [ -n "$destdir" ]; then
            dir=$(dirname "$file")
            while [ "$dir" != "$destdir" ] && [ "${dir#"$destdir"}" != "$dir" ] && rmdir "$dir" 2>/dev/null; do
                dir=$(dirname "$dir")
            done
        fi
    done < "$manifest"
    rm -f "$manifest" "$destdir_record"
    reload_udev
    exit 0
fi

if [ "$deps" = yes ]; then
    # Only the releases vfioctl is built and proven on: anything else stops here, before a package is installed.
    os_field() { ( [ -r /etc/os-release ] && . /etc/os-release; printf '%s' "${!1:-}" ); }
    case "$(os_field ID):$(os_field VERSION_CODENAME)" in
        debian:bookworm|debian:trixie) ;;
        *) pretty=$(os_field PRETTY_NAME)
           echo "install.sh: error: this is ${pretty:-a system without /etc/os-release}, and vfioctl supports $supported_releases only (or pass --no-deps and install its build packages yourself)" >&2
           exit 1 ;;
    esac
    if [ "$(id -u)" -ne 0 ]; then
        echo "install.sh: error: installing packages needs root (or pass --no-deps)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    packages=("${runtime_packages[@]}" "${build_packages[@]}")
    if [ "$test_deps" = yes ]; then
        packages+=("${test_packages[@]}")
        # The sanitizers' runtime is packaged per clang version (libclang-rt-14-dev on Debian 12, -19- on 13): the
        # one that goes with the release's clang, read off what the clang package depends on.
        clang_major=$(apt-cache depends clang | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
        [ -n "$clang_major" ] || { echo "install.sh: error: cannot tell which clang this release's clang package is" >&2; exit 1; }
        packages+=("libclang-rt-$clang_major-dev")
        # The format gate's pinned clang-format and the KubeVirt checker run on node: Debian's, unless this machine
        # has one already (NodeSource's conflicts with it).
        command -v node > /dev/null || packages+=(nodejs)
    fi
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
[ "$deps_only" = yes ] && exit 0

cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_INSTALL_PREFIX="$prefix" \
      -DVFIOCTL_BUILD_TESTS=OFF >/dev/null
cmake --build "$build_dir"
DESTDIR="$destdir" cmake --install "$build_dir" | grep -v "^-- Up-to-date" || true
printf '%s\n' "$destdir" > "$destdir_record"
reload_udev
echo "vfioctl installed under ${destdir}${prefix}"
hook="${destdir}/etc/libvirt/hooks/qemu.d/vfioctl"
if [ -L "$hook" ]; then
    echo "libvirt qemu hook installed as $hook"
    # libvirtd looks for hooks only when it starts.
    if [ -z "$destdir" ]; then
        echo "restart libvirtd so that it runs the hook: systemctl restart libvirtd"
    fi
fi

#!/bin/bash
# Another Debian release's lane of the test suite, run from this host: a debootstrap (minbase) root of that release,
# the project's packages installed in it by install.sh as a user of that release would, the source tree copied in,
# and tests/run.sh run inside it, so that its compilers, kernel package, QEMU, libvirt, systemd, udev, Cockpit and
# lintian are that release's own. The real-kernel guests booted inside it share that root over 9p.
# Usage: release_lane.sh prepare|run RELEASE WORK_DIR
#   prepare  makes WORK_DIR/root (kept between runs while its minbase tarball is there) and installs the packages;
#            WORK_DIR/minbase.tar is the fresh root the lane's .deb test starts from
#   run      copies this source tree to WORK_DIR/root/root/vfioctl and runs its tests/run.sh there as a nested lane
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
step=${1:?usage: release_lane.sh prepare|run RELEASE WORK_DIR}
release=${2:?release}
mkdir -p "${3:?work dir}"
work=$(cd "$3" && pwd)
root="$work/root"

# Returns 0 whatever was mounted: under set -e a last "not a mount point" would end the script.
unmount() {
    local m
    for m in dev/pts dev sys proc; do
        if mountpoint -q "$root/$m" 2> /dev/null; then umount -l "$root/$m"; fi
    done
}
mount_host() { for m in proc sys dev dev/pts; do mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"; done; }
in_root() { chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" "$@"; }
trap unmount EXIT

prepare() {
    if [ ! -f "$work/minbase.tar" ]; then
        unmount
        rm -rf --one-file-system "$root"
        mkdir -p "$root"
        local mirrors mirror security
        mirrors=$(awk '/^URIs:/{print $2}' /etc/apt/sources.list.d/debian.sources 2> /dev/null)
        mirror=$(echo "$mirrors" | sed -n 1p)
        security=$(echo "$mirrors" | grep -m1 security || echo "$mirror")
        debootstrap --variant=minbase "$release" "$root" ${mirror:+"$mirror"} > "$work/debootstrap.log" 2>&1 ||
            { tail -20 "$work/debootstrap.log" >&2; echo "release_lane: debootstrap $release failed" >&2; exit 1; }
        rm -f "$root/etc/apt/sources.list"
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$mirror" "$release" "$release" "$security" "$release" > "$root/etc/apt/sources.list.d/debian.sources"
        tar -C "$root" -cf "$work/minbase.tar.part" . && mv "$work/minbase.tar.part" "$work/minbase.tar"
    fi
    cp /etc/resolv.conf "$root/etc/"
    mount_host
    # install.sh's own package lists, as a user of that release gets them.
    rm -rf "$root/root/vfioctl-install"
    mkdir -p "$root/root/vfioctl-install"
    cp "$here/install.sh" "$root/root/vfioctl-install/"
    in_root /root/vfioctl-install/install.sh --deps-only --with-test-deps > "$work/packages.log" 2>&1 ||
        { tail -20 "$work/packages.log" >&2; echo "release_lane: installing $release's packages failed" >&2; exit 1; }
}

run() {
    [ -f "$work/minbase.tar" ] || { echo "release_lane: $work is not prepared (release_lane.sh prepare first)" >&2; exit 1; }
    mount_host
    local tree="$root/root/vfioctl"
    rm -rf --one-file-system "$tree"
    mkdir -p "$tree"
    # The tree as a commit of it would have it (untracked files included, ignored ones such as build trees not).
    if git -C "$here" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        (cd "$here" && git ls-files -z --cached --others --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2> /dev/null) |
            tar -C "$tree" -xf -
    else
        tar -C "$here" --exclude='./build*' --exclude=node_modules -cf - . | tar -C "$tree" -xf -
    fi
    cp "$work/minbase.tar" "$root/root/minbase.tar"
    in_root env VFIOCTL_NESTED_LANE=1 VFIOCTL_FRESH_ROOT_TAR=/root/minbase.tar \
        VFIOCTL_FUZZ_SECONDS="${VFIOCTL_FUZZ_SECONDS:-20}" bash -c 'cd /root/vfioctl && tests/run.sh'
}

case "$step" in
    prepare) prepare ;;
    run) run ;;
    *) echo "release_lane: the step is prepare or run, not '$step'" >&2; exit 2 ;;
esac

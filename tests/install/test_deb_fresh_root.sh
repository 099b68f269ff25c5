#!/bin/bash
# The .deb on a fresh root of the release this runs on, Debian 12 or 13 (issues 18, 39): a debootstrap (minbase) root, the package as the previous layout installed
# it (the hook executable itself in qemu.d), then `apt-get install ./vfioctl_*.deb` with its dependencies resolved by
# apt; vfioctl --version, vfioctl check, man vfioctl, the hook run from where libvirt calls it, the udev rules where
# udev reads them; `apt-get purge vfioctl` leaves no file of ours behind. Prints "N passed, M failed".
# Usage: test_deb_fresh_root.sh DEB WORK_DIR. VFIOCTL_FRESH_ROOT_TAR: a tarball of such a root to start from.
set -u
deb=$(realpath "${1:?usage: test_deb_fresh_root.sh DEB WORK_DIR}")
work=${2:?work dir}
root="$work/root"
# shellcheck disable=SC1091
source "$(dirname "$0")/../lib/check.sh"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
unmount() { for m in dev/pts dev sys proc; do mountpoint -q "$root/$m" 2> /dev/null && umount -l "$root/$m"; done; }
trap unmount EXIT
unmount
rm -rf --one-file-system "$work"
mkdir -p "$root"

mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null)
if [ -n "${VFIOCTL_FRESH_ROOT_TAR:-}" ] && [ -f "$VFIOCTL_FRESH_ROOT_TAR" ]; then
    tar -C "$root" -xf "$VFIOCTL_FRESH_ROOT_TAR"
else
    release=$(. /etc/os-release && echo "$VERSION_CODENAME")
    debootstrap --variant=minbase "$release" "$root" ${mirror:+"$mirror"} > "$work/debootstrap.log" 2>&1
    check "debootstrap makes a fresh Debian $release root" test $? -eq 0
fi
cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2> /dev/null
cp /etc/resolv.conf "$root/etc/"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done

# The layout up to 0.1.0: the hook executable itself in qemu.d, not a conffile.
old="$work/old"
mkdir -p "$old/DEBIAN" "$old/etc/libvirt/hooks/qemu.d"
printf '#!/bin/sh\nexit 0\n' > "$old/etc/libvirt/hooks/qemu.d/vfioctl"
chmod 755 "$old/etc/libvirt/hooks/qemu.d/vfioctl"
printf 'Package: vfioctl\nVersion: 0.0.9\nArchitecture: amd64\nMaintainer: vfioctl developers <vfioctl@example.org>\nDescription: the previous layout\n' > "$old/DEBIAN/control"
dpkg-deb --root-owner-group --build "$old" "$root/tmp/vfioctl_0.0.9_amd64.deb" > /dev/null
in_root dpkg -i /tmp/vfioctl_0.0.9_amd64.deb > "$work/old-install.txt" 2>&1
check "setup: the previous layout is installed" test -f "$root/etc/libvirt/hooks/qemu.d/vfioctl" -a ! -L "$root/etc/libvirt/hooks/qemu.d/vfioctl"

cp "$deb" "$root/tmp/"
in_root apt-get update -qq > "$work/apt-update.txt" 2>&1
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" man-db > "$work/apt-install.txt" 2>&1
check "apt-get install ./vfioctl_*.deb resolves its dependencies and installs it" test $? -eq 0
check "it upgraded the previous layout" test "$(in_root dpkg-query -W -f '${Version}' vfioctl)" = "$(dpkg-deb -f "$deb" Version)"
check "vfioctl --version" in_root vfioctl --version
in_root vfioctl check > "$work/check.txt" 2>&1
code=$?
check "vfioctl check runs (0, 1 or 2)" test "$code" -le 2
check "vfioctl check reports the hook installed" grep -q "PASS  vfioctl qemu hook" "$work/check.txt"
check "man vfioctl" bash -c "chroot '$root' env MANPAGER=cat PAGER=cat man vfioctl 2> /dev/null | grep -q 'safe PCI passthrough'"
check "the hook in qemu.d is the package's link, no stale executable" \
    test "$(readlink "$root/etc/libvirt/hooks/qemu.d/vfioctl")" = /usr/libexec/vfioctl/vfioctl-qemu-hook
check "the hook runs from where libvirt calls it" \
    bash -c "chroot '$root' /etc/libvirt/hooks/qemu.d/vfioctl vm started begin - < /dev/null"
check "udev's rules directory holds the rules" \
    test -f "$root/usr/lib/udev/rules.d/40-vfioctl-persist.rules" -a -f "$root/usr/lib/udev/rules.d/70-vfioctl-vfio.rules"

# What vfioctl writes at run time goes with a purge too.
in_root dpkg-query -L vfioctl > "$work/files.txt"
mkdir -p "$root/etc/vfioctl/persist.d" "$root/run/vfioctl/owners"
: > "$root/etc/vfioctl/persist.d/pci-0000:99:00.0"
in_root apt-get purge -y -qq vfioctl > "$work/purge.txt" 2>&1
check "apt-get purge vfioctl exits 0" test $? -eq 0
left=""
while read -r path; do
    if [ -e "$root$path" ] && [ ! -d "$root$path" ] || [ -L "$root$path" ]; then left="$left $path"; fi
done < "$work/files.txt"
for ours in /etc/vfioctl /run/vfioctl /usr/libexec/vfioctl /usr/share/doc/vfioctl; do
    [ -e "$root$ours" ] && left="$left $ours"
done
check "purge leaves no file of ours behind${left:+ (left:$left)}" test -z "$left"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

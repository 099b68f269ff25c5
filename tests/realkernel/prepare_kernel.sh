#!/bin/bash
# Prepares a real Debian kernel for the real-kernel tests: the package linux-image-amd64 depends on, its modules
# indexed with depmod, and a busybox initramfs that mounts the host's / (read-only, over 9p) under a tmpfs overlay.
# Usage: prepare_kernel.sh CACHE_DIR. Idempotent: a prepared cache is reused.
set -euo pipefail
cache=${1:?usage: prepare_kernel.sh CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
# Tests run in parallel share one cache: the first prepares it, the others wait for it.
exec 9> "$cache/.lock"
flock 9
initramfs="$cache/initramfs"
# The initramfs's /init is guest_init.sh: a changed script only means a new initrd, not a new kernel.
pack_initrd() {
    install -m 0755 "$here/guest_init.sh" "$initramfs/init"
    (cd "$initramfs" && find . | cpio -o -H newc --quiet | gzip -1) > "$cache/initrd.gz"
}
if [ -f "$cache/ready" ]; then
    cmp -s "$here/guest_init.sh" "$initramfs/init" || pack_initrd
    exit 0
fi

package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$package" ] || { echo "prepare_kernel: cannot find the kernel package linux-image-amd64 depends on (run apt-get update)" >&2; exit 1; }
version=${package#linux-image-}

rm -rf "$cache/root" "$cache/initramfs"
mkdir -p "$cache/download"
(cd "$cache/download" && rm -f ./*.deb && apt-get download "$package" >/dev/null 2>&1) ||
    { echo "prepare_kernel: apt-get download $package failed" >&2; exit 1; }
dpkg-deb -x "$cache"/download/*.deb "$cache/root"
# Debian 12's kernel package puts its modules under /lib/modules, Debian 13's under /usr/lib/modules: the extracted
# package gets the merged-/usr link an installed system has, so that depmod, modprobe -d and the guest's
# vfioctl.modules= path (root/lib/modules/VERSION) find them either way.
if [ ! -e "$cache/root/lib" ] && [ -d "$cache/root/usr/lib/modules/$version" ]; then
    ln -s usr/lib "$cache/root/lib"
fi
[ -d "$cache/root/lib/modules/$version" ] || { echo "prepare_kernel: $package has no modules directory" >&2; exit 1; }
depmod -b "$cache/root" "$version"

# The initramfs only needs what it takes to reach the shared root; every other module is loaded later by the
# real modprobe from the shared tree.
mkdir -p "$initramfs"/{bin,dev,proc,sys,lower,rw,newroot,modules}
cp /bin/busybox "$initramfs/bin/busybox"
for module in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -d "$cache/root" -S "$version" --show-depends "$module"
done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' > "$cache/boot-modules.txt"
: > "$initramfs/modules.order"
# busybox's insmod takes a plain .ko: Debian 13's are xz-compressed (.ko.xz), Debian 12's are not. A module built
# into the kernel (6.12 builds virtio_pci in) is not in the list at all ("builtin", not "insmod").
while read -r module; do
    name=$(basename "$module")
    case "$name" in
        *.ko.xz) name=${name%.xz}; xz -dc "$module" > "$initramfs/modules/$name" ;;
        *.ko.zst) name=${name%.zst}; zstd -qdc "$module" > "$initramfs/modules/$name" ;;
        *) cp "$module" "$initramfs/modules/" ;;
    esac
    echo "$name" >> "$initramfs/modules.order"
done < "$cache/boot-modules.txt"
pack_initrd

ln -sf "root/boot/vmlinuz-$version" "$cache/vmlinuz"
echo "$version" > "$cache/version"
touch "$cache/ready"

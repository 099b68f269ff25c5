#!/bin/bash
# Real-kernel scenario: make the host use some devices (an address on the e1000e NIC, a mounted filesystem on the
# NVMe disk), then capture vfioctl's view and the kernel's own (lspci, /sys/kernel/iommu_groups) for the checker.
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
set -x
nic=$(basename "$(readlink -f /sys/bus/pci/devices/0000:04:00.0/net/* 2>/dev/null | head -1)")
ip link set "$nic" up && ip addr add 192.0.2.9/24 dev "$nic"
modprobe ext4 && mkfs.ext4 -q -F /dev/nvme0n1 && mkdir -p /mnt/nvme && mount /dev/nvme0n1 /mnt/nvme

"$VFIOCTL" list --type all --json > "$out/list.json"
"$VFIOCTL" groups --json > "$out/groups.json"
"$VFIOCTL" affected 0000:02:02.0 --json > "$out/affected.json"
"$VFIOCTL" list > "$out/list.txt"
"$VFIOCTL" list --tree > "$out/tree.txt"
"$VFIOCTL" groups > "$out/groups.txt"
lspci -Dnnk > "$out/lspci.txt"
for group in /sys/kernel/iommu_groups/*; do
    echo "$(basename "$group") $(ls "$group/devices" | tr '\n' ' ')"
done > "$out/kernel_groups.txt"
set +x
/usr/bin/python3 "$CHECKER" "$out"

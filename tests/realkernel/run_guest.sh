#!/bin/bash
# Boots the real-kernel guest under QEMU (TCG, emulated Intel IOMMU) and runs scenario scripts inside it, one after
# the other in the same boot (a boot costs more than most scenarios).
# Usage: run_guest.sh CACHE_DIR SCENARIO[,SCENARIO...] OUT_DIR [NAME=VALUE...]
# The NAME=VALUE pairs are written to OUT_DIR/env, which the scenario sources (paths of the binaries under test).
# VFIOCTL_GUEST_APPEND adds kernel arguments (intel_iommu=off boots the guest without its IOMMU);
# VFIOCTL_GUEST_SRIOV=1 adds an NVMe controller with SR-IOV (2 VFs possible) behind root port rp9: 0000:06:00.0.
# Guest PCI layout: a pcie-pci-bridge (behind root port rp1) holding a qemu-xhci controller and an e1000 NIC, which
# makes one IOMMU group of bridge + two endpoints; an NVMe disk, an e1000e NIC and a virtio-scsi HBA with one disk,
# each behind its own root port. The scenario's exit code is this script's. A scenario's SCENARIO.host.sh runs on the
# host afterwards, over OUT_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:?usage: run_guest.sh CACHE_DIR SCENARIO OUT_DIR}
scenarios=()
IFS=, read -ra listed <<< "${2:?scenario}"
for one in "${listed[@]}"; do scenarios+=("$(realpath "$one")"); done
scenario=$(IFS=,; echo "${scenarios[*]}")
out=${3:?out dir}
"$here/prepare_kernel.sh" "$cache"
cache=$(cd "$cache" && pwd)
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
shift 3
printf '%s\n' "$@" > "$out/env"
version=$(cat "$cache/version")

truncate -s 64M "$out/nvme.img"
truncate -s 64M "$out/scsi.img"
# no_timer_check: on a loaded machine TCG can miss the kernel's early timer test, which with interrupt remapping is a
# panic ("timer doesn't work through Interrupt-remapped IO-APIC"). A boot that dies before the scenario starts is
# retried once; a scenario that ran is never retried.
extra=()
if [ "${VFIOCTL_GUEST_SRIOV:-0}" = 1 ]; then
    # QEMU 7.2's NVMe SR-IOV: secondary controllers need flexible queue and interrupt resources to hand out.
    extra=(-device pcie-root-port,id=rp9,chassis=9 -device nvme-subsys,id=ns0
           -device nvme,serial=vfioctl-sriov,subsys=ns0,bus=rp9,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=8,msix_qsize=8)
fi
boot() {
    timeout --foreground "${VFIOCTL_GUEST_TIMEOUT:-840}" qemu-system-x86_64 \
        -accel tcg -M q35 -cpu max -m 2048 -smp 2 -nographic -no-reboot -nic none \
        -device intel-iommu,intremap=on,caching-mode=on \
        -kernel "$cache/vmlinuz" -initrd "$cache/initrd.gz" \
        -append "console=ttyS0 intel_iommu=on no_timer_check panic=-1 loglevel=4 vfioctl.scenario=$scenario vfioctl.out=$out vfioctl.modules=$cache/root/lib/modules/$version ${VFIOCTL_GUEST_APPEND:-}" \
        -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
        -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
        -fsdev local,id=out,path="$out",security_model=none,multidevs=remap \
        -device virtio-9p-pci,fsdev=out,mount_tag=out \
        -device pcie-root-port,id=rp1,chassis=1 -device pcie-pci-bridge,id=br1,bus=rp1 \
        -device qemu-xhci,id=xhci,bus=br1,addr=1 -device usb-kbd,bus=xhci.0 \
        -device e1000,bus=br1,addr=2,mac=52:54:00:12:34:01,romfile= \
        -device pcie-root-port,id=rp2,chassis=2 \
        -drive file="$out/nvme.img",if=none,id=nvmedisk,format=raw -device nvme,serial=vfioctl0,drive=nvmedisk,bus=rp2 \
        -device pcie-root-port,id=rp3,chassis=3 -device e1000e,bus=rp3,mac=52:54:00:12:34:02,romfile= \
        -device pcie-root-port,id=rp4,chassis=4 -device virtio-scsi-pci,id=scsi0,bus=rp4 \
        -drive file="$out/scsi.img",if=none,id=scsidisk,format=raw -device scsi-hd,drive=scsidisk,bus=scsi0.0 \
        "${extra[@]}" > "$out/console.log" 2>&1 || true
}
boot
if [ ! -f "$out/exit_code" ] && [ ! -s "$out/scenario.log" ] && grep -q "Kernel panic" "$out/console.log"; then
    echo "real-kernel guest panicked while booting; retrying once" >&2
    cp "$out/console.log" "$out/console-first-boot.log"
    boot
fi

if [ ! -f "$out/exit_code" ]; then
    echo "real-kernel guest did not finish its scenario; console:" >&2
    tail -40 "$out/console.log" >&2
    exit 1
fi
cat "$out/scenario.log"
status=$(cat "$out/exit_code")
# A scenario's SCENARIO.host.sh, if any, runs here on the host over what the guest left in OUT (checks too slow under
# TCG, such as Nova's own code).
for one in "${scenarios[@]}"; do
    host_part=${one%.sh}.host.sh
    [ -x "$host_part" ] || continue
    echo "== $(basename "$host_part") (on the host)"
    "$host_part" "$out" || { [ "$status" -ne 0 ] || status=1; }
done
exit "$status"

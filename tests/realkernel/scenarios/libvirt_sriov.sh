#!/bin/bash
# Real-stack SR-IOV scenario (VFIOCTL_GUEST_SRIOV=1): real libvirtd starts a nested QEMU domain holding one VF of the
# emulated NVMe PF; the other VF stays where it is, and the VF count cannot be changed under the running VM. Prints
# "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
pf=0000:06:00.0
vf() { basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn$1")"; }
settled() { for _ in $(seq 300); do [ -z "$(driver "$1")" ] && return 0; sleep 0.1; done; return 1; }

# shellcheck disable=SC1091
source "$(dirname "$0")/libvirt_setup.sh"
modprobe vfio-pci

"$VFIOCTL" sriov $pf 2 > "$out/libvirt-sriov-set.txt" 2>&1
check "setup: the PF has 2 VFs" test "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" = 2
vf1=$(vf 0)
vf2=$(vf 1)
check "setup: the VFs settle without a driver" settled "$vf1"
settled "$vf2"
bus=0x$(echo "$vf1" | cut -d: -f2)
slot=0x$(echo "$vf1" | cut -d: -f3 | cut -d. -f1)
function=0x${vf1##*.}
cat > "$out/vf-vm.xml" <<XML
<domain type='qemu'>
  <name>vfvm</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='$bus' slot='$slot' function='$function'/></source>
    </hostdev>
    <memballoon model='none'/>
  </devices>
</domain>
XML
virsh define "$out/vf-vm.xml" > /dev/null
virsh start vfvm --paused > "$out/start-vfvm.txt" 2>&1
check "a domain holding one VF starts under libvirtd" test $? -eq 0
check "its VF is on vfio-pci" is_driver "$vf1" vfio-pci
check "the other VF stays without a driver" test -z "$(driver "$vf2")"
check "the PF stays on nvme" is_driver $pf nvme
"$VFIOCTL" sriov $pf 0 > "$out/sriov-0-vm.txt" 2>&1
check "sriov PF 0 is refused while the VM runs" test $? -ne 0
check "the refusal names the VM" grep -q "$vf1 is held by VM 'vfvm'" "$out/sriov-0-vm.txt"
check "the VFs are still there" test "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" = 2
virsh destroy vfvm > "$out/destroy-vfvm.txt" 2>&1
check "destroy exits 0" test $? -eq 0
check "the VF leaves vfio-pci" test "$(driver "$vf1")" != vfio-pci
check "the VM holds nothing any more" test -z "$(ls /run/vfioctl/owners 2> /dev/null)"
"$VFIOCTL" sriov $pf 0 > "$out/sriov-0-after.txt" 2>&1
check "with the VM stopped, sriov PF 0 goes ahead" test "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" = 0

cat "$out"/start-vfvm.txt "$out"/sriov-0-vm.txt
virsh undefine vfvm > /dev/null 2>&1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

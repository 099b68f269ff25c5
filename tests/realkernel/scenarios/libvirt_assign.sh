#!/bin/bash
# Real-stack scenario for libvirt integration: `vfioctl assign/unassign/holders/list` against real libvirtd in the
# real-kernel guest, with the hook installed. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
xhci=0000:02:01.0
nic=0000:02:02.0
# shellcheck disable=SC1091
source "$(dirname "$0")/libvirt_setup.sh"
lists() { virsh dumpxml "$1" $2 | grep -q "bus='0x02' slot='0x0$3'"; } # VM [--inactive] SLOT

# Spare slots for hot-plug: q35 takes PCIe devices only into an empty root port, and conventional PCI devices (the
# e1000 and xhci here) only behind a PCIe-to-PCI bridge.
define() {
    cat > "$out/$1.xml" <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <controller type='pci' index='4' model='pcie-root-port'/>
    <controller type='pci' index='5' model='pcie-to-pci-bridge'/>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    virsh define "$out/$1.xml" > /dev/null || echo "cannot define $1"
}

# --config: the device and its group companion go into the definition; the VM then starts and stops cleanly.
define cold
"$VFIOCTL" assign cold $nic > "$out/assign-cold.txt" 2>&1
check "assign --config exits 0" test $? -eq 0
check "it names both functions of the group" grep -q "0000:02:01.0, 0000:02:02.0 added to the definition of cold" "$out/assign-cold.txt"
check "the definition lists the e1000" lists cold --inactive 2
check "the definition lists its companion xhci" lists cold --inactive 1
check "no driver moved for a definition change" is_driver $nic e1000
"$VFIOCTL" holders $nic > "$out/holders-cold.txt" 2>&1
check "holders shows the stopped VM" grep -q "cold *shut off *yes *no" "$out/holders-cold.txt"
"$VFIOCTL" list --json > "$out/list-cold.json" 2>&1
check "list notes the assignment to the stopped VM" grep -q '"assigned to stopped VM cold"' "$out/list-cold.json"
virsh start cold --paused > "$out/start-cold.txt" 2>&1
check "the VM with the assigned group starts" test $? -eq 0
check "the e1000 is on vfio-pci" is_driver $nic vfio-pci
"$VFIOCTL" list --json > "$out/list-running.json" 2>&1
check "list says the e1000 is held by the paused VM" grep -q '"held by paused VM cold"' "$out/list-running.json"
define other
"$VFIOCTL" assign other $xhci > "$out/assign-other.txt" 2>&1
check "assigning a device another VM holds is refused" test $? -eq 1
check "naming the holder" grep -q "0000:02:01.0 is held by paused VM cold; unassign it there first" "$out/assign-other.txt"
virsh destroy cold > /dev/null 2>&1
check "after the stop the e1000 is back on e1000" is_driver $nic e1000
check "and the xhci controller on xhci_hcd" is_driver $xhci xhci_hcd
"$VFIOCTL" unassign cold $xhci > "$out/unassign-cold.txt" 2>&1
check "unassign --config exits 0" test $? -eq 0
check "the definition no longer lists the e1000" bash -c "! virsh -q -c qemu:///system dumpxml cold --inactive | grep -q \"bus='0x02' slot='0x02'\""

# --live: hot-plug into a running (paused) VM; the group is bound first.
define hot
virsh start hot --paused > /dev/null 2>&1
"$VFIOCTL" assign hot $nic --live > "$out/assign-hot.txt" 2>&1
check "assign --live exits 0" test $? -eq 0
check "the e1000 is on vfio-pci" is_driver $nic vfio-pci
check "the companion xhci is on vfio-pci" is_driver $xhci vfio-pci
check "the running VM has the e1000 now" lists hot "" 2
check "and its companion" lists hot "" 1
check "the definition is unchanged by --live" bash -c "! virsh -q -c qemu:///system dumpxml hot --inactive | grep -q \"bus='0x02' slot='0x02'\""
"$VFIOCTL" unassign hot $nic --live > "$out/unassign-hot.txt" 2>&1
unplug=$?
cat "$out/unassign-hot.txt"
if [ $unplug -eq 0 ]; then
    check "after the unplug the e1000 is back on e1000" is_driver $nic e1000
    check "and the xhci controller on xhci_hcd" is_driver $xhci xhci_hcd
else
    # A guest that never booted cannot acknowledge a PCIe unplug: the device must stay on vfio-pci, said clearly.
    check "a pending unplug is reported" grep -q "the guest of hot has not released" "$out/unassign-hot.txt"
    check "the e1000 stays on vfio-pci while QEMU has it" is_driver $nic vfio-pci
    virsh destroy hot > /dev/null 2>&1
    check "when the VM stops the hook gives the e1000 back" is_driver $nic e1000
    check "and the xhci controller" is_driver $xhci xhci_hcd
fi
check "nothing is held at the end" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

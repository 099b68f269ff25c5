#!/bin/bash
# Real-kernel scenario for the binding engine: whole-group bind of the bridge group, exact restore (including a
# device first put on pci-stub), refusal of a device the host uses. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
xhci=0000:02:01.0
nic=0000:02:02.0
bridge=0000:01:00.0
group=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")

check "vfio-pci is not loaded before the first bind" test ! -e /sys/bus/pci/drivers/vfio-pci
"$VFIOCTL" bind "$nic" --owner manual > "$out/bind.txt" 2>&1
check "bind exits 0" test $? -eq 0
check "the requested e1000 is on vfio-pci" is_driver $nic vfio-pci
check "its group companion, the xhci controller, is on vfio-pci" is_driver $xhci vfio-pci
check "the bridge of the group keeps its state (no driver)" is_driver $bridge ""
check "/dev/vfio/$group appears" test -e "/dev/vfio/$group"
"$VFIOCTL" status --json > "$out/status.json"
check "status shows both devices held by manual" \
    /usr/bin/python3 -c "import json,sys; d=json.load(open('$out/status.json')); o=d['owners']; sys.exit(not (len(o)==1 and o[0]['owner']=='manual' and sorted(x['original_driver'] for x in o[0]['devices'])==['e1000','xhci_hcd']))"
"$VFIOCTL" bind "$nic" --owner 0b0b0b0b-0000-4000-8000-000000000001 > "$out/bind-other.txt" 2>&1
check "a second owner is refused" test $? -eq 1
check "the refusal names the holder" grep -q "is held by manual" "$out/bind-other.txt"
"$VFIOCTL" restore manual > "$out/restore.txt" 2>&1
check "restore exits 0" test $? -eq 0
check "the e1000 is back on e1000" is_driver $nic e1000
check "the xhci controller is back on xhci_hcd" is_driver $xhci xhci_hcd
check "the override is cleared again" test "$(override $nic)" = "(null)"
check "the USB keyboard is back behind the controller" appears /sys/bus/usb/devices/1-1

# A device on a non-default driver goes back to that driver, not to the kernel's default.
modprobe pci-stub
echo pci-stub > /sys/bus/pci/devices/$nic/driver_override
echo $nic > /sys/bus/pci/drivers/e1000/unbind
echo $nic > /sys/bus/pci/drivers_probe
check "setup: the e1000 is on pci-stub" is_driver $nic pci-stub
"$VFIOCTL" bind "$xhci" --owner 0b0b0b0b-0000-4000-8000-000000000010 > "$out/bind2.txt" 2>&1
check "bind of the other group member exits 0" test $? -eq 0
check "the e1000 moved from pci-stub to vfio-pci" is_driver $nic vfio-pci
"$VFIOCTL" restore --all --force > "$out/restore2.txt" 2>&1 # a VM's UUID: its devices go back only when forced
check "the e1000 is given back to pci-stub, not to e1000" is_driver $nic pci-stub
check "with its pci-stub override" test "$(override $nic)" = "pci-stub"
check "the xhci controller is back on xhci_hcd" is_driver $xhci xhci_hcd

# A bind that never finished (the process died after moving the devices, before marking its journal done) is
# listed as unfinished and rolled back by recover.
crashed=0b0b0b0b-0000-4000-8000-0000000000cc
"$VFIOCTL" bind "$xhci" --owner $crashed > /dev/null 2>&1
sed -i 's/"state": "bound"/"state": "binding"/' /run/vfioctl/owners/vm-$crashed.journal
"$VFIOCTL" status > "$out/status-crashed.txt"
check "status shows the unfinished bind" grep -q "$crashed did not finish (binding)" "$out/status-crashed.txt"
"$VFIOCTL" recover > "$out/recover.txt" 2>&1
check "recover exits 0" test $? -eq 0
check "recover gives the e1000 back to pci-stub" is_driver $nic pci-stub
check "recover gives the xhci controller back to xhci_hcd" is_driver $xhci xhci_hcd

# A device the host uses is refused, with what the host would lose.
used=0000:04:00.0
iface=$(basename "$(ls -d /sys/bus/pci/devices/$used/net/* | head -1)")
ip link set "$iface" up && ip addr add 192.0.2.9/24 dev "$iface"
"$VFIOCTL" bind "$used" > "$out/bind-used.txt" 2>&1
check "binding a NIC with an address is refused" test $? -eq 1
check "the refusal shows the address" grep -q "has address 192.0.2.9/24" "$out/bind-used.txt"
check "the NIC stays on e1000e" is_driver $used e1000e
"$VFIOCTL" status > "$out/status-end.txt"
check "nothing is held at the end" grep -q "no device is held" "$out/status-end.txt"
# Leave the host as the boot found it for the scenarios that follow in the same boot.
echo > /sys/bus/pci/devices/$nic/driver_override
echo $nic > /sys/bus/pci/drivers/pci-stub/unbind
echo $nic > /sys/bus/pci/drivers_probe
ip addr del 192.0.2.9/24 dev "$iface"
check "clean-up: the e1000 is back on e1000" is_driver $nic e1000

for f in "$out"/*.txt; do echo "== $f"; cat "$f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

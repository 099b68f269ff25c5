#!/bin/bash
# Real-kernel scenario for the udev rules: Debian's own udevd (the host's, shared into the guest) runs our rules;
# a persisted device group comes back on vfio-pci when the kernel adds it again, with or without its host driver
# loaded and with vfio-pci unloaded; unpersisted, it comes back on its host driver. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
xhci=0000:02:01.0
nic=0000:02:02.0
# The guest runs us chrooted into its root: without this, `udevadm settle` prints "Running in chroot, ignoring request."
# and returns at once.
export SYSTEMD_IGNORE_CHROOT=1
group=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
# The kernel adds both functions again, as at boot.
replug() {
    echo 1 > /sys/bus/pci/devices/$xhci/remove
    echo 1 > /sys/bus/pci/devices/$nic/remove
    echo 1 > /sys/bus/pci/rescan
    udevadm settle --timeout=60
}

# Installed as a user would (cmake --install: the udev rules go to /usr/local/lib/udev/rules.d, which udev reads).
cmake --install "$BUILD" > "$out/install.txt" 2>&1
check "the rules are installed where udev reads them" test -f /usr/local/lib/udev/rules.d/40-vfioctl-persist.rules
# udevd refuses to run in a chroot unless told (SYSTEMD_IGNORE_CHROOT above); it must be started under its own name.
bash -c 'exec -a systemd-udevd /usr/bin/udevadm --daemon' > "$out/udevd.log" 2>&1
udevadm settle --timeout=60
check "udevd runs" udevadm control --ping

"$VFIOCTL" persist $xhci > "$out/persist.txt" 2>&1
check "persist exits 0" test $? -eq 0
# An address's marker is pci-ADDRESS@IDS (what the device is, checked below).
persisted() { compgen -G "/etc/vfioctl/persist.d/pci-$1@0x*" > /dev/null; }
check "the whole group is persisted" eval 'persisted $xhci && persisted $nic'
check "the xhci controller is on vfio-pci now" is_driver $xhci vfio-pci
check "the e1000 is on vfio-pci now" is_driver $nic vfio-pci
udevadm settle --timeout=60
node_is() { test "$(stat -c '%G %a' "$1" 2> /dev/null)" = "$2"; }
check "/dev/vfio/$group belongs to group kvm with mode 660" eventually node_is /dev/vfio/$group "kvm 660"
check "/dev/vfio/vfio stays 666" test "$(stat -c '%a' /dev/vfio/vfio)" = "666"

# A boot: host drivers back on, vfio-pci unloaded, the xhci driver unloaded (as before its module loads at boot),
# the e1000 driver loaded (it grabs its device at add, before udev runs).
"$VFIOCTL" restore persist > "$out/restore.txt" 2>&1
check "setup: both devices back on their host drivers" test "$(driver $xhci) $(driver $nic)" = "xhci_hcd e1000"
rmmod vfio_pci vfio_pci_core 2> /dev/null
rmmod xhci_pci
check "setup: vfio-pci is not loaded" test ! -e /sys/bus/pci/drivers/vfio-pci
replug
check "after the add, the xhci controller is on vfio-pci" is_driver $xhci vfio-pci
check "after the add, the e1000 is on vfio-pci though e1000 was loaded" is_driver $nic vfio-pci
check "its override says vfio-pci" test "$(cat /sys/bus/pci/devices/$nic/driver_override)" = vfio-pci
"$VFIOCTL" persist --list > "$out/list.txt" 2>&1
check "persist --list shows both, on vfio-pci" grep -q "$nic *address *$nic (vfio-pci)" "$out/list.txt"
# The marker names the device as udev's $attr{} reads it: the rule above matched it.
ids=$(cat /sys/bus/pci/devices/$nic/{vendor,device,subsystem_vendor,subsystem_device,class} | paste -sd:)
check "the e1000's marker carries its ids and class" test -e "/etc/vfioctl/persist.d/pci-$nic@$ids"

# Cards moved: the marker names a device (an NVMe controller, say) that is no longer at the e1000's address. The add
# (the devices go away and come back: the override goes with them) leaves the e1000 to its own driver; its
# companion, persisted with its own ids, is still claimed.
mv "/etc/vfioctl/persist.d/pci-$nic@$ids" "/etc/vfioctl/persist.d/pci-$nic@0x144d:0xa808:0x144d:0xa801:0x010802"
replug
check "a persisted address holding another device now is not claimed at add" is_driver $nic e1000
check "its override is left unset" test "$(cat /sys/bus/pci/devices/$nic/driver_override)" = "(null)"
check "the companion whose ids match is claimed" is_driver $xhci vfio-pci
"$VFIOCTL" persist --list > "$out/list-swap.txt" 2>&1
check "persist --list says another device is there now" grep -q "another device is there now, 8086:100e" \
    "$out/list-swap.txt"

modprobe xhci_pci
"$VFIOCTL" unpersist $nic > "$out/unpersist.txt" 2>&1
check "unpersist exits 0" test $? -eq 0
check "no marker is left" test -z "$(ls /etc/vfioctl/persist.d)"
check "the e1000 is given back now" is_driver $nic e1000
check "the xhci controller is given back now" is_driver $xhci xhci_hcd
replug
check "after another add the e1000 stays on e1000" is_driver $nic e1000
check "after another add the xhci controller stays on xhci_hcd" is_driver $xhci xhci_hcd

# By id: every e1000 (8086:100e) is claimed at add.
"$VFIOCTL" persist 8086:100e --boot-only > "$out/persist-id.txt" 2>&1
check "persist by id with --boot-only leaves the driver now" is_driver $nic e1000
replug
check "after the add the e1000 is on vfio-pci by its id" is_driver $nic vfio-pci
check "its companion, not persisted by id, is on its host driver" is_driver $xhci xhci_hcd
"$VFIOCTL" unpersist 8086:100e > /dev/null 2>&1
check "unpersist by id gives the e1000 back" is_driver $nic e1000

cat "$out"/persist.txt "$out"/unpersist.txt
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

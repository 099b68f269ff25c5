#!/bin/bash
# Real-kernel scenario for SR-IOV (issue 17) on QEMU's emulated NVMe with SR-IOV (VFIOCTL_GUEST_SRIOV=1): a PF with
# VFs is refused before anything moves; a VF binds alone; the count is not changed under a held VF; and with Debian's
# udevd (started by udev_persist.sh in the same boot) a kept count and claimed VFs come back when the PF is added
# again. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
pf=0000:06:00.0
json() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
vf() { basename "$(readlink "/sys/bus/pci/devices/$pf/virtfn$1")"; }
# nvme probes a new VF and lets it go once its (offline) controller does not answer: wait until it has no driver.
settled() { for _ in $(seq 300); do [ -z "$(driver "$1")" ] && return 0; sleep 0.1; done; return 1; }
numvfs_is() { [ "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs 2> /dev/null)" = "$1" ]; }
replug_pf() {
    echo 1 > /sys/bus/pci/devices/$pf/remove
    echo 1 > /sys/bus/pci/rescan
    eventually is_driver $pf nvme
}

# Alone in a boot, it installs vfioctl and starts udevd as udev_persist.sh does.
if [ -z "$(pidof systemd-udevd)" ]; then
    cmake --install "$BUILD" > "$out/install.txt" 2>&1
    SYSTEMD_IGNORE_CHROOT=1 bash -c 'exec -a systemd-udevd /usr/bin/udevadm --daemon --debug' > "$out/udevd.log" 2>&1
    udevadm settle --timeout=60
fi
check "setup: udevd runs" test -n "$(pidof systemd-udevd)"
check "setup: the SR-IOV PF is on nvme" is_driver $pf nvme
check "setup: it offers 2 VFs" test "$(cat /sys/bus/pci/devices/$pf/sriov_totalvfs)" = 2
"$VFIOCTL" sriov $pf 2 > "$out/sriov-set.txt" 2>&1
check "sriov PF 2 exits 0" test $? -eq 0
vf1=$(vf 0)
vf2=$(vf 1)
check "two VFs exist" test -n "$vf1" -a -n "$vf2"
check "the first VF settles without a driver" settled "$vf1"
check "the second VF settles without a driver" settled "$vf2"
"$VFIOCTL" sriov $pf --json > "$out/sriov.json" 2>&1
check "sriov --json shows 2 of 2 enabled" test "$(json "$out/sriov.json" 'd["enabled_vfs"], d["total_vfs"]')" = "(2, 2)"

"$VFIOCTL" affected $pf --json > "$out/affected-pf.json" 2>&1
check "affected says the PF is not eligible" test "$(json "$out/affected-pf.json" 'd["eligible"]')" = False
check "affected lists its VFs as going with it" \
    test "$(json "$out/affected-pf.json" 'sorted(v["address"] for v in d["virtual_functions"])')" = "['$vf1', '$vf2']"
# The fleet export of a real kernel's VFs: recorded here, read on the host by the consumers' own code (sriov.host.sh).
fleet=$(cd "$(dirname "$0")/../../fleet" && pwd)
for args in "list --type pci --json" "export nova --class vf" "export nova --json --class vf" \
            "export kubevirt --class vf" "export kubevirt --json --class vf"; do
    # shellcheck disable=SC2086 # the arguments are words
    VFIOCTL_RECORD="$out/recorded" VFIOCTL_REAL="$VFIOCTL" "$fleet/recorded_vfioctl.sh" $args
done
check "the VF export is recorded for Nova and KubeVirt" test "$(cat "$out/recorded/export_nova_--class_vf_.rc")" = 0
"$VFIOCTL" export nova $pf > "$out/export-pf.txt" 2> "$out/export-pf.err"
check "export of the PF exits 3 (left out)" test $? -eq 3
check "the PF is left out naming its VFs" grep -q "left out $pf: SR-IOV physical function with 2 virtual functions" "$out/export-pf.err"

"$VFIOCTL" bind $pf --force > "$out/bind-pf.txt" 2>&1
check "bind of the PF (even forced) is refused" test $? -ne 0
check "the refusal names its VFs" grep -q "$vf1" "$out/bind-pf.txt"
check "nothing moved: the PF is on nvme" is_driver $pf nvme
check "nothing moved: its VFs are still there" test -e "/sys/bus/pci/devices/$vf2"
check "nothing moved: no journal" test -z "$(ls /run/vfioctl/owners 2> /dev/null)"

"$VFIOCTL" bind "$vf1" > "$out/bind-vf.txt" 2>&1
check "a VF binds alone" is_driver "$vf1" vfio-pci
check "the other VF stays without a driver" test -z "$(driver "$vf2")"
"$VFIOCTL" sriov $pf 0 > "$out/sriov-0-held.txt" 2>&1
check "sriov PF 0 is refused while a VF is held" test $? -ne 0
check "the refusal names the held VF" grep -q "$vf1 is held by" "$out/sriov-0-held.txt"
check "the VFs are still there" test "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" = 2
"$VFIOCTL" unbind "$vf1" > "$out/unbind-vf.txt" 2>&1
check "unbind gives the VF back (no driver, as before)" test "$(driver "$vf1")" != vfio-pci

# Kept across a boot: the count and the VFs' claim, honoured by udevd when the kernel adds the PF again.
"$VFIOCTL" sriov $pf 2 --persist > "$out/sriov-persist.txt" 2>&1
check "sriov --persist exits 0" test $? -eq 0
"$VFIOCTL" persist --vfs-of $pf > "$out/persist-vfs.txt" 2>&1
check "persist --vfs-of exits 0" test $? -eq 0
check "persist --vfs-of binds the present VFs now" is_driver "$vf2" vfio-pci
autoprobe() { cat /sys/bus/pci/devices/$pf/sriov_drivers_autoprobe; }
# New VFs must not be probed by their own driver first: that probe races udev's claim at their add.
check "persist --vfs-of turns the VFs' autoprobe off" test "$(autoprobe)" = 0
"$VFIOCTL" persist --list --json > "$out/persist-list.json" 2>&1
check "persist --list shows the count and the VFs" \
    test "$(json "$out/persist-list.json" 'sorted(e["kind"] for e in d["persisted"])')" = "['vf-count', 'vfs-of']"
"$VFIOCTL" sriov $pf 0 --force > "$out/sriov-0-forced.txt" 2>&1
check "sriov PF 0 --force goes ahead" test "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)" = 0
check "the destroyed VFs leave no journal behind" test -z "$(ls /run/vfioctl/owners 2> /dev/null)"
replug_pf
check "after the add, the PF is on nvme" is_driver $pf nvme
check "udev set its kept count" eventually numvfs_is 2
check "udev turned the VFs' autoprobe off before making them" test "$(autoprobe)" = 0
udevadm info /sys/bus/pci/devices/$pf > "$out/udev-info-pf.txt" 2>&1
check "udev put the first new VF on vfio-pci" eventually is_driver "$(vf 0)" vfio-pci
check "udev put the second new VF on vfio-pci" eventually is_driver "$(vf 1)" vfio-pci

"$VFIOCTL" unpersist --vfs-of $pf --sriov $pf > "$out/unpersist.txt" 2>&1
check "unpersist --vfs-of --sriov exits 0" test $? -eq 0
check "no marker is left" test -z "$(ls /etc/vfioctl/persist.d)"
check "the VFs' autoprobe is on again" test "$(autoprobe)" = 1
check "the VFs are given back now" test "$(driver "$(vf 0)")$(driver "$(vf 1)")" != vfio-pcivfio-pci
"$VFIOCTL" sriov $pf 0 > /dev/null 2>&1
replug_pf
sleep 2 # what udev would do, it has done by now
check "after another add, no VF is made" numvfs_is 0

cat "$out"/sriov-set.txt "$out"/bind-pf.txt "$out"/sriov-0-held.txt "$out"/persist-vfs.txt "$out"/unpersist.txt
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

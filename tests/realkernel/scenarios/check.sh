#!/bin/bash
# Real-kernel scenario for `vfioctl check` and the freeze. Booted normally the IOMMU checks pass; booted with
# intel_iommu=off (VFIOCTL_GUEST_APPEND) check FAILs on the IOMMU with the right hint and bind refuses.
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
verdict() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$out/check.json')); print([c for c in d['checks'] if c['id']=='$1'][0]['verdict'])"; }
evidence() { /usr/bin/python3 -c "import json,sys; d=json.load(open('${2:-$out/check.json}')); print([c for c in d['checks'] if c['id']=='$1'][0]['evidence'])"; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$out/check.json')); print(d['$1'])"; }
nic=0000:02:02.0

"$VFIOCTL" check > "$out/check.txt" 2>&1
text_code=$?
"$VFIOCTL" check --json > "$out/check.json" 2>&1
json_code=$?
check "text and JSON give the same exit code" test "$text_code" -eq "$json_code"
if grep -qw "module_blacklist=vfio_pci" /proc/cmdline; then
    # The kernel will refuse vfio-pci: check says so before bind or the hook ask it.
    check "check exits 2" test "$json_code" -eq 2
    check "the VFIO modules check fails" test "$(verdict vfio-modules)" = fail
    check "passthrough is reported impossible" test "$(field passthrough_possible)" = False
    check "the evidence names the refusal" grep -q "the kernel refuses to load vfio_pci (module_blacklist=vfio_pci" "$out/check.txt"
    "$VFIOCTL" bind $nic > "$out/bind.txt" 2>&1
    check "bind is refused (exit 1)" test $? -eq 1
    check "with the check's sentence, not the kernel's" grep -q "vfioctl: error: PCI passthrough cannot work on this host: the kernel refuses to load vfio_pci" "$out/bind.txt"
    check "the device stays on e1000" test "$(driver $nic)" = e1000
    check "vfio-pci was never asked for" test ! -d /sys/module/vfio_pci
elif grep -qw "intel_iommu=off" /proc/cmdline; then
    check "check exits 2" test "$json_code" -eq 2
    check "the IOMMU check fails" test "$(verdict iommu)" = fail
    check "passthrough is reported impossible" test "$(field passthrough_possible)" = False
    check "the fix says to remove intel_iommu=off" grep -q "fix: remove intel_iommu=off from the kernel command line" "$out/check.txt"
    check "the kernel command line check names intel_iommu=off" test "$(verdict kernel-command-line)" = fail
    check "the VFIO modules are still found" test "$(verdict vfio-modules)" = pass
    "$VFIOCTL" bind $nic > "$out/bind.txt" 2>&1
    check "bind is refused (exit 1)" test $? -eq 1
    check "with the check's sentence" grep -q "vfioctl: error: PCI passthrough cannot work on this host: no IOMMU is active" "$out/bind.txt"
    check "the device stays on e1000" test "$(driver $nic)" = e1000
else
    check "check exits 0 or 1 (warnings only)" test "$json_code" -le 1
    check "passthrough is reported possible" test "$(field passthrough_possible)" = True
    for id in iommu kernel-command-line interrupt-remapping vfio-modules driver-override kernel-version acs-override; do
        check "$id passes" test "$(verdict $id)" = pass
    done
    check "the IOMMU evidence names dmar0" grep -q "IOMMU enabled .*dmar0" "$out/check.txt"
    check "the missing hook is a warning with its fix" grep -q "fix: run ./install.sh, then systemctl restart libvirtd" "$out/check.txt"

    # iommufd and the VFIO device cdev, against what this kernel itself says: its version, and modinfo (which finds
    # a module or a built-in one). Debian 12's 6.1 predates both; Debian 13's 6.12 is built without iommufd.
    IFS=.- read -r major minor _ <<< "$(uname -r)"
    check "iommufd and vfio-cdev are INFO lines" test "$(verdict iommufd) $(verdict vfio-cdev)" = "info info"
    if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 2 ]; }; then
        check "iommufd: Linux $major.$minor predates it" bash -c "grep -q 'predates it (Linux 6.2)' <<< '$(evidence iommufd)'"
    elif ! modinfo iommufd > /dev/null 2>&1; then
        check "iommufd: this kernel is built without it" bash -c "grep -q 'is built without it' <<< '$(evidence iommufd)'"
    else
        check "iommufd: this kernel has it" bash -c "grep -qE '^iommufd is (there|a module)' <<< '$(evidence iommufd)'"
    fi
    check "iommufd: the libvirt version found is named" bash -c "grep -q 'libvirt [0-9.]* found' <<< '$(evidence iommufd)'"
    # With a device on vfio-pci the kernel has shown what it has: vfio-dev/vfioN (Linux 6.1 and later), and a cdev
    # (its dev file, /dev/vfio/devices) only where the kernel has one.
    "$VFIOCTL" bind $nic > "$out/bind-for-cdev.txt" 2>&1
    check "a device bound for the cdev check" is_driver $nic vfio-pci
    "$VFIOCTL" check --json > "$out/check-bound.json" 2>&1
    if ls /sys/bus/pci/devices/$nic/vfio-dev/vfio*/dev > /dev/null 2>&1; then
        check "vfio-cdev: the cdev is there" bash -c "grep -q '^the VFIO device cdev is there' <<< '$(evidence vfio-cdev "$out/check-bound.json")'"
    else
        check "vfio-cdev: none, and the check says so" bash -c "grep -q '^no VFIO device cdev' <<< '$(evidence vfio-cdev "$out/check-bound.json")'"
        check "no /dev/vfio/devices without a cdev" test ! -e /dev/vfio/devices
    fi
    "$VFIOCTL" restore manual > "$out/restore-after-cdev.txt" 2>&1
    check "the device is given back" is_driver $nic e1000
fi
cat "$out/check.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# Real-stack scenario for the qemu hook: real libvirtd + virtlogd in the real-kernel guest start nested QEMU domains
# (paused) holding one device of the bridge group, and the boot GPU with and without the console hand-off. libvirt
# calls our hook for real. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
xhci=0000:02:01.0
nic=0000:02:02.0
e1000e=0000:04:00.0
group=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")

# shellcheck disable=SC1091
source "$(dirname "$0")/libvirt_setup.sh"

domain_xml() { # NAME BUS SLOT MANAGED [METADATA]
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <metadata>${5:-}</metadata>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <hostdev mode='subsystem' type='pci' managed='$4'>
      <source><address domain='0x0000' bus='$2' slot='$3' function='0x0'/></source>
    </hostdev>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

# Opted out by its metadata policy, a domain holding one device of the group meets libvirt's own refusal: this is
# what every such start looks like without the hook.
modprobe vfio-pci # libvirt refuses any PCI passthrough before vfio is loaded; our hook loads it itself
domain_xml ignored 0x02 0x02 yes "<vfioctl:policy xmlns:vfioctl='https://vfioctl.org/xmlns/domain/1' action='ignore'/>" > "$out/ignored.xml"
virsh define "$out/ignored.xml" > /dev/null
virsh start ignored --paused > "$out/start-ignored.txt" 2>&1
check "with action='ignore' the hook leaves the domain to libvirt, which fails" test $? -ne 0
check "libvirt says the group is not viable" grep -q "group $group is not viable" "$out/start-ignored.txt"
check "the companion xhci controller was not touched" is_driver $xhci xhci_hcd
check "libvirt gave the e1000 back itself" is_driver $nic e1000

# managed='yes', one function of the bridge group: the hook brings its companion; libvirt starts the domain.
domain_xml managed 0x02 0x02 yes > "$out/managed.xml"
virsh define "$out/managed.xml" > /dev/null
virsh start managed --paused > "$out/start-managed.txt" 2>&1
check "a domain holding one device of group $group starts (managed='yes')" test $? -eq 0
check "the listed e1000 is on vfio-pci" is_driver $nic vfio-pci
check "its group companion, the xhci controller, is on vfio-pci" is_driver $xhci vfio-pci
check "the domain is running (paused)" test "$(virsh domstate managed)" = "paused"
"$VFIOCTL" status --json > "$out/status-managed.json" 2>&1
check "vfioctl status shows the group held by the VM" grep -q '"owner": *"managed"' "$out/status-managed.json"
virsh destroy managed > "$out/destroy-managed.txt" 2>&1
check "destroy exits 0" test $? -eq 0
check "the e1000 is back on e1000" is_driver $nic e1000
check "the xhci controller is back on xhci_hcd" is_driver $xhci xhci_hcd
check "the overrides are cleared" test "$(override $nic)$(override $xhci)" = "(null)(null)"
check "the USB keyboard is back behind the controller" appears /sys/bus/usb/devices/1-1
check "the VM holds nothing any more" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"

# managed='no': libvirt expects the device on vfio-pci already; the hook binds it and its companion.
domain_xml unmanaged 0x02 0x01 no > "$out/unmanaged.xml"
virsh define "$out/unmanaged.xml" > /dev/null
virsh start unmanaged --paused > "$out/start-unmanaged.txt" 2>&1
check "a domain with a managed='no' device of the group starts" test $? -eq 0
check "the listed xhci controller is on vfio-pci" is_driver $xhci vfio-pci
check "the companion e1000 is on vfio-pci" is_driver $nic vfio-pci
virsh destroy unmanaged > /dev/null 2>&1
check "after destroy the xhci controller is back on xhci_hcd" is_driver $xhci xhci_hcd
check "after destroy the e1000 is back on e1000" is_driver $nic e1000

# A device the host uses: the start is refused with our sentence, and nothing moves.
netdev=$(ls /sys/bus/pci/devices/$e1000e/net)
ip link set "$netdev" up
ip addr add 192.0.2.10/24 dev "$netdev"
domain_xml refused 0x04 0x00 yes > "$out/refused.xml"
virsh define "$out/refused.xml" > /dev/null
virsh start refused --paused > "$out/start-refused.txt" 2>&1
check "a domain holding a device the host uses does not start" test $? -ne 0
check "virsh shows our sentence naming the device and its use" \
    grep -q "vfioctl: VM 'refused' not started: refusing to bind $e1000e (IOMMU group [0-9]*): the host uses it: .*$netdev" "$out/start-refused.txt"
check "the e1000e stays on e1000e" is_driver $e1000e e1000e
check "the refused domain is shut off" test "$(virsh domstate refused)" = "shut off"
check "nothing is held after the refusal" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"

# The boot GPU (QEMU's std VGA, fbcon on bochs-drm): refused without the opt-in, naming it; with console='handoff'
# the VM starts with the console released, and after it stops the GPU, /dev/fb0 and the console are the host's again.
vga=0000:00:01.0
modprobe bochs 2>/dev/null
appears /dev/fb0 > /dev/null
fbcon=$(fbcon_vtconsole)
check "setup: the std VGA is on bochs-drm with fbcon bound on it" \
    bash -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$vga/driver))\" = bochs-drm ] && [ -n '$fbcon' ] && [ \"\$(cat $fbcon/bind)\" = 1 ]"
domain_xml gpukeep 0x00 0x01 yes > "$out/gpukeep.xml"
virsh define "$out/gpukeep.xml" > /dev/null
virsh start gpukeep --paused > "$out/start-gpukeep.txt" 2>&1
check "a domain taking the boot GPU without the opt-in does not start" test $? -ne 0
check "the sentence names the opt-in" grep -q "console=\"handoff\"" "$out/start-gpukeep.txt"
check "nothing moved: the GPU is on bochs-drm" is_driver $vga bochs-drm
check "and the console is still bound" test "$(cat "$fbcon/bind")" = 1
domain_xml gpu 0x00 0x01 yes "<vfioctl:policy xmlns:vfioctl='https://vfioctl.org/xmlns/domain/1' console='handoff'/>" > "$out/gpu.xml"
virsh define "$out/gpu.xml" > /dev/null
virsh start gpu --paused > "$out/start-gpu.txt" 2>&1
check "with console='handoff' the domain holding the boot GPU starts" test $? -eq 0
check "the GPU is on vfio-pci" is_driver $vga vfio-pci
check "the framebuffer console was released (/dev/fb0 gone)" test ! -e /dev/fb0
"$VFIOCTL" status --json > "$out/status-gpu.json" 2>&1
check "status shows the console hand-off held by the VM" grep -q '"vtconsoles"' "$out/status-gpu.json"
virsh destroy gpu > "$out/destroy-gpu.txt" 2>&1
check "after destroy the GPU is on bochs-drm again" is_driver $vga bochs-drm
check "its console is bound again" test "$(cat "$fbcon/bind" 2>/dev/null)" = 1
check "and /dev/fb0 is back" appears /dev/fb0
check "the VM holds nothing any more" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"

cat "$out"/start-*.txt
# Leave libvirt as found for the next scenario in this boot: these definitions hold the group's devices.
for vm in ignored managed unmanaged refused gpukeep gpu; do virsh undefine "$vm" > /dev/null 2>&1; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

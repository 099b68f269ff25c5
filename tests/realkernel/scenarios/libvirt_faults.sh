#!/bin/bash
# Real-stack faults under real libvirtd (issues 13, 23): a corrupt journal while another VM starts and stops, the hook
# killed in the middle of `prepare begin`, a device removed while its VM runs, /run/vfioctl full at a start and at a
# stop, libvirtd gone while `vfioctl list` runs. Each ends with every device on
# the driver it had. Runs last in its boot: it stops libvirtd. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
xhci=0000:02:01.0
nic=0000:02:02.0
# shellcheck disable=SC1091
source "$(dirname "$0")/libvirt_setup.sh"

define() { # NAME: a paused domain holding the e1000 of the bridge group
    cat > "$out/$1.xml" <<EOF
<domain type='qemu'><name>$1</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x02' slot='0x02' function='0x0'/></source></hostdev>
    <memballoon model='none'/></devices></domain>
EOF
    virsh define "$out/$1.xml" > /dev/null
}
all_back() { is_driver $nic e1000 && is_driver $xhci xhci_hcd; }

# A corrupt journal of some other owner: set aside and reported, never fatal to a VM using another group.
mkdir -p /run/vfioctl/owners
printf 'vfioctl-journal 2\n{"owner_kind": ' > /run/vfioctl/owners/vm-ghost.journal
define survivor
virsh start survivor --paused > "$out/start-survivor.txt" 2>&1
check "a VM starts while a corrupt journal is present" test $? -eq 0
check "its group is on vfio-pci" is_driver $nic vfio-pci
virsh destroy survivor > /dev/null 2>&1
check "after it stops every device is back" all_back
check "the corrupt journal was set aside" test -e /run/vfioctl/owners/vm-ghost.journal.corrupt
"$VFIOCTL" status > "$out/status-corrupt.txt" 2>&1
check "status names it and the command that resolves it" grep -q "recover --discard-corrupt" "$out/status-corrupt.txt"
"$VFIOCTL" check > "$out/check-corrupt.txt" 2>&1
check "check names it too" grep -q "vm-ghost.journal.corrupt" "$out/check-corrupt.txt"
"$VFIOCTL" recover --discard-corrupt > /dev/null 2>&1
check "recover --discard-corrupt clears it" test ! -e /run/vfioctl/owners/vm-ghost.journal.corrupt

# The hook killed in the middle of prepare begin: caught as it starts and stopped, then let run in short steps until
# its journal is on disk (the transaction has begun), then killed. No fork per process looked at: TCG is slow.
hook_pid() { # the hook's prepare begin for the VM "killed" (libvirt runs it for other steps too)
    local p comm args
    for p in /proc/[0-9]*; do
        read -r comm < "$p/comm" 2> /dev/null || continue
        [ "$comm" = vfioctl ] || continue
        mapfile -d '' args < "$p/cmdline" 2> /dev/null || continue
        [ "${args[1]:-}" = killed ] && [ "${args[2]:-}" = prepare ] && { echo "${p#/proc/}"; return 0; }
    done
    return 1
}
define killed
killed_journal=/run/vfioctl/owners/vm-$(virsh domuuid killed | tr -d ' \n').journal
virsh start killed --paused > "$out/start-killed.txt" 2>&1 &
start=$!
killed_it=no
pid=
for _ in $(seq 3000); do
    pid=$(hook_pid) && break
done
if [ -n "$pid" ] && kill -STOP "$pid" 2> /dev/null; then
    for _ in $(seq 500); do
        if [ -e "$killed_journal" ]; then
            kill -KILL "$pid" && killed_it=yes
            break
        fi
        kill -CONT "$pid" 2> /dev/null || break
        sleep 0.01
        kill -STOP "$pid" 2> /dev/null || break
    done
fi
wait $start
check "the hook was caught in prepare begin and killed" test $killed_it = yes
check "the VM did not start" test "$(virsh domstate killed)" = "shut off"
# libvirt cleans up a failed start with release end: the journal the killed hook left gives every device back.
"$VFIOCTL" status > "$out/status-killed.txt" 2>&1
check "libvirt's release end gave back what the killed hook had moved" all_back
virsh start killed --paused > "$out/start-killed-again.txt" 2>&1
check "the next start of the VM succeeds" test $? -eq 0
virsh destroy killed > /dev/null 2>&1
"$VFIOCTL" recover > "$out/recover-killed.txt" 2>&1
check "recover exits 0" test $? -eq 0
check "every device is back on the driver it had" all_back
check "nothing is held" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"

# A device removed (hot-unplug) while a VM holds it: the xhci controller, bound with the e1000's group but not opened
# by QEMU (a device QEMU has open is not let go until QEMU does). The stop ends its entry and gives back the rest; a
# rescan brings it back on its own driver.
define unplugged
virsh start unplugged --paused > "$out/start-unplugged.txt" 2>&1
check "a VM holding the e1000's group starts" test $? -eq 0
check "the xhci controller is on vfio-pci with it" is_driver $xhci vfio-pci
echo 1 > /sys/bus/pci/devices/$xhci/remove
check "the xhci controller is gone" test ! -e /sys/bus/pci/devices/$xhci
"$VFIOCTL" status > "$out/status-unplugged.txt" 2>&1
check "status says the removed device went away" grep -q "$xhci went away while VM 'unplugged' held it" "$out/status-unplugged.txt"
virsh destroy unplugged > /dev/null 2>&1
check "the stop gave back the rest of the group" is_driver $nic e1000
check "and left no journal" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"
echo 1 > /sys/bus/pci/rescan
for _ in $(seq 100); do [ -e /sys/bus/pci/devices/$xhci/driver ] && break; sleep 0.1; done
check "a rescan brings the xhci controller back on xhci_hcd" is_driver $xhci xhci_hcd
"$VFIOCTL" recover > "$out/recover-unplugged.txt" 2>&1
check "recover finds nothing to do" grep -q "nothing to recover" "$out/recover-unplugged.txt"

# /run/vfioctl on a tiny tmpfs that is full: a start is refused with nothing moved; filled while the VM runs, its
# stop still gives every device back, and once there is room recover tidies the journal.
mkdir -p /run/vfioctl
mount -t tmpfs -o size=16k tmpfs /run/vfioctl
fill() { dd if=/dev/zero of=/run/vfioctl/filler bs=4k 2> /dev/null; sync; }
fill
virsh start unplugged --paused > "$out/start-full.txt" 2>&1
check "a start with /run/vfioctl full is refused" test $? -ne 0
check "with vfioctl's sentence" grep -q "vfioctl: VM 'unplugged' not started" "$out/start-full.txt"
check "and nothing moved" all_back
rm -f /run/vfioctl/filler
virsh start unplugged --paused > "$out/start-room.txt" 2>&1
check "with room it starts" test $? -eq 0
check "its group is on vfio-pci" is_driver $nic vfio-pci
fill
virsh destroy unplugged > /dev/null 2>&1
check "a stop with /run/vfioctl full still gives every device back" all_back
rm -f /run/vfioctl/filler
"$VFIOCTL" recover > "$out/recover-full.txt" 2>&1
check "recover then exits 0" test $? -eq 0
check "and no journal is left" test -z "$(ls /run/vfioctl/owners 2>/dev/null)"
umount /run/vfioctl

# libvirtd not running: list still lists, with one note.
for vm in survivor killed unplugged; do virsh undefine "$vm" > /dev/null 2>&1; done
daemons=()
for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = libvirtd ] && daemons+=("$(basename "$p")"); done
kill "${daemons[@]}"
# Asking virsh whether it is gone costs a second a time under TCG: watch /proc instead (a zombie is gone), up to 20 s.
alive() {
    local pid
    for pid in "${daemons[@]}"; do grep -qs '^State:[[:space:]]*[^Z]' "/proc/$pid/status" && return 0; done
    return 1
}
for _ in $(seq 200); do alive || break; sleep 0.1; done
"$VFIOCTL" list > "$out/list-no-libvirtd.txt" 2> "$out/list-no-libvirtd.err"
check "list exits 0 without libvirtd" test $? -eq 0
check "it lists the devices" grep -q "$nic" "$out/list-no-libvirtd.txt"
check "with a one-line note" test "$(wc -l < "$out/list-no-libvirtd.err")" -eq 1
cat "$out"/start-killed*.txt "$out/status-killed.txt" "$out"/start-full.txt "$out"/status-unplugged.txt
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

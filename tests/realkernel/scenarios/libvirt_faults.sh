#!/bin/bash
# Real-stack faults under real libvirtd (issue 13): a corrupt journal while another VM starts and stops, the hook
# killed in the middle of `prepare begin`, libvirtd gone while `vfioctl list` runs. Each ends with every device on
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
printf 'vfioctl-journal 1\n{"owner": ' > /run/vfioctl/owners/vm-ghost.journal
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
virsh start killed --paused > "$out/start-killed.txt" 2>&1 &
start=$!
killed_it=no
pid=
for _ in $(seq 3000); do
    pid=$(hook_pid) && break
done
if [ -n "$pid" ] && kill -STOP "$pid" 2> /dev/null; then
    for _ in $(seq 500); do
        if [ -e /run/vfioctl/owners/vm-killed.journal ]; then
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

# libvirtd not running: list still lists, with one note.
for vm in survivor killed; do virsh undefine "$vm" > /dev/null 2>&1; done
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
cat "$out"/start-killed*.txt "$out/status-killed.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

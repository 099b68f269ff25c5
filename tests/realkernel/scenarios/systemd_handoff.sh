#!/bin/bash
# Real-kernel scenario with Debian's systemd as PID 1 (vfioctl.init=systemd): a unit standing for the display manager
# holds the std VGA's /dev/dri/card0 open, as Xorg does. The hook's <vfioctl:stop> stops it through systemd's D-Bus
# API, the console is handed over and the GPU bound; release end gives GPU and console back and starts the unit
# again. Killed midway (SIGKILL injected by strace at the GPU's probe), recover starts it again too.
# Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
vga=0000:00:01.0
hook=$BUILD/hooks/vfioctl-qemu-hook
unit=display-manager.service

check "setup: systemd is PID 1" test "$(cat /proc/1/comm)" = systemd
modprobe bochs 2> /dev/null
check "setup: the std VGA is on bochs-drm" is_driver $vga bochs-drm
check "setup: with its DRM card" appears /dev/dri/card0
fbcon=$(fbcon_vtconsole)
check "setup: fbcon is a vtconsole, bound" test -n "$fbcon" -a "$(cat "$fbcon/bind" 2> /dev/null)" = 1
cat > /etc/systemd/system/$unit << UNIT
[Unit]
Description=Stands for the display manager: holds the GPU's DRM card open, as Xorg does
[Service]
ExecStart=/bin/sh -c 'exec sleep infinity < /dev/dri/card0'
UNIT
systemctl daemon-reload
systemctl start $unit
check "setup: the display manager runs" systemctl is-active --quiet $unit
holds_card() { # the unit's main process has /dev/dri/card0 open
    local pid
    pid=$(systemctl show -P MainPID $unit)
    [ "$pid" -gt 0 ] && ls -l "/proc/$pid/fd" 2> /dev/null | grep -q /dev/dri/card0
}
check "setup: and holds /dev/dri/card0" holds_card

domain="<domain type='kvm'><name>desktop</name><uuid>6f1e3c52-8d4b-4e0a-9c2f-0b7d5a1e9c33</uuid><metadata>
<vfioctl:policy xmlns:vfioctl='https://vfioctl.org/xmlns/domain/1' console='handoff'>
<vfioctl:stop unit='$unit'/><vfioctl:stop unit='nvidia-persistenced.service'/></vfioctl:policy></metadata>
<devices><hostdev mode='subsystem' type='pci' managed='yes'><source>
<address domain='0x0000' bus='0x00' slot='0x01' function='0x0'/></source></hostdev></devices></domain>"
"$hook" desktop prepare begin - <<< "$domain" > "$out/systemd-prepare.txt" 2>&1
check "prepare begin with the hand-off exits 0" test $? -eq 0
check "systemd stopped the display manager" bash -c "! systemctl is-active --quiet $unit"
check "the GPU is on vfio-pci" is_driver $vga vfio-pci
check "its console was released" console_released "$fbcon"
"$hook" desktop release end - <<< "$domain" > "$out/systemd-release.txt" 2>&1
check "release end exits 0" test $? -eq 0
check "the GPU is on bochs-drm again" is_driver $vga bochs-drm
check "its console is bound again" test "$(cat "$fbcon/bind" 2> /dev/null)" = 1
check "/dev/fb0 is back" appears /dev/fb0
check "systemd started the display manager again" systemctl is-active --quiet $unit
check "and it holds the GPU's card again" holds_card
check "no journal is left" test -z "$(ls /run/vfioctl/owners 2> /dev/null)"

# Killed midway: the display manager is stopped and the console released when the hook dies; recover starts it.
strace -f -qq -o /dev/null -P /sys/bus/pci/drivers_probe -e trace=write -e inject=write:signal=SIGKILL \
    "$hook" desktop prepare begin - <<< "$domain" > "$out/systemd-killed.txt" 2>&1
check "the hook was killed at the GPU's probe" test $? -ne 0
check "with the display manager stopped" bash -c "! systemctl is-active --quiet $unit"
"$VFIOCTL" recover > "$out/systemd-recover.txt" 2>&1
check "recover exits 0" test $? -eq 0
check "recover gives the GPU back to bochs-drm" is_driver $vga bochs-drm
check "and binds its console again" test "$(cat "$fbcon/bind" 2> /dev/null)" = 1
check "and starts the display manager again" systemctl is-active --quiet $unit
check "no journal is left after recover" test -z "$(ls /run/vfioctl/owners 2> /dev/null)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

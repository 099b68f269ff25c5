# Sourced by every scenario: the pass/fail counters, `check WHAT COMMAND...`, and driver helpers.
# shellcheck disable=SC1091
source "$out/env"
guest_uptime() { cut -d' ' -f1 /proc/uptime; }
CHECK_STAMP=guest_uptime
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/check.sh"
driver() { basename "$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null)" 2>/dev/null || true; }
is_driver() { [ "$(driver "$1")" = "$2" ]; }
override() { cat "/sys/bus/pci/devices/$1/driver_override"; }
# USB enumerates asynchronously after its controller binds: wait up to 20 s.
appears() { for _ in $(seq 200); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
# What udev does for an event it has not read yet is not done when `udevadm settle` returns (and settle does nothing
# in a chroot unless SYSTEMD_IGNORE_CHROOT=1): retry COMMAND for up to 30 s.
eventually() { for _ in $(seq 300); do "$@" && return 0; sleep 0.1; done; return 1; }
# The vtconsole the framebuffer console (fbcon) is bound through ("" for none), and whether it let go: unbound, or
# gone altogether once the GPU's framebuffer went with its DRM driver.
fbcon_vtconsole() {
    local v found=""
    for v in /sys/class/vtconsole/vtcon*; do grep -q "frame buffer device" "$v/name" && found=$v; done
    echo "$found"
}
console_released() { [ ! -e "$1/bind" ] || [ "$(cat "$1/bind" 2> /dev/null)" = 0 ]; }

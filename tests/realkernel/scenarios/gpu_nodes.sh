#!/bin/bash
# Real-kernel scenario for the boot GPU (QEMU's std VGA on bochs-drm, fbcon on it): a process holding its DRM node
# makes bind refuse in one sentence naming it, before anything moves; its empty reset_method is a note in list and
# a WARN of check. Prints "N passed, M failed".
set -u
out=$1
# shellcheck disable=SC1091
source "$(dirname "$0")/common.sh"
vga=0000:00:01.0

modprobe bochs 2>/dev/null
check "setup: the std VGA is on bochs-drm" is_driver $vga bochs-drm
check "setup: with its DRM card below it" appears /sys/bus/pci/devices/$vga/drm/card0
sleep 600 < /dev/dri/card0 &
holder=$!
sleep 0.2
"$VFIOCTL" bind $vga --force > "$out/gpu-held.txt" 2>&1
check "a bind of the GPU while a process holds its node exits 1" test $? -eq 1
check "the refusal names the process, its pid and the node" \
    grep -q "sleep (pid $holder) has /dev/dri/card0 open" "$out/gpu-held.txt"
check "nothing moved: the GPU is still on bochs-drm" is_driver $vga bochs-drm
check "and no journal was written" test ! -e /run/vfioctl/owners/manual.journal
kill $holder
wait $holder 2>/dev/null

"$VFIOCTL" list --json > "$out/gpu-list.json" 2> /dev/null
check "list gives the std VGA's reset methods (none) and the note that says what that means" /usr/bin/python3 -c "
import json, sys
gpu = next(d for d in json.load(open('$out/gpu-list.json'))['pci'] if d['address'] == '$vga')
sys.exit(not (gpu['reset_methods'] == [] and any(n.startswith('no reset method') for n in gpu['notes'])))"
"$VFIOCTL" check --json > "$out/gpu-check.json" 2> /dev/null
check "check warns for a GPU with no reset method" /usr/bin/python3 -c "
import json, sys
reset = next(c for c in json.load(open('$out/gpu-check.json'))['checks'] if c['id'] == 'gpu-reset')
sys.exit(not (reset['verdict'] == 'warn' and '$vga' in reset['evidence']))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

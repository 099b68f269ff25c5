#!/bin/bash
# Real-kernel scenario for the boot GPU (QEMU's std VGA on bochs-drm, fbcon on it): a process holding its DRM node
# makes bind refuse in one sentence naming it, before anything moves; its empty reset_method is a note in list and
# a WARN of check; bind refuses it without --console-handoff (nothing moves), takes it with the console released, and
# restore gives GPU, framebuffer and console back; killed midway, recover does. Prints "N passed, M failed".
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
# The hand-off by hand: without --console-handoff the boot GPU is refused and nothing moves; with it, the vtconsole
# on the frame buffer device is unbound and the GPU goes to vfio-pci; restore gives GPU, /dev/fb0 and console back.
fbcon=$(fbcon_vtconsole)
check "setup: fbcon is a vtconsole, bound" test -n "$fbcon" -a "$(cat "$fbcon/bind" 2>/dev/null)" = 1
check "setup: /dev/fb0 is the GPU's" appears /dev/fb0
"$VFIOCTL" bind $vga > "$out/gpu-keep.txt" 2>&1
check "without the opt-in the boot GPU is refused (exit 1)" test $? -eq 1
check "and the sentence names the opt-in" grep -q -- "--console-handoff" "$out/gpu-keep.txt"
check "nothing moved: still bochs-drm, console bound" \
    bash -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$vga/driver))\" = bochs-drm ] && [ \"\$(cat $fbcon/bind)\" = 1 ]"
"$VFIOCTL" bind $vga --console-handoff > "$out/gpu-handoff.txt" 2>&1
check "with --console-handoff the bind succeeds" test $? -eq 0
check "the GPU is on vfio-pci" is_driver $vga vfio-pci
# fbcon's vtconsole is unbound, or gone altogether once the GPU's framebuffer went with bochs-drm.
check "its console was released" console_released "$fbcon"
check "and /dev/fb0 with it" test ! -e /dev/fb0
"$VFIOCTL" status --json > "$out/gpu-status.json" 2>&1
check "status records the console hand-off with the vtconsole" /usr/bin/python3 -c "
import json, sys
text = open('$out/gpu-status.json').read()
sys.exit(not ('$(basename "$fbcon")' in text and 'vtconsoles' in text))"
"$VFIOCTL" restore manual > "$out/gpu-restore.txt" 2>&1
check "restore gives it back (exit 0)" test $? -eq 0
check "the GPU is on bochs-drm again" is_driver $vga bochs-drm
check "its console is bound again" test "$(cat "$fbcon/bind")" = 1
check "and /dev/fb0 is back" appears /dev/fb0
check "no journal is left" test ! -e /run/vfioctl/owners/manual.journal

# The hand-off killed midway: SIGKILL (strace's injection) as it asks the kernel to probe the GPU for vfio-pci, after
# the console was released and the GPU unbound from bochs-drm. The journal it left says what was released; recover gives the GPU,
# the console and /dev/fb0 back.
strace -f -qq -o /dev/null -P /sys/bus/pci/drivers_probe -e trace=write -e inject=write:signal=SIGKILL \
    "$VFIOCTL" bind $vga --console-handoff > "$out/gpu-killed.txt" 2>&1
check "the hand-off was killed at the GPU's probe" test $? -ne 0
check "after the console was released" console_released "$fbcon"
check "with the GPU on no driver" test -z "$(driver $vga)"
check "the journal it left records the console it released" \
    grep -q "\"$(basename "$fbcon")\"" /run/vfioctl/owners/manual.journal
"$VFIOCTL" recover > "$out/gpu-recover.txt" 2>&1
check "recover exits 0" test $? -eq 0
check "recover gives the GPU back to bochs-drm" is_driver $vga bochs-drm
check "and binds its console again" test "$(cat "$fbcon/bind" 2> /dev/null)" = 1
check "and /dev/fb0 is back" appears /dev/fb0
check "no journal is left" test ! -e /run/vfioctl/owners/manual.journal
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# Every `vfioctl export` the fleet docs show, read by the consumers' own code: Nova's (check_nova.py, Debian's
# python3-nova) and KubeVirt's API model (check_kubevirt.mjs), on the unit tests' workstation and on a bench host
# with thousands of SR-IOV VFs. Usage: check_exports.sh VFIOCTL MAKE_SYNTHETIC_HOST [FUNCTIONS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vfioctl=${1:?}
make_host=${2:?}
functions=${3:-3000}
trees=()
trap 'rm -rf "${trees[@]}"' EXIT
tree() {
    local root
    root=$("$make_host" "$1" | cut -d' ' -f1)
    trees+=("$root")
    # vfioctl under --root names devices from the tree's own pci.ids, as on the host it was taken from.
    mkdir -p "$root/usr/share/misc"
    cp /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
    echo "$root"
}
check() { # ROOT EXPORT_ARGS...
    local root=$1
    shift
    echo "== $(basename "$root"): export $*"
    /usr/bin/python3 "$here/check_nova.py" "$vfioctl" --root "$root" -- "$@"
    node "$here/check_kubevirt.mjs" "$vfioctl" --root "$root" -- "$@"
}

workstation=$(tree workstation)
check "$workstation" --eligible
check "$workstation" --class gpu --class nic --class nvme --physnet physnet1
check "$workstation" 10de:2204
check "$workstation" 0000:04:00.2 --alias-prefix fleet
check "$workstation" --class vf --eligible

bench=$(tree "$functions")
check "$bench" --eligible
check "$bench" --class vf --physnet physnet0
check "$bench" --class gpu --class nvme
first_vf=$("$vfioctl" --root "$bench" list --type pci --json |
    /usr/bin/python3 -c 'import json,sys; print(next(d["address"] for d in json.load(sys.stdin)["pci"] if d.get("physical_function")))')
check "$bench" "$first_vf"
echo "all exports read by Nova and KubeVirt as written"

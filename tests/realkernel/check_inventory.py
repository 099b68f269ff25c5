#!/usr/bin/python3
"""Checks vfioctl's inventory, captured in the real-kernel guest, against the kernel's own view (lspci, sysfs)."""
import json
import re
import sys

out = sys.argv[1]
failures = []
passed = 0


def check(condition, what):
    global passed
    if condition:
        passed += 1
        print("ok   " + what)
    else:
        failures.append(what)
        print("FAIL " + what)


listing = json.load(open(f"{out}/list.json"))
groups = json.load(open(f"{out}/groups.json"))
affected = json.load(open(f"{out}/affected.json"))
pci = {d["address"]: d for d in listing["pci"]}

# lspci -Dnnk: "0000:00:1f.2 SATA controller [0106]: Intel ... [8086:2922] (rev 02)" then "Kernel driver in use: x".
lspci = {}
current = None
for line in open(f"{out}/lspci.txt"):
    match = re.match(r"^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) .*\[([0-9a-f]{4})\]: .*\[([0-9a-f]{4}):([0-9a-f]{4})\]", line)
    if match:
        current = match.group(1)
        lspci[current] = {"class": match.group(2), "vendor": match.group(3), "device": match.group(4), "driver": None}
    elif current and "Kernel driver in use:" in line:
        lspci[current]["driver"] = line.split(":", 1)[1].strip()

check(len(lspci) >= 15, f"lspci lists the guest's devices ({len(lspci)})")
check(set(lspci) == set(pci), "vfioctl lists exactly the devices lspci lists")
for address, seen in sorted(lspci.items()):
    ours = pci.get(address)
    if not ours:
        continue
    check(ours["vendor_id"] == seen["vendor"] and ours["device_id"] == seen["device"],
          f"{address}: ids {ours['vendor_id']}:{ours['device_id']} match lspci")
    check(ours["class"][:4] == seen["class"], f"{address}: class {ours['class']} matches lspci [{seen['class']}]")
    check(ours["driver"] == seen["driver"], f"{address}: driver {ours['driver']} matches lspci ({seen['driver']})")

kernel_groups = {}
for line in open(f"{out}/kernel_groups.txt"):
    number, *devices = line.split()
    kernel_groups[int(number)] = sorted(devices)
ours_groups = {g["group"]: sorted(d["address"] for d in g["devices"]) for g in groups["groups"]}
check(kernel_groups and ours_groups == kernel_groups, "vfioctl groups match /sys/kernel/iommu_groups")
for address, device in pci.items():
    expected = [n for n, members in kernel_groups.items() if address in members]
    check(device["iommu_group"] == (expected[0] if expected else None), f"{address}: iommu_group {device['iommu_group']}")

bridge_group = [members for members in kernel_groups.values() if "0000:02:01.0" in members]
check(bridge_group == [["0000:01:00.0", "0000:02:01.0", "0000:02:02.0"]],
      "the pcie-pci-bridge group holds the bridge, the xhci controller and the e1000 NIC")
check([e["address"] for e in affected["endpoints"]] == ["0000:02:01.0", "0000:02:02.0"],
      "affected 0000:02:02.0: both endpoints of the bridge group move to vfio-pci")
check([b["address"] for b in affected["bridges"]] == ["0000:01:00.0"], "affected 0000:02:02.0: the bridge stays")
check(any(u["pci_controller"] == "0000:02:01.0" and u["vendor_id"] == "0627" for u in affected["usb"]),
      "affected 0000:02:02.0: the USB keyboard behind the xhci controller goes with it")
check(affected["eligible"] is True, "the e1000 NIC without an address is eligible")
check(pci["0000:01:00.0"]["bridge"] and not pci["0000:01:00.0"]["eligible"], "the pcie-pci-bridge is not eligible")

nvme = pci["0000:03:00.0"]
check(not nvme["eligible"] and any("nvme0n1 mounted at /mnt/nvme" == r["detail"] for r in nvme["ineligible_reasons"]),
      "the NVMe controller with a mounted disk is not eligible, and says where it is mounted")
e1000e = pci["0000:04:00.0"]
check(not e1000e["eligible"] and any("192.0.2.9/24" in r["detail"] for r in e1000e["ineligible_reasons"]),
      "the e1000e NIC with an address is not eligible, and shows the address")
check(any(s["pci_hba"] == "0000:05:00.0" and s["block_devices"] == ["sda"] for s in listing["scsi"]),
      "the virtio-scsi LUN and its disk sda are found below their HBA")
check(any(b["name"] == "nvme0n1" and b["pci_device"] == "0000:03:00.0" for b in listing["block"]),
      "the NVMe disk is found below its controller")
check(any(n["pci_device"] == "0000:04:00.0" and n["mac"] == "52:54:00:12:34:02" for n in listing["net"]),
      "the e1000e interface is found with its MAC address")
# The guest's 9p output share is mounted in the scenario's view (the root share is mounted outside its chroot).
check(not pci["0000:00:03.0"]["eligible"] and
      any(r["detail"] == f"shared filesystem out mounted at {out}" for r in pci["0000:00:03.0"]["ineligible_reasons"]),
      "the virtio-9p device whose share is mounted is not eligible")
check(pci["0000:00:1f.2"]["vendor_name"] == "Intel Corporation", "names come from the hardware database")

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)

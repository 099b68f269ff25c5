#!/usr/bin/python3
"""Checks `vfioctl export nova` with Nova's own code (Debian 12's python3-nova), not with our reading of its docs.

Usage: check_nova.py VFIOCTL [--root TREE] -- EXPORT_ARGS...

The INI text is loaded by Nova's own option definitions (oslo.config, nova.conf) as nova-compute would load
nova.conf; every device_spec is parsed by nova.pci.whitelist.Whitelist and must match, through Nova's own
PciDeviceSpec.match, exactly the devices of the host it was written for (the --json form says which) and no other;
every alias must pass Nova's own alias parsing. Exits non-zero with the first difference.
"""
import json
import os
import subprocess
import sys
import tempfile

from nova import conf as nova_conf
from nova.pci import request as pci_request
from nova.pci import whitelist


def run(vfioctl, root, args):
    command = [vfioctl] + (["--root", root] if root else []) + args
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: written, some devices left out
        sys.exit(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def host_devices(vfioctl, root):
    listed = json.loads(run(vfioctl, root, ["list", "--type", "pci", "--json"]))["pci"]
    # The dictionary nova-compute's libvirt driver reports per device (vendor_id, product_id, address, parent_addr).
    return [{"vendor_id": d["vendor_id"][-4:], "product_id": d["device_id"][-4:], "address": d["address"],
             "parent_addr": d.get("physical_function")} for d in listed]


def main():
    separator = sys.argv.index("--")
    vfioctl, options, export_args = sys.argv[1], sys.argv[2:separator], sys.argv[separator + 1:]
    root = options[1] if options[:1] == ["--root"] else None
    devices = host_devices(vfioctl, root)
    text = run(vfioctl, root, ["export", "nova"] + export_args)
    wanted = json.loads(run(vfioctl, root, ["export", "nova", "--json"] + export_args))

    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as ini:
        ini.write(text)
    try:
        conf = nova_conf.CONF
        conf(["--config-file", ini.name], project="nova", default_config_files=[])
        specs, aliases = list(conf.pci.device_spec), list(conf.pci.alias)
        parsed_aliases = pci_request._get_alias_from_config()
    finally:
        os.unlink(ini.name)

    if [json.loads(s) for s in specs] != [entry["spec"] for entry in wanted["device_spec"]]:
        sys.exit(f"the INI's device_spec lines differ from --json:\n{text}")
    if [json.loads(a) for a in aliases] != [entry["alias"] for entry in wanted["alias"]]:
        sys.exit(f"the INI's alias lines differ from --json:\n{text}")
    if sorted(parsed_aliases) != sorted(json.loads(a)["name"] for a in aliases):
        sys.exit(f"Nova read other alias names: {sorted(parsed_aliases)}")

    parsed = whitelist.Whitelist(specs)
    exported = set()
    for spec, entry in zip(parsed.specs, wanted["device_spec"]):
        matched = sorted(d["address"] for d in devices if spec.match(d))
        if matched != sorted(entry["devices"]):
            sys.exit(f"device_spec {entry['spec']} matches {matched} on this host, "
                     f"written for {sorted(entry['devices'])}")
        exported.update(matched)
    for entry in wanted["alias"]:
        alias = entry["alias"]
        for address in entry["devices"]:
            device = next(d for d in devices if d["address"] == address)
            if (device["vendor_id"], device["product_id"]) != (alias["vendor_id"], alias["product_id"]):
                sys.exit(f"alias {alias['name']} does not request {address}")
            if address not in exported:
                sys.exit(f"alias {alias['name']} requests {address}, which no device_spec allows")
    assignable = sorted(d["address"] for d in devices if parsed.device_assignable(d))
    if assignable != sorted(exported):
        sys.exit(f"Nova would assign {assignable}, exported {sorted(exported)}")
    print(f"nova: {len(specs)} device_spec and {len(aliases)} alias lines read by Nova; "
          f"{len(exported)} devices matched exactly")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The Cockpit page in a real browser (headless Chromium driven by Selenium) against fabricated hosts.

Usage: test_page.py VFIOCTL MAKE_SYNTHETIC_HOST SOURCE_DIR [--screenshots DIR]

Cockpit's own web server serves the page (cockpit_session.py); VMs live in libvirt's session daemon. Checked: the
rows equal `vfioctl list --json` for the same host; a device's details list its IOMMU group as `vfioctl affected`
does; an assign adds the device and its companions to the VM's definition; a refused action shows vfioctl's own
sentence; a VM started or stopped by the hook shows on the table without a new listing of the host; a host without IOMMU shows as frozen with its binding
actions disabled; a 10,000-function host is listed. Also: an action's failure stays in its dialog, a success notice
times out, a slow listing overtaken by a newer state shows the newer state, a failed read shows vfioctl's sentence, the page
follows Cockpit's dark style and runs the vfioctl its manifest names (a decoy on PATH fails). Prints one line per check, exits 1 if any failed.
"""
import glob
import os
import time
import shutil
import sys
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cockpit_session import CockpitSession, browser, start_vm_as_the_hook, stop_vm_as_the_hook  # noqa: E402
from page import Page  # noqa: E402

failed = 0
WIN10_UUID = "6f1c7e4a-2b9d-4c1e-9a53-0d7e8b2c4f11"


def check(what, condition, detail=""):
    global failed
    print(("ok   " if condition else "FAIL ") + what + ("" if condition else f": {detail}"), flush=True)
    failed += 0 if condition else 1


def expected_rows(listed):
    """The rows the page must show, from `vfioctl list --type all --json`: PCI functions by IOMMU group and address,
    each followed by what is below it (USB, SCSI, net, block, in that order)."""
    below = {}
    for kind, parent in (("usb", "pci_controller"), ("scsi", "pci_hba"), ("net", "pci_device"), ("block", "pci_device")):
        for entry in listed[kind]:
            if entry[parent]:
                below.setdefault(entry[parent], []).append(kind)
    order = sorted(listed["pci"], key=lambda d: (d["iommu_group"] is None, d["iommu_group"] or 0, d["address"]))
    rows = []
    for device in order:
        rows.append({"key": "pci:" + device["address"], "group": "none" if device["iommu_group"] is None else str(device["iommu_group"]),
                     "driver": device["driver"] or "none", "eligible": "true" if device["eligible"] else "false",
                     "reasons": [reason["detail"] for reason in device["ineligible_reasons"]],
                     "losses": (device["console_handoff"] or {}).get("host_loses", [])})
        rows += [{"type": kind} for kind in below.get(device["address"], [])]
    return rows


def frozen_host(root):
    """The workstation as it boots without an IOMMU: no IOMMU unit, no groups, no intel_iommu=on."""
    for path in glob.glob(f"{root}/sys/kernel/iommu_groups/*") + glob.glob(f"{root}/sys/class/iommu/*"):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    for link in glob.glob(f"{root}/sys/bus/pci/devices/*/iommu_group"):
        os.unlink(link)
    with open(f"{root}/proc/cmdline", "w") as cmdline:
        cmdline.write("BOOT_IMAGE=/vmlinuz-6.1.0-26-amd64 root=/dev/sda1 ro quiet\n")


def defined_pci_hostdevs(session, vm):
    done = session.as_user(["virsh", "-c", "qemu:///session", "dumpxml", vm, "--inactive"])
    addresses = []
    for address in ElementTree.fromstring(done.stdout).findall("./devices/hostdev/source/address"):
        addresses.append("%04x:%02x:%02x.%x" % tuple(int(address.get(k), 16) for k in ("domain", "bus", "slot", "function")))
    return sorted(addresses)


def workstation_checks(session, page):
    listed = session.vfioctl_json("list", "--type", "all")
    shown = page.rows()
    wanted = expected_rows(listed)
    check("the table has a row per PCI function and per device below one", len(shown) == len(wanted),
          f"{len(shown)} rows shown, {len(wanted)} in vfioctl list --json")
    same = all(all(row.get(k) == want[k] for k in want) for row, want in zip(shown, wanted))
    check("each row shows vfioctl's group, driver, eligibility and reasons, in group order", same,
          next((f"{row} != {want}" for row, want in zip(shown, wanted) if any(row.get(k) != want[k] for k in want)), ""))

    gpu = "0000:01:00.0"
    affected = session.vfioctl_json("affected", gpu)
    page.open_details(gpu)
    check("the details show the device's IOMMU group", page.text("affected-group") == str(affected["iommu_group"]))
    endpoints = [f"{d['address']} ({d['driver']})" for d in affected["endpoints"]]
    check("and every endpoint of the group as vfioctl affected lists them", page.items("affected-goes-to-the-vm") == endpoints,
          f"{page.items('affected-goes-to-the-vm')} != {endpoints}")

    page.assign("win10")
    check("the assign dialog showed the companions before confirming",
          page.last_companions == [d["address"] for d in affected["endpoints"]], page.last_companions)
    message = page.alert("success")
    check("the assign reports vfioctl's result", message == f"{', '.join(d['address'] for d in affected['endpoints'])} "
          "added to the definition of win10", message)
    check("a success notice goes away by itself", page.wait(lambda: not page.present("alert-success"), 20))
    check("the VM's definition holds the device and its companion",
          defined_pci_hostdevs(session, "win10") == sorted(d["address"] for d in affected["endpoints"]),
          defined_pci_hostdevs(session, "win10"))
    check("the table shows the VM on the device", "win10 (shut off, in its definition)" in page.row(gpu)["vms"],
          page.row(gpu))

    page.open_details(gpu)
    page.click("unassign-win10")
    page.alert("success")  # waits for the action to end
    check("take back removes the device and its companion from the definition",
          defined_pci_hostdevs(session, "win10") == [], defined_pci_hostdevs(session, "win10"))

    eligible = session.vfioctl_json("list", "--eligible")["pci"]
    page.filter(eligible_only=True)
    check("eligible only shows the PCI functions vfioctl list --eligible lists",
          [row["key"] for row in page.rows()] == [row["key"] for row in expected_rows({**listed, "pci": eligible})
                                                  if "key" in row], page.rows())
    page.filter(eligible_only=False, search="snd_hda_intel")
    check("the search finds a device by its driver", [row["key"] for row in page.rows()] == ["pci:0000:01:00.1"],
          page.rows())
    page.filter(search="")

    nic = "0000:03:00.0"
    refused = session.as_user([session.command, "bind", nic])
    page.open_details(nic)
    page.click("bind")
    message = page.alert_text("action-error")
    check("a refused bind shows vfioctl's own sentence in the dialog", refused.returncode != 0 and
          message == refused.stderr.strip().removeprefix("vfioctl: error: "), f"{message!r} / {refused.stderr!r}")
    check("and the dialog stays open", page.present("details") and not page.present("alert-danger"))

    page.open_details(gpu)
    session.marker("fail-message", "vfioctl: error: cannot connect to libvirt at qemu:///session: the daemon went away\n")
    session.marker("fail-assign")
    page.assign("win10")
    message = page.alert_text("action-error")
    check("a failed assign shows vfioctl's sentence in its dialog, which stays open",
          message == "cannot connect to libvirt at qemu:///session: the daemon went away" and page.present("assign-dialog"),
          message)
    page.close_dialog("assign-dialog")

    # What the hook does when libvirt starts a VM, as the page sees it: a driver moves, the VM's journal appears.
    root, nvme = session.hosts["workstation"], "0000:02:00.0"
    session.commands_run()
    start_vm_as_the_hook(root, "win10", WIN10_UUID, {nvme: "nvme"})
    check("a VM started shows on the table: the device on vfio-pci, held by the VM",
          page.wait(lambda: page.row(nvme)["driver"] == "vfio-pci" and page.row(nvme)["held"] == "win10 (was nvme)"),
          page.row(nvme))
    reread = session.commands_run()
    check("re-reading only what changed (who holds what, the device's group), not the whole host",
          "list" not in reread and "status" in reread and "affected" in reread, reread)
    stop_vm_as_the_hook(root, WIN10_UUID, {nvme: "nvme"})
    check("a VM stopped shows too: the device back on its driver, held by nobody",
          page.wait(lambda: page.row(nvme)["driver"] == "nvme" and page.row(nvme)["held"] == ""), page.row(nvme))
    check("again without listing the host", "list" not in session.commands_run())

    # A slow listing overtaken by a newer state: the page's listing reads the host before the VM starts and answers
    # 3 s late, with the old state; the page shows the newer one.
    session.marker("slow-list")
    page.driver.get(page.url)
    time.sleep(1.5)  # the slow listing has read the host
    # While it comes, the table says so without an animation: one would repaint the page every frame on the cores
    # the listing is read on.
    animations = "return document.getAnimations().filter(one => one.playState === 'running').length"
    check("while the listing comes, the table says so and nothing on the page animates",
          page.present("devices-reading") and page.driver.execute_script(animations) == 0,
          f"reading: {page.present('devices-reading')}, running animations: {page.driver.execute_script(animations)}")
    start_vm_as_the_hook(root, "win10", WIN10_UUID, {nvme: "nvme"})
    answered = page.wait(lambda: os.path.exists(f"{session.work}/slow-answered"), 15)
    time.sleep(0.5)
    check("the older, slower listing shows the newer state laid over it",
          answered and page.row(nvme)["driver"] == "vfio-pci" and page.row(nvme)["held"] == "win10 (was nvme)",
          f"answered: {answered}, {page.row(nvme)}")
    stop_vm_as_the_hook(root, WIN10_UUID, {nvme: "nvme"})
    check("and the newer one after it", page.wait(lambda: page.row(nvme)["held"] == "", 10), page.row(nvme))


def main():
    vfioctl, make_host, source = sys.argv[1:4]
    screenshots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
    session = CockpitSession(vfioctl, make_host, source)
    driver = None
    try:
        session.add_host("workstation", "workstation")
        session.add_host("frozen", "workstation", change=frozen_host)
        session.add_host("bench", "10000")
        session.define_vm("win10")
        session.use_host("workstation")
        session.start()
        driver = browser()
        page = Page(driver, session.page_url)
        page.load()
        if screenshots:
            driver.save_screenshot(f"{screenshots}/cockpit-workstation.png")
            page.scroll_to("0000:00:02.0")  # the boot GPU, eligible with a console hand-off (docs/GPU.md)
            driver.save_screenshot(f"{screenshots}/cockpit-boot-gpu.png")
            driver.execute_script("window.scrollTo(0, 0)")
        workstation_checks(session, page)

        session.use_host("frozen")
        page.load()
        check("a host without IOMMU shows as frozen", page.frozen(), page.summary())
        blocker = session.vfioctl_json("check")["blocker"]
        check("saying why, in vfioctl's own sentence (the one bind refuses with)", page.summary() == blocker,
              f"{page.summary()!r} != {blocker!r}")
        if screenshots:
            driver.save_screenshot(f"{screenshots}/cockpit-frozen.png")
        page.open_details("0000:01:00.0")
        check("binding actions are disabled there", page.disabled("bind") and page.disabled("persist"))

        session.use_host("workstation")
        session.marker("fail-message", "vfioctl: error: cannot read /etc/vfioctl/persist.d: Permission denied\n")
        session.marker("fail-persist")
        page.load()
        check("a failed read is shown with vfioctl's sentence, not as an empty answer",
              page.alert_text("persisted-error") == "What is claimed at boot cannot be read: cannot read "
              "/etc/vfioctl/persist.d: Permission denied", page.alert_text("persisted-error"))

        check("the page follows Cockpit's dark style", page.follows_dark_style(), page.background())

        session.use_host("bench")
        listed = session.vfioctl_json("list", "--type", "all")
        page.load()
        wanted = len(expected_rows(listed))
        check("a 10,000-function host is listed, one page at a time",
              page.count() == wanted and len(page.rows()) == 50, f"{page.count()} of {wanted}, {len(page.rows())} shown")
    finally:
        if driver:
            driver.quit()
        session.stop(keep=failed > 0)
        if failed:
            print(f"kept for a look: {session.work}")
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

// The host model: every device the host has, read once, with lookups between PCI functions and their children.
#pragma once

#include "console_hold.h"
#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"
#include "pci_facts.h"

#include <vector>

namespace vfioctl {

struct IommuGroup {
    int number = 0;
    std::vector<PciAddress> devices; // sorted
};

// A device's IOMMU group as passthrough sees it: the endpoints go together, the bridges stay with the host.
struct GroupMembers {
    const IommuGroup *group = nullptr; // null: the device has no group, and stands alone
    std::vector<const PciDevice *> endpoints;
    std::vector<const PciDevice *> bridges;
};

class Inventory {
public:
    std::vector<PciDevice> pci; // sorted by address
    std::vector<UsbDevice> usb;
    std::vector<ScsiDevice> scsi;
    std::vector<NetInterface> net;
    std::vector<BlockDevice> block;
    std::vector<SharedFilesystem> shares;
    std::vector<IommuGroup> groups; // sorted by number
    // Entries skipped because they could not be read ("/sys/class/block/loop9 skipped: ..."): what the listing
    // could not see, and so what a decision about the host's use of a device cannot rule out.
    // Linux 5.15 and later: a device without reset_method is one the kernel cannot reset.
    bool resetMethodsPublished = false;
    // What holds the host console (fbcon's vtconsoles, the firmware's framebuffers): read only when a boot VGA device
    // drives it, for what a console hand-off would release.
    ConsoleHold console;
    std::vector<std::string> notes;

    const PciDevice *findPci(const PciAddress &address) const;
    // Throws Error("no PCI device 0000:01:00.0 on this host") when absent.
    const PciDevice &requirePci(const PciAddress &address) const;
    const IommuGroup *findGroup(int number) const;
    const NetInterface *findNet(const std::string &name) const;
    // The one walk of an IOMMU group: every member of the device's group (the device alone when it has none).
    GroupMembers membersOf(const PciDevice &device) const;
    // The device and the other endpoints of its IOMMU group, bridges left out: what passing it through takes.
    // Throws Error for an absent device, a bridge, or a device without an existing IOMMU group.
    std::vector<PciAddress> groupEndpoints(const PciAddress &address) const;

    std::vector<const UsbDevice *> usbBelow(const PciAddress &controller) const;
    std::vector<const ScsiDevice *> scsiBelow(const PciAddress &hba) const;
    std::vector<const NetInterface *> netBelow(const PciAddress &device) const;
    std::vector<const BlockDevice *> blockBelow(const PciAddress &device) const;
    std::vector<const SharedFilesystem *> sharesBelow(const PciAddress &device) const;
};

// `facts`: what is read of each PCI function beyond what decisions need (a listing of some members reads less).
Inventory scanInventory(const HostRoot &host, const HardwareNames &names, PciFacts facts = PciFacts::all);
// Without hardware names: what every decision (eligibility, binding, assignment) needs, and no more (no names, and
// PCI functions without what only a listing shows: PciFacts::decisions).
Inventory scanInventory(const HostRoot &host);
// Only what passing `devices` through involves: the members of their IOMMU groups (as each group's devices/
// directory lists them), the children below those, and what belongs to no PCI device (bridges, dm, loop). Every
// decision about those members (eligibility, host use, reasons) is what a full scan gives (test_targeted_scan.cpp
// compares them on every device of the test and bench hosts); a device absent from the host is absent here too.
Inventory scanInventoryFor(const HostRoot &host, const HardwareNames &names, const std::vector<PciAddress> &devices);
// Without hardware names, as scanInventory(host): what the hook's VM start reads.
Inventory scanInventoryFor(const HostRoot &host, const std::vector<PciAddress> &devices);

} // namespace vfioctl

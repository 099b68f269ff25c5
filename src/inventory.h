// The host model: every device the host has, read once, with lookups between PCI functions and their children.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"

#include <vector>

namespace vfioctl {

struct IommuGroup {
    int number = 0;
    std::vector<PciAddress> devices; // sorted
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

    const PciDevice *findPci(const PciAddress &address) const;
    // Throws Error("no PCI device 0000:01:00.0 on this host") when absent.
    const PciDevice &requirePci(const PciAddress &address) const;
    const IommuGroup *findGroup(int number) const;
    const NetInterface *findNet(const std::string &name) const;
    // The device and the other endpoints of its IOMMU group, bridges left out: what passing it through takes.
    // Throws Error for an absent device, a bridge, or a device without IOMMU group.
    std::vector<PciAddress> groupEndpoints(const PciAddress &address) const;

    std::vector<const UsbDevice *> usbBelow(const PciAddress &controller) const;
    std::vector<const ScsiDevice *> scsiBelow(const PciAddress &hba) const;
    std::vector<const NetInterface *> netBelow(const PciAddress &device) const;
    std::vector<const BlockDevice *> blockBelow(const PciAddress &device) const;
    std::vector<const SharedFilesystem *> sharesBelow(const PciAddress &device) const;
};

Inventory scanInventory(const HostRoot &host, const HardwareNames &names);

} // namespace vfioctl

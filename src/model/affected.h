// Everything that goes with a PCI function when it is passed through: its IOMMU group and all their children.
#pragma once

#include "inventory.h"

#include <optional>
#include <vector>

namespace vfioctl {

struct AffectedDevices {
    PciAddress requested;
    std::optional<int> group;
    std::vector<const PciDevice *> endpoints;        // move to vfio-pci, the requested device among them
    std::vector<const PciDevice *> bridges;          // stay on their host driver
    std::vector<const PciDevice *> virtualFunctions; // of an SR-IOV PF among the endpoints: they go away with it
    std::vector<const UsbDevice *> usb;
    std::vector<const ScsiDevice *> scsi;
    std::vector<const NetInterface *> net;
    std::vector<const BlockDevice *> block;
};

// Throws Error when the device is not on this host. Without an IOMMU group only the device itself is affected.
AffectedDevices affectedDevices(const Inventory &inventory, const PciAddress &address);

} // namespace vfioctl

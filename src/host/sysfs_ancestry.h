// Finding the PCI device above any sysfs device, from its canonical /sys/devices path.
#pragma once

#include "pci_address.h"

#include <optional>
#include <string_view>

namespace vfioctl {

// The last PCI address among the path's components, skipping the last `skipTrailing` components.
// "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1" gives 0000:00:14.0.
std::optional<PciAddress> nearestPciAncestor(std::string_view canonicalPath, int skipTrailing = 0);

} // namespace vfioctl

// Hardware names for a captured tree, from the tree's own database: never from this host's.
#pragma once

#include "hardware_names.h"
#include "host_root.h"

#include <memory>

namespace vfioctl {

// PCI names from the tree's pci.ids (/usr/share/misc/pci.ids or /usr/share/hwdata/pci.ids, read inside the tree)
// through libpci, the library lspci uses; Debian 12's libudev reads only this machine's hwdb.bin, so the tree's hwdb
// cannot be asked. USB devices keep the names they report themselves. No pci.ids in the tree (or no libpci): no
// names at all.
std::unique_ptr<HardwareNames> openTreeHardwareNames(const HostRoot &tree);

} // namespace vfioctl

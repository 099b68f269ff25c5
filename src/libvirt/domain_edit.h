// Adding and removing PCI hostdevs in a libvirt domain XML, leaving everything else as it was.
#pragma once

#include "pci_address.h"

#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// <hostdev mode='subsystem' type='pci' managed='yes'><source><address .../></source></hostdev>
std::string pciHostdevXml(const PciAddress &device);
// The domain XML with a managed PCI hostdev appended to <devices> for each device not already there.
std::string withPciHostdevs(std::string_view domainXml, const std::vector<PciAddress> &devices);
// The domain XML without any <hostdev type='pci'> or <interface type='hostdev'> whose source is one of `devices`.
std::string withoutPciHostdevs(std::string_view domainXml, const std::vector<PciAddress> &devices);

} // namespace vfioctl

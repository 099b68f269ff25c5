// Reads every PCI function the kernel knows from /sys/bus/pci/devices.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

// A device that cannot be read is skipped with a note in `notes`.
std::vector<PciDevice> scanPciDevices(const HostRoot &host, const HardwareNames &names,
                                      std::vector<std::string> &notes);
// One device, or nothing when the address is not on this host.
std::optional<PciDevice> readPciDevice(const HostRoot &host, const HardwareNames &names, const PciAddress &address);
// The driver bound to a device now ("" for none): cheap enough to poll while binding.
std::string currentDriver(const HostRoot &host, const PciAddress &address);
std::string pciDevicePath(const PciAddress &address);

} // namespace vfioctl

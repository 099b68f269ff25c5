// What sysfs says about one PCI function, but its names.
#pragma once

#include "devices.h"
#include "host_root.h"

#include <optional>

namespace vfioctl {

// What reading a PCI function takes in. `decisions` leaves out what only a listing shows (revision, NUMA node, the
// bridge above) and tries each attribute instead of listing the directory first: no decision about binding or host
// use looks at those three, and a VM start saves their reads and the listing a function.
enum class PciFacts { all, decisions };

// Safe to call from several threads at once (the hardware database is not, and names are looked up afterwards).
// `devices` is /sys/bus/pci/devices, opened once per scan. Nothing when the device is not there.
std::optional<PciDevice> readPciFacts(const HostRoot &host, const HostDirectory &devices, const PciAddress &address,
                                      PciFacts facts);

} // namespace vfioctl

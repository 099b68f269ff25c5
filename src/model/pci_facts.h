// What sysfs says about one PCI function, but its names.
#pragma once

#include "devices.h"
#include "host_root.h"

#include <optional>

namespace vfioctl {

// What reading a PCI function takes in beyond what every decision about it reads (ids, driver, IOMMU group, SR-IOV,
// reset methods, boot VGA). `all` is a listing's. `decisions` leaves out what only a listing shows (revision, NUMA
// node, the bridge above) and tries each attribute instead of listing the directory first: no decision about binding
// or host use looks at those three, and a VM start saves their reads and the listing a function. A listing that shows
// only some members (list --json --fields) leaves out the reads of the members it does not show (pciFactsShowing).
struct PciFacts {
    bool revision = true;
    bool numaNode = true;
    bool parent = true;
    bool driverOverride = true; // decisions read it: the journal keeps a device's override to give it back
    bool listsDirectory = true; // false: each attribute is tried (DeviceEntries::tried)

    static const PciFacts all;
    static const PciFacts decisions;
};

inline constexpr PciFacts PciFacts::all{};
inline constexpr PciFacts PciFacts::decisions{
    .revision = false, .numaNode = false, .parent = false, .driverOverride = true, .listsDirectory = false};

// Safe to call from several threads at once (the hardware database is not, and names are looked up afterwards).
// `devices` is /sys/bus/pci/devices, opened once per scan. Nothing when the device is not there.
std::optional<PciDevice> readPciFacts(const HostRoot &host, const HostDirectory &devices, const PciAddress &address,
                                      PciFacts facts);

} // namespace vfioctl

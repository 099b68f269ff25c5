// How much of the host a scan reads: all of it (list, check), or only what passing some devices through involves
// (the hook, bind, affected): their IOMMU groups' members, the children below those (net, block, USB, SCSI), and
// what belongs to no PCI device at all (bridges, device-mapper, loop), which host-use decisions may need.
#pragma once

#include "host_root.h"
#include "pci_address.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

class ScanScope {
public:
    ScanScope() = default; // the whole host
    explicit ScanScope(std::set<PciAddress> devices) : devices_(std::move(devices)) {}

    bool whole() const { return !devices_; }
    bool contains(const PciAddress &address) const { return !devices_ || devices_->count(address) > 0; }
    const std::set<PciAddress> &devices() const { return *devices_; }
    // An entry of a class or bus directory (a link into /sys/devices): read it? Yes for the whole host, for an entry
    // whose device path runs through one of the scope's PCI devices, and for one below no PCI device. One readlink.
    bool wants(const HostRoot &host, std::string_view directory, const std::string &entry) const;

private:
    std::optional<std::set<PciAddress>> devices_;
};

} // namespace vfioctl

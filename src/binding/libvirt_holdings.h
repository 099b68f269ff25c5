// libvirt as an owner: devices a running VM holds by libvirt's own record (its live XML), which vfioctl's journals do
// not list when libvirt gave them without our hook (`virsh attach-device`, a hostdev with managed='no' attached to a
// device bound by hand). The CLI asks libvirt; the hook never does (it runs inside a libvirt call). Asked before the
// host lock is taken: a VM starting now holds its domain in libvirt while its hook waits for our lock.
#pragma once

#include "owner.h"
#include "pci_address.h"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace vfioctl {

struct LibvirtHolding {
    std::string vm;   // its name, for messages
    std::string uuid; // canonical
};

struct LibvirtHoldings {
    std::map<PciAddress, LibvirtHolding> running; // in a running VM's live XML
    std::optional<std::string> unknownBecause{};  // libvirt could not be asked, and why
};

using LibvirtAsker = std::function<LibvirtHoldings()>;

// Refuses (Error, EBUSY) a device a running VM holds by libvirt's record, unless forced or unless `owner` is that VM
// (then vfioctl's own record of it decides).
void refuseLibvirtHolder(const LibvirtHoldings &libvirt, const PciAddress &device, const std::optional<Owner> &owner,
                         bool forced);

} // namespace vfioctl

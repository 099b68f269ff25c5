#include "libvirt_holdings.h"

#include "error.h"

namespace vfioctl {

void refuseLibvirtHolder(const LibvirtHoldings &libvirt, const PciAddress &device, const std::optional<Owner> &owner,
                         bool forced)
{
    auto found = libvirt.running.find(device);
    if (forced || found == libvirt.running.end())
        return;
    const LibvirtHolding &holding = found->second;
    if (owner && owner->isVm() && owner->uuid() == holding.uuid)
        return;
    throw Error(device.str() + " is held by running VM '" + holding.vm +
                    "' through libvirt (its live definition lists it); detach it from that VM first, or use --force "
                    "and the VM loses it while it runs",
                EBUSY);
}

} // namespace vfioctl

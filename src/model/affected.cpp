#include "affected.h"

namespace vfioctl {

namespace {

template <typename T> void append(std::vector<T> &to, std::vector<T> from)
{
    to.insert(to.end(), from.begin(), from.end());
}

} // namespace

AffectedDevices affectedDevices(const Inventory &inventory, const PciAddress &address)
{
    const PciDevice &requested = inventory.requirePci(address);
    AffectedDevices affected;
    affected.requested = address;
    affected.group = requested.iommuGroup;

    const GroupMembers members = inventory.membersOf(requested);
    affected.bridges = members.bridges;
    affected.endpoints = members.endpoints;
    for (const PciDevice *endpoint : members.endpoints) {
        for (const auto &vf : endpoint->virtualFunctions)
            if (const PciDevice *function = inventory.findPci(vf))
                affected.virtualFunctions.push_back(function);
        append(affected.usb, inventory.usbBelow(endpoint->address));
        append(affected.scsi, inventory.scsiBelow(endpoint->address));
        append(affected.net, inventory.netBelow(endpoint->address));
        append(affected.block, inventory.blockBelow(endpoint->address));
    }
    return affected;
}

} // namespace vfioctl

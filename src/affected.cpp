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

    std::vector<PciAddress> members{address};
    if (requested.iommuGroup)
        if (const IommuGroup *group = inventory.findGroup(*requested.iommuGroup))
            members = group->devices;

    for (const auto &member : members) {
        const PciDevice *device = inventory.findPci(member);
        if (!device)
            continue;
        if (device->isBridge()) {
            affected.bridges.push_back(device);
            continue;
        }
        affected.endpoints.push_back(device);
        append(affected.usb, inventory.usbBelow(member));
        append(affected.scsi, inventory.scsiBelow(member));
        append(affected.net, inventory.netBelow(member));
        append(affected.block, inventory.blockBelow(member));
    }
    return affected;
}

} // namespace vfioctl

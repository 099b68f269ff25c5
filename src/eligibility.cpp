#include "eligibility.h"

#include "sysfs_value.h"

namespace vfioctl {

namespace {

void addNetworkUses(const Inventory &inventory, const NetInterface &interface, std::vector<std::string> &uses)
{
    if (!interface.addresses.empty())
        uses.push_back("network interface " + interface.name + " has address " + joinWith(interface.addresses, ", "));
    if (interface.defaultRoute)
        uses.push_back("network interface " + interface.name + " carries the default route");
    // A NIC enslaved to a bridge or bond carries the master's traffic even without an address of its own.
    if (const NetInterface *master = interface.master.empty() ? nullptr : inventory.findNet(interface.master)) {
        if (!master->addresses.empty() || master->defaultRoute)
            uses.push_back(
                "network interface " + interface.name + " is part of " + master->name +
                (master->addresses.empty() ? "" : ", which has address " + joinWith(master->addresses, ", ")));
    }
}

bool drivesConsole(const PciDevice &device)
{
    return device.bootVga && !device.driver.empty() && device.driver != "vfio-pci";
}

} // namespace

std::string kindName(IneligibleKind kind)
{
    switch (kind) {
    case IneligibleKind::Bridge: return "bridge";
    case IneligibleKind::NoIommuGroup: return "no-iommu-group";
    case IneligibleKind::BootVga: return "boot-vga";
    case IneligibleKind::UsedByHost: return "used-by-host";
    case IneligibleKind::GroupMemberUsed: return "group-member-used-by-host";
    case IneligibleKind::HeldByVm: return "held-by-vm";
    }
    return "unknown";
}

std::vector<std::string> hostUsesOf(const Inventory &inventory, const PciDevice &device)
{
    std::vector<std::string> uses;
    for (const NetInterface *interface : inventory.netBelow(device.address))
        addNetworkUses(inventory, *interface, uses);
    for (const BlockDevice *disk : inventory.blockBelow(device.address))
        for (const auto &use : disk->uses)
            uses.push_back(use.description);
    for (const SharedFilesystem *share : inventory.sharesBelow(device.address))
        for (const auto &point : share->mountPoints)
            uses.push_back("shared filesystem " + share->tag + " mounted at " + point);
    return uses;
}

Eligibility assessEligibility(const Inventory &inventory, const PciDevice &device)
{
    Eligibility result;
    if (device.isBridge()) {
        result.reasons.push_back({IneligibleKind::Bridge, "bridge (class 0x06) stays with the host"});
        return result;
    }
    if (!device.iommuGroup)
        result.reasons.push_back({IneligibleKind::NoIommuGroup, "no IOMMU group (the IOMMU is off or not supported)"});
    if (drivesConsole(device))
        result.reasons.push_back(
            {IneligibleKind::BootVga, "boot VGA device showing the host console (driver " + device.driver + ")"});
    for (auto &use : hostUsesOf(inventory, device))
        result.reasons.push_back({IneligibleKind::UsedByHost, std::move(use)});

    if (!device.iommuGroup)
        return result;
    if (const IommuGroup *group = inventory.findGroup(*device.iommuGroup)) {
        for (const auto &address : group->devices) {
            const PciDevice *member = inventory.findPci(address);
            if (!member || address == device.address || member->isBridge())
                continue;
            auto uses = hostUsesOf(inventory, *member);
            if (drivesConsole(*member))
                uses.insert(uses.begin(), "it is the boot VGA device showing the host console");
            if (!uses.empty())
                result.reasons.push_back({IneligibleKind::GroupMemberUsed,
                                          "shares IOMMU group " + std::to_string(group->number) + " with " +
                                              address.str() + ", which the host uses: " + joinWith(uses, ", ")});
        }
    }
    return result;
}

} // namespace vfioctl

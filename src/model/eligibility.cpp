#include "eligibility.h"

#include "sysfs_value.h"

#include <algorithm>

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

ConsoleHandoffNeed handoffNeed(const Inventory &inventory, const PciDevice &gpu)
{
    ConsoleHandoffNeed need{gpu.address, {"the host console on " + gpu.address.str() + " (driver " + gpu.driver + ")"}};
    for (auto &released : describeHold(inventory.console))
        need.hostLoses.push_back(std::move(released));
    need.hostLoses.push_back("the units the VM's policy stops (<vfioctl:stop>), until it stops");
    return need;
}

} // namespace

std::string hostConsoleLoss(const PciDevice &gpu)
{
    return "boot VGA device showing the host console (driver " + gpu.driver + ")";
}

std::string sriovParentReason(const PciDevice &device)
{
    const size_t count =
        std::max(device.virtualFunctions.size(), static_cast<size_t>(device.sriov ? device.sriov->enabled : 0));
    return "SR-IOV physical function with " + std::to_string(count) + " virtual function" + (count == 1 ? "" : "s") +
           " enabled (" + joinAddresses(device.virtualFunctions) +
           "), which go away with it; set its VF count to 0 first ('vfioctl sriov " + device.address.str() + " 0')";
}

std::string kindName(IneligibleKind kind)
{
    switch (kind) {
    case IneligibleKind::Bridge: return "bridge";
    case IneligibleKind::NoIommuGroup: return "no-iommu-group";
    case IneligibleKind::UsedByHost: return "used-by-host";
    case IneligibleKind::GroupMemberUsed: return "group-member-used-by-host";
    case IneligibleKind::HeldByVm: return "held-by-vm";
    case IneligibleKind::SriovParent: return "sriov-pf-with-vfs";
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

std::vector<std::string> hostLosses(const Inventory &inventory, const PciDevice &device)
{
    std::vector<std::string> losses;
    if (device.showsHostConsole())
        losses.push_back(hostConsoleLoss(device));
    for (auto &reason : assessEligibility(inventory, device).reasons)
        if (reason.kind == IneligibleKind::UsedByHost)
            losses.push_back(std::move(reason.detail));
    return losses;
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
    if (device.hasEnabledVfs())
        result.reasons.push_back({IneligibleKind::SriovParent, sriovParentReason(device)});
    if (device.showsHostConsole())
        result.handoff = handoffNeed(inventory, device);
    for (auto &use : hostUsesOf(inventory, device))
        result.reasons.push_back({IneligibleKind::UsedByHost, std::move(use)});
    if (hasNoResetMethod(inventory, device))
        result.notes.push_back(std::string(noResetNote));

    const GroupMembers members = inventory.membersOf(device);
    if (device.iommuGroup && !members.group)
        result.reasons.push_back({IneligibleKind::NoIommuGroup, "IOMMU group " + std::to_string(*device.iommuGroup) +
                                                                    " does not exist under /sys/kernel/iommu_groups"});
    if (!members.group)
        return result;
    for (const PciDevice *member : members.endpoints) {
        if (member == &device)
            continue;
        auto uses = hostUsesOf(inventory, *member);
        if (member->showsHostConsole())
            result.handoff = handoffNeed(inventory, *member);
        if (!uses.empty())
            result.reasons.push_back({IneligibleKind::GroupMemberUsed,
                                      "shares IOMMU group " + std::to_string(members.group->number) + " with " +
                                          member->address.str() + ", which the host uses: " + joinWith(uses, ", ")});
    }
    return result;
}

bool hasNoResetMethod(const Inventory &inventory, const PciDevice &device)
{
    return device.resetMethods.empty() && (device.resetMethodsKnown || inventory.resetMethodsPublished);
}

} // namespace vfioctl

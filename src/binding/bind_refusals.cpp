#include "bind_refusals.h"

#include "eligibility.h"
#include "error.h"
#include "node_holders.h"
#include "sysfs_value.h"

#include <algorithm>
#include <cerrno>

namespace vfioctl {

// The endpoints to bind, grouped by IOMMU group, after refusing bridges, group-less devices and (without
// --force) devices the host uses.
std::map<int, std::vector<PciAddress>> plannedGroups(const Inventory &inventory, const BindRequest &request)
{
    std::map<int, std::vector<PciAddress>> groups;
    for (const auto &address : request.devices) {
        std::vector<PciAddress> endpoints = inventory.groupEndpoints(address);
        groups.emplace(*inventory.requirePci(address).iommuGroup, std::move(endpoints));
    }
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints)
            if (const PciDevice &device = inventory.requirePci(address);
                device.showsHostConsole() && request.console == ConsoleHandoff::No && request.force == Force::No)
                throw Error("refusing to bind " + address.str() + " (IOMMU group " + std::to_string(number) +
                                "): it is the " + hostConsoleLoss(device) + "; " + request.handoffHint,
                            EBUSY);
    if (request.force == Force::Yes)
        return groups;
    // What could not be read may be a disk that is mounted or a NIC with an address: never guess that it is not.
    if (!inventory.notes.empty())
        throw Error("refusing to bind " + joinAddresses(request.devices) +
                        ": what the host uses cannot be read in full (" + inventory.notes.front() + "); " +
                        request.hostUseHint,
                    EIO);
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints)
            if (auto losses = hostUsesOf(inventory, inventory.requirePci(address)); !losses.empty())
                throw Error("refusing to bind " + address.str() + " (IOMMU group " + std::to_string(number) +
                                "): the host uses it: " + joinWith(losses, ", ") + "; " + request.hostUseHint,
                            EBUSY);
    return groups;
}

// A PF whose VFs exist never moves (vfio-pci refuses it, and its host driver's unbind destroys every VF): refused
// at once, whatever --force says, naming the VFs and who holds them.
void refuseSriovParents(const Inventory &inventory, const std::map<int, std::vector<PciAddress>> &groups,
                        const std::vector<Journal> &journals)
{
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints) {
            const PciDevice &device = inventory.requirePci(address);
            if (!device.hasEnabledVfs())
                continue;
            std::vector<std::string> held;
            for (const auto &vf : device.virtualFunctions)
                for (const auto &journal : journals)
                    if (journal.find(vf))
                        held.push_back(vf.str() + " held by " + journal.owner.describe());
            throw Error("refusing to bind " + address.str() + " (IOMMU group " + std::to_string(number) +
                            "): it is an " + sriovParentReason(device) +
                            (held.empty() ? "" : "; " + joinWith(held, ", ")),
                        EBUSY);
        }
}

const Journal *activeHolder(const std::vector<Journal> &journals, const PciAddress &address)
{
    const Journal *found = nullptr;
    for (const auto &journal : journals)
        if (journal.find(address) && (!found || journal.owner.isVm()))
            found = &journal;
    return found;
}

void refuseOtherOwners(const std::vector<Journal> &journals, const Owner &owner,
                       const std::map<int, std::vector<PciAddress>> &groups)
{
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints) {
            const Journal *holder = activeHolder(journals, address);
            if (!holder || holder->owner == owner)
                continue;
            if (owner.isVm() && holder->owner == Owner::persist())
                continue; // the pool lends it: back to vfio-pci and the pool when the VM stops
            const std::string how = holder->owner.isVm() ? "it goes back when that VM stops"
                                                         : "give it back first with 'vfioctl restore " +
                                                               holder->owner.restoreArgument() + "'";
            throw Error(address.str() + " (IOMMU group " + std::to_string(number) + ") is held by " +
                            holder->owner.describe() + "; " + how,
                        EBUSY);
        }
}

std::optional<Journal> previousJournal(const std::vector<Journal> &journals, const Owner &owner)
{
    for (const auto &journal : journals)
        if (journal.owner == owner)
            return journal;
    return std::nullopt;
}

std::optional<std::string> openNodesRefusal(const HostRoot &host, const Inventory &inventory,
                                            const std::map<int, std::vector<PciAddress>> &groups)
{
    struct WithNodes {
        PciAddress address;
        int group;
        const PciDevice *device;
        std::vector<std::string> nodes;
    };
    std::vector<WithNodes> published;
    std::vector<std::string> nodes;
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints) {
            const PciDevice *device = inventory.findPci(address);
            if (!device || device->driver.empty() || device->driver == vfioDriver)
                continue;
            auto own = deviceNodesOf(host, address, device->driver, device->publishesNodes);
            if (own.empty())
                continue;
            nodes.insert(nodes.end(), own.begin(), own.end());
            published.push_back({address, number, device, std::move(own)});
        }
    const auto holders = nodeHolders(host, nodes); // /proc is read once, and only when some device has nodes
    for (const auto &candidate : published) {
        std::vector<NodeHolder> its;
        for (const auto &holder : holders)
            if (std::find(candidate.nodes.begin(), candidate.nodes.end(), holder.node) != candidate.nodes.end())
                its.push_back(holder);
        if (!its.empty())
            return "refusing to bind " + candidate.address.str() + " (IOMMU group " + std::to_string(candidate.group) +
                   "): its device nodes are open, so " + candidate.device->driver +
                   " would not let it go: " + describeHolders(its) +
                   "; stop them first (a desktop: the display manager and the user's session" +
                   (candidate.device->showsHostConsole() ? ", which a VM's <vfioctl:stop unit=.../> can stop" : "") +
                   ")";
    }
    return std::nullopt;
}

} // namespace vfioctl

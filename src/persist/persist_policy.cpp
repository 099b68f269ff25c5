#include "persist_policy.h"

#include "bind_refusals.h"
#include "eligibility.h"
#include "error.h"
#include "inventory.h"
#include "pci_scanner.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

namespace {

std::vector<const PciDevice *> presentMatches(const Inventory &inventory, const PersistEntry &entry)
{
    std::vector<const PciDevice *> matches;
    for (const auto &device : inventory.pci)
        if (entry.matches(device.address, device.identity()) && !device.isBridge())
            matches.push_back(&device);
    return matches;
}

// An address stands for every endpoint of its IOMMU group: passthrough needs them all on vfio-pci, at boot as now.
// An id stands for itself. An address that is no endpoint with a group is an error (Lone::Refused: persist), or
// itself (Lone::Itself: unpersist, which must be able to remove a marker for a device that is gone).
enum class Lone { Refused, Itself };
std::vector<PersistEntry> expandGroups(const Inventory &inventory, const PersistEntry &entry, Lone lone)
{
    if (!entry.address)
        return {entry};
    const PciDevice *device = inventory.findPci(*entry.address);
    if (lone == Lone::Itself && (!device || device->isBridge() || !inventory.membersOf(*device).group))
        return {entry};
    std::vector<PersistEntry> group;
    // Each with what it is now: the marker claims this device, not whatever sits at its address after a swap.
    for (const auto &member : inventory.groupEndpoints(*entry.address))
        group.push_back({member, 0, 0, inventory.requirePci(member).identity()});
    return group;
}

bool coveredBy(const std::vector<PersistEntry> &entries, const PciDevice &device)
{
    return std::any_of(entries.begin(), entries.end(),
                       [&](const PersistEntry &entry) { return entry.matches(device.address, device.identity()); });
}

} // namespace

std::optional<ClaimRefusal> firstClaimRefusal(const Inventory &inventory, const std::vector<PciAddress> &devices,
                                              Force force)
{
    for (const auto &address : devices)
        if (const PciDevice &device = inventory.requirePci(address); device.hasEnabledVfs())
            return ClaimRefusal{address, sriovParentReason(device), false};
    if (force == Force::No)
        for (const auto &address : devices)
            if (auto losses = hostLosses(inventory, inventory.requirePci(address)); !losses.empty())
                return ClaimRefusal{address, losses.front(), true};
    return std::nullopt;
}

std::vector<PersistedTarget> Persister::list() const
{
    const Inventory inventory = scanInventory(host_);
    std::vector<PersistedTarget> targets;
    for (const auto &entry : PersistStore(host_).list()) {
        PersistedTarget target{entry, {}};
        for (const PciDevice *device : presentMatches(inventory, entry))
            target.present.push_back({device->address, device->driver});
        if (entry.address && entry.identity)
            if (const PciDevice *now = inventory.findPci(*entry.address); now && now->identity() != *entry.identity)
                target.foundInstead = now->identity();
        targets.push_back(std::move(target));
    }
    return targets;
}

PersistReport Persister::persist(const std::vector<PersistEntry> &targets, Force force, ApplyNow now)
{
    const Inventory inventory = scanInventory(host_);
    std::vector<PersistEntry> entries;
    std::vector<PciAddress> toBind;
    for (const auto &target : targets)
        for (const auto &entry : expandGroups(inventory, target, Lone::Refused)) {
            entries.push_back(entry);
            for (const PciDevice *device : presentMatches(inventory, entry))
                toBind.push_back(device->address);
        }
    if (auto refusal = firstClaimRefusal(inventory, toBind, force))
        throw Error("refusing to persist " + refusal->device.str() +
                        (refusal->hostUse ? ": the host uses it: " + refusal->reason +
                                                "; use --force to claim it from the next boot anyway"
                                          : ": it is an " + refusal->reason),
                    EBUSY);

    PersistReport report;
    PersistStore store(host_);
    for (const auto &entry : entries)
        if (store.add(entry)) // false for one already there, so a repeated target is added once
            report.added.push_back(entry.text());
    if (now == ApplyNow::No || toBind.empty())
        return report;
    BindRequest request{Owner::persist(), toBind, force};
    report.boundNow = engine_.bind(request).endpoints;
    for (const auto &endpoint : report.boundNow)
        if (!coveredBy(entries, inventory.requirePci(endpoint)))
            report.uncovered.push_back(endpoint);
    return report;
}

UnpersistReport Persister::unpersist(const std::vector<PersistEntry> &targets, ApplyNow now)
{
    const Inventory inventory = scanInventory(host_);
    PersistStore store(host_);
    UnpersistReport report;
    std::vector<PciAddress> present;
    for (const auto &target : targets)
        for (const auto &entry : expandGroups(inventory, target, Lone::Itself)) {
            if (store.remove(entry))
                report.removed.push_back(entry.text());
            for (const PciDevice *device : presentMatches(inventory, entry))
                present.push_back(device->address);
        }
    if (now == ApplyNow::No || present.empty())
        return report;

    giveBackUnheld(present, report);
    return report;
}

void Persister::giveBackUnheld(const std::vector<PciAddress> &present, UnpersistReport &report)
{
    const std::vector<Journal> journals = engine_.status(); // read once, not once per device
    std::vector<PciAddress> leaving;
    for (const auto &address : present) {
        const Journal *holder = activeHolder(journals, address);
        if (holder && holder->owner != Owner::persist())
            report.heldByVms.push_back(address); // to its own driver when that VM stops
        else if (holder || currentDriver(host_, address) == std::string(vfioDriver))
            leaving.push_back(address); // recorded by persist, wherever it is now (it may have gone and come back)
    }
    leaving.insert(leaving.end(), report.heldByVms.begin(), report.heldByVms.end());
    if (leaving.empty())
        return;
    const GiveBackReport back = engine_.leavePool(leaving);
    report.givenBack = back.givenBack;
    if (!back.complete())
        throw Error("unpersisted, but " + back.problems(), EIO);
}

} // namespace vfioctl

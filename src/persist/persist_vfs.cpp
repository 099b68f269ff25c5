// persist --vfs-of PF: the Persister's policy for the VFs of a physical function, present now or made at boot.
#include "persist_policy.h"

#include "eligibility.h"
#include "error.h"
#include "inventory.h"
#include "pci_scanner.h"

#include <algorithm>

namespace vfioctl {

namespace {

const PciDevice &requirePf(const Inventory &inventory, const PciAddress &pf)
{
    const PciDevice &device = inventory.requirePci(pf);
    if (!device.sriov)
        throw Error(pf.str() + " is not an SR-IOV physical function (it has no sriov_totalvfs)", EINVAL);
    return device;
}

bool contains(const std::vector<PciAddress> &addresses, const PciAddress &address)
{
    return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

// The VFs present now and their IOMMU group companions: what passing them through takes now. A companion that is a
// PF with VFs cannot go (its VFs would go with it).
std::vector<PciAddress> presentWithCompanions(const Inventory &inventory, const PciDevice &pf, Force force)
{
    std::vector<PciAddress> devices;
    for (const auto &vf : pf.virtualFunctions) {
        const PciDevice *function = inventory.findPci(vf);
        if (!function)
            continue;
        const std::vector<PciAddress> members =
            inventory.membersOf(*function).group ? inventory.groupEndpoints(vf) : std::vector<PciAddress>{vf};
        for (const auto &member : members)
            if (!contains(devices, member))
                devices.push_back(member);
    }
    if (auto refusal = firstClaimRefusal(inventory, devices, force))
        throw Error("refusing to persist the VFs of " + pf.address.str() +
                        (refusal->hostUse
                             ? ": the host uses " + refusal->device.str() + ": " + refusal->reason +
                                   "; use --force to claim it anyway"
                             : ": they share an IOMMU group with " + refusal->device.str() + ", an " + refusal->reason),
                    EBUSY);
    return devices;
}

// While a PF's VFs are claimed for vfio-pci, the kernel must not probe their own driver as they appear: that probe
// races the claim udev makes at their add, and a VF taken by it (or left driverless when it fails) is not on vfio-pci.
// A VF with driver_override set still probes, so the claim binds it; the kernel's default (1) returns at every boot
// or hotplug of the PF, where the udev rule sets it again for a claimed one (udev-rules/40-vfioctl-persist.rules).
enum class Autoprobe { Off, On };
void setVfAutoprobe(HostRoot &host, const PciAddress &pf, Autoprobe autoprobe)
{
    const std::string path = joinPath(pciDevicePath(pf), "sriov_drivers_autoprobe");
    if (host.exists(path)) // a kernel before 4.12 has no such switch
        host.write(path, autoprobe == Autoprobe::On ? "1" : "0");
}

} // namespace

std::vector<PersistedVfs> Persister::listVfClaims() const
{
    const Inventory inventory = scanInventory(host_);
    std::vector<PersistedVfs> listed;
    for (auto &claim : SriovPersistStore(host_).claims()) {
        PersistedVfs entry{claim, {}};
        for (const auto &vf : claim.vfs)
            if (const PciDevice *device = inventory.findPci(vf))
                entry.present.push_back({vf, device->driver});
        listed.push_back(std::move(entry));
    }
    return listed;
}

PersistReport Persister::persistVfsOf(const PciAddress &pf, Force force, ApplyNow now)
{
    const Inventory inventory = scanInventory(host_);
    const PciDevice &device = requirePf(inventory, pf);
    ClaimedVfs claim{pf, possibleVirtualFunctions(host_, pf)};
    // A driver may place VFs elsewhere than the offset the PF shows for its current count: the present ones count.
    for (const auto &vf : device.virtualFunctions)
        if (!contains(claim.vfs, vf))
            claim.vfs.push_back(vf);
    if (claim.vfs.empty())
        throw Error(pf.str() + " can make no VF (sriov_totalvfs is 0)", EINVAL);
    const std::vector<PciAddress> toBind = presentWithCompanions(inventory, device, force);

    PersistReport report;
    if (SriovPersistStore(host_).claim(claim))
        report.added.push_back("the " + std::to_string(claim.vfs.size()) + " VFs " + pf.str() + " can make");
    setVfAutoprobe(host_, pf,
                   Autoprobe::Off); // follows the markers, which udev honours from now on, --boot-only or not
    if (now == ApplyNow::No || toBind.empty())
        return report;
    report.boundNow = engine_.bind({Owner::persist(), toBind, force}).endpoints;
    for (const auto &endpoint : report.boundNow)
        if (!contains(claim.vfs, endpoint))
            report.uncovered.push_back(endpoint);
    return report;
}

UnpersistReport Persister::unpersistVfsOf(const PciAddress &pf, ApplyNow now)
{
    UnpersistReport report;
    auto claim = SriovPersistStore(host_).unclaim(pf);
    if (!claim)
        return report;
    report.removed.push_back("the VFs of " + pf.str());
    setVfAutoprobe(host_, pf, Autoprobe::On);
    if (now == ApplyNow::No)
        return report;
    const Inventory inventory = scanInventory(host_);
    std::vector<PciAddress> present;
    for (const auto &vf : claim->vfs)
        if (inventory.findPci(vf))
            present.push_back(vf);
    giveBackUnheld(present, report);
    return report;
}

} // namespace vfioctl

#include "sriov.h"

#include "eligibility.h"
#include "error.h"
#include "pci_scanner.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

namespace {

std::string numVfsPath(const PciAddress &pf)
{
    return joinPath(pciDevicePath(pf), "sriov_numvfs");
}

// What losing a VF costs, as sentences: who holds it, what the host does with it.
std::vector<std::string> lossesOf(const VfState &vf)
{
    std::vector<std::string> losses;
    if (vf.heldBy)
        losses.push_back(vf.address.str() + " is held by " + vf.heldBy->describe());
    for (const auto &use : vf.hostUses)
        losses.push_back(vf.address.str() + ": " + use);
    return losses;
}

} // namespace

SriovState SriovControl::state(const PciAddress &pf) const
{
    const Inventory inventory = scanInventoryFor(host_, {pf}); // its VFs come with it
    const PciDevice &device = inventory.requirePci(pf);
    if (!device.sriov)
        throw Error(pf.str() + " is not an SR-IOV physical function (it has no sriov_totalvfs)", EINVAL);
    SriovState state{pf, device.driver, *device.sriov, {}};
    const std::vector<Journal> journals = engine_.status();
    for (const auto &address : device.virtualFunctions) {
        const PciDevice *function = inventory.findPci(address);
        VfState vf{address, function ? function->driver : "", std::nullopt,
                   function ? hostUsesOf(inventory, *function) : std::vector<std::string>()};
        for (const auto &journal : journals)
            if (journal.find(address))
                vf.heldBy = journal.owner;
        state.vfs.push_back(std::move(vf));
    }
    return state;
}

std::vector<std::string> SriovControl::setCount(const PciAddress &pf, int count, Force force)
{
    const SriovState now = state(pf);
    if (count < 0 || count > now.counts.total)
        throw Error("cannot set " + pf.str() + " to " + std::to_string(count) + " VFs: it offers at most " +
                        std::to_string(now.counts.total),
                    EINVAL);
    if (count == now.counts.enabled)
        return {};
    // The kernel changes a non-zero count only through 0: every current VF goes away, not just the ones above N.
    std::vector<std::string> losses;
    for (const auto &vf : now.vfs)
        for (auto &loss : lossesOf(vf))
            losses.push_back(std::move(loss));
    if (!losses.empty() && force == Force::No)
        throw Error("refusing to change the VF count of " + pf.str() + ": its VFs go away first, and " +
                        joinWith(losses, "; ") + "; use --force to go ahead anyway",
                    EBUSY);
    try {
        if (now.counts.enabled != 0)
            host_.write(numVfsPath(pf), "0");
        if (count != 0)
            host_.write(numVfsPath(pf), std::to_string(count));
    } catch (const Error &error) {
        throw Error("the kernel refused to set " + pf.str() + " to " + std::to_string(count) + " VFs (driver " +
                        (now.driver.empty() ? "none" : now.driver) + "): " + error.what(),
                    error.errorNumber());
    }
    // VFs a VM or a hand bind held are gone with their journal entries' reason to be.
    std::vector<PciAddress> former;
    for (const auto &vf : now.vfs)
        if (vf.heldBy)
            former.push_back(vf.address);
    if (!former.empty())
        engine_.forgetGone(former);
    return losses;
}

} // namespace vfioctl

#include "assignment.h"

#include "domain_edit.h"
#include "domain_xml.h"
#include "eligibility.h"
#include "error.h"
#include "holders.h"
#include "inventory.h"
#include "sysfs_value.h"

#include <algorithm>
#include <thread>

namespace vfioctl {

namespace {

bool listedIn(const std::optional<std::string> &xml, const PciAddress &device)
{
    if (!xml)
        return false;
    const auto hostdevs = parseDomainXml(*xml).hostdevs;
    return std::any_of(hostdevs.begin(), hostdevs.end(),
                       [&](const DomainHostdev &hostdev) { return hostdev.address == device; });
}

void normalise(AssignOptions &options, const VmInfo &vm, const char *verb)
{
    if (!options.config && !options.live)
        options.config = true;
    if (options.live && !vm.active())
        throw Error("VM " + vm.name + " is not running, so there is nothing to " + verb +
                        " live; use --config to change its definition",
                    EINVAL);
}

// The VM as the engine knows it: by the UUID of its running instance (or its definition), as the hook does.
Owner ownerOf(const VmInfo &vm)
{
    const DomainPassthrough domain =
        parseDomainXml(vm.liveXml.value_or(vm.configXml), "the domain XML of VM " + vm.name);
    auto uuid = canonicalUuid(domain.uuid);
    if (!uuid)
        throw Error("the domain XML of VM " + vm.name + " has no valid <uuid>", EINVAL);
    return Owner::vm(*uuid, vm.name);
}

} // namespace

Assigner::Assigner(HostRoot &host, Hypervisor &hypervisor, BindEngine &engine, std::chrono::milliseconds unplugWait)
    : host_(host), hypervisor_(hypervisor), engine_(engine), unplugWait_(unplugWait)
{
}

std::vector<PciAddress> Assigner::groupEndpoints(const PciAddress &address, Check check)
{
    const Inventory inventory = scanInventoryFor(host_, {address});
    std::vector<PciAddress> endpoints = inventory.groupEndpoints(address);
    if (check == Check::Eligibility)
        for (const auto &member : endpoints) {
            Eligibility eligibility = assessEligibility(inventory, inventory.requirePci(member));
            if (!eligibility.eligible())
                throw Error("cannot assign " + address.str() +
                                (member == address
                                     ? ""
                                     : " (its IOMMU group " + std::to_string(*inventory.requirePci(member).iommuGroup) +
                                           " holds " + member.str() + ")") +
                                ": " + eligibility.reasons.front().detail,
                            EBUSY);
        }
    return endpoints;
}

namespace {

// The endpoints of `group` that `xml` lists (Listed::Yes) or does not (Listed::No).
enum class Listed { Yes, No };
std::vector<PciAddress> endpointsListed(const std::optional<std::string> &xml, const std::vector<PciAddress> &group,
                                        Listed wanted)
{
    std::vector<PciAddress> found;
    for (const auto &endpoint : group)
        if (listedIn(xml, endpoint) == (wanted == Listed::Yes))
            found.push_back(endpoint);
    return found;
}

bool contains(const std::vector<PciAddress> &devices, const PciAddress &device)
{
    return std::find(devices.begin(), devices.end(), device) != devices.end();
}

} // namespace

void Assigner::refuseOtherHolders(const std::string &vmName, const PciAddress &device,
                                  const std::vector<PciAddress> &group)
{
    const HolderMap holders = findHolders(hypervisor_.domains());
    for (const auto &endpoint : group)
        if (auto found = holders.find(endpoint); found != holders.end())
            for (const auto &holder : found->second)
                if (holder.vm != vmName)
                    throw Error("cannot assign " + device.str() + " to " + vmName + ": " + endpoint.str() + " is " +
                                    describeHolder(holder) + "; unassign it there first",
                                EBUSY);
}

void Assigner::plugLive(const VmInfo &vm, const std::vector<PciAddress> &toPlug, bool consoleHandoff,
                        AssignmentReport &report)
{
    const std::string &vmName = vm.name;
    const Owner owner = ownerOf(vm);
    // Bind the whole group first (journalled under the VM's name, so the hook gives it back when the VM stops),
    // then hot-plug; any failure unplugs what was plugged and gives back what was bound here.
    std::vector<PciAddress> heldBefore;
    for (const auto &entry : engine_.held(owner))
        heldBefore.push_back(entry.device);
    BindRequest request;
    request.owner = owner;
    request.devices = toPlug;
    request.hostUseHint = "stop using it on the host first";
    if (consoleHandoff) {
        request.console = ConsoleHandoff::Yes;
        // The units the running VM's own policy names, as its start would have stopped them.
        if (vm.liveXml)
            request.stopUnits = parseDomainXml(*vm.liveXml, "the domain XML of " + vmName).policy.stopUnits;
    }
    request.handoffHint = "use --console-handoff to hand the host console over to " + vmName + " and back";
    engine_.bind(request);
    std::vector<PciAddress> boundHere;
    for (const auto &endpoint : report.group)
        if (!contains(heldBefore, endpoint))
            boundHere.push_back(endpoint);
    try {
        for (const auto &endpoint : toPlug) {
            hypervisor_.attachLive(vmName, pciHostdevXml(endpoint));
            report.liveChanged.push_back(endpoint);
        }
    } catch (const Error &error) {
        throw Error("cannot hot-plug into " + vmName + ": " + error.what() + undoPlug(vmName, boundHere, report),
                    error.errorNumber());
    }
}

// After a failed hot-plug: unplug what was plugged (it stays on vfio-pci, held by the VM, until the guest has let go
// and the VM stops: the hook gives it back then), give back at once what was bound here and never plugged, and say
// exactly what that left; "nothing was changed" only when nothing was.
std::string Assigner::undoPlug(const std::string &vmName, const std::vector<PciAddress> &boundHere,
                               const AssignmentReport &report)
{
    std::vector<std::string> left;
    for (const auto &plugged : report.liveChanged) {
        try {
            hypervisor_.detachLive(vmName, pciHostdevXml(plugged));
            left.push_back(plugged.str() + " was plugged and is unplugged again; it stays on vfio-pci until " + vmName +
                           " stops");
        } catch (const Error &detachError) {
            left.push_back(plugged.str() + " was plugged and unplugging it failed (" + detachError.what() + "); " +
                           vmName + " keeps it until it stops");
        }
    }
    std::vector<PciAddress> neverPlugged;
    for (const auto &endpoint : boundHere)
        if (!contains(report.liveChanged, endpoint))
            neverPlugged.push_back(endpoint);
    try {
        const GiveBackReport back = engine_.giveBack(neverPlugged, Force::Yes);
        if (!back.complete())
            left.push_back("giving the rest of its group back failed: " + back.problems());
    } catch (const Error &giveBackError) {
        left.push_back("giving the rest of its group back failed: " + std::string(giveBackError.what()));
    }
    return left.empty() ? "; nothing was changed" : "; " + joinWith(left, "; ");
}

AssignmentReport Assigner::assign(const std::string &vmName, const PciAddress &device, AssignOptions options)
{
    const VmInfo vm = hypervisor_.domain(vmName);
    normalise(options, vm, "assign");
    AssignmentReport report;
    report.vmActive = vm.active();
    report.group = groupEndpoints(device, Check::Eligibility);
    refuseOtherHolders(vmName, device, report.group);

    if (options.live)
        if (auto toPlug = endpointsListed(vm.liveXml, report.group, Listed::No); !toPlug.empty())
            plugLive(vm, toPlug, options.consoleHandoff, report);
    if (options.config)
        if (auto missing = endpointsListed(vm.configXml, report.group, Listed::No); !missing.empty()) {
            hypervisor_.define(withPciHostdevs(vm.configXml, missing));
            report.configChanged = missing;
        }
    return report;
}

void Assigner::unplugLive(const VmInfo &vm, const std::vector<PciAddress> &plugged, AssignmentReport &report)
{
    const std::string &vmName = vm.name;
    for (const auto &endpoint : plugged)
        hypervisor_.detachLive(vmName, pciHostdevXml(endpoint));
    // Unplug needs the guest's consent; until QEMU lets go, the device must stay on vfio-pci.
    const auto deadline = std::chrono::steady_clock::now() + unplugWait_;
    std::vector<PciAddress> kept = plugged;
    while (!kept.empty()) {
        const auto live = hypervisor_.domain(vmName).liveXml;
        std::erase_if(kept, [&](const PciAddress &endpoint) { return !listedIn(live, endpoint); });
        if (kept.empty() || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (const auto &endpoint : plugged)
        if (!contains(kept, endpoint))
            report.liveChanged.push_back(endpoint);
    if (!kept.empty())
        throw Error("the guest of " + vmName + " has not released " + joinAddresses(kept) + " within " +
                        std::to_string(unplugWait_.count() / 1000) +
                        " s; it stays on vfio-pci and is given back when the VM stops",
                    EBUSY);
    std::vector<PciAddress> held;
    for (const auto &entry : engine_.held(ownerOf(vm)))
        if (contains(report.group, entry.device))
            held.push_back(entry.device);
    if (held.empty())
        return;
    const GiveBackReport back = engine_.giveBack(held, Force::Yes); // the guest let go of them
    if (!back.complete())
        throw Error("the guest of " + vmName + " let go, but " + back.problems(), EIO);
}

AssignmentReport Assigner::unassign(const std::string &vmName, const PciAddress &device, AssignOptions options)
{
    const VmInfo vm = hypervisor_.domain(vmName);
    normalise(options, vm, "unassign");
    AssignmentReport report;
    report.vmActive = vm.active();
    report.group = groupEndpoints(device, Check::Nothing);

    if (options.live)
        unplugLive(vm, endpointsListed(vm.liveXml, report.group, Listed::Yes), report);
    if (options.config)
        if (auto listed = endpointsListed(vm.configXml, report.group, Listed::Yes); !listed.empty()) {
            hypervisor_.define(withoutPciHostdevs(vm.configXml, listed));
            report.configChanged = listed;
        }
    return report;
}

} // namespace vfioctl

#include "qemu_hook.h"

#include "bind_engine.h"
#include "domain_xml.h"
#include "error.h"
#include "inventory.h"
#include "pci_scanner.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl::hook {

namespace {

std::string quoted(const std::string &vm)
{
    return "'" + vm + "'";
}

std::string driverText(const DriverState &state)
{
    std::string text = state.driver.empty() ? "no driver" : state.driver;
    if (!state.override.empty())
        text += ", driver_override " + state.override;
    return text;
}

// With companions='refuse', every other endpoint of the groups must be listed in the VM or already on vfio-pci.
void refuseUnlistedCompanions(HostRoot &host, const DomainPassthrough &domain)
{
    std::vector<PciAddress> hostdevs;
    for (const auto &hostdev : domain.hostdevs)
        hostdevs.push_back(hostdev.address);
    const Inventory inventory = scanInventoryFor(host, hostdevs);
    auto listed = [&](const PciAddress &address) {
        return std::any_of(domain.hostdevs.begin(), domain.hostdevs.end(),
                           [&](const DomainHostdev &hostdev) { return hostdev.address == address; });
    };
    for (const auto &hostdev : domain.hostdevs) {
        const GroupMembers members = inventory.membersOf(inventory.requirePci(hostdev.address));
        if (!members.group)
            continue; // the engine refuses it with the reason
        for (const PciDevice *companion : members.endpoints) {
            if (listed(companion->address) || currentDriver(host, companion->address) == std::string(vfioDriver))
                continue;
            throw Error(hostdev.address.str() + " shares IOMMU group " + std::to_string(members.group->number) +
                            " with " + companion->address.str() +
                            ", and the VM's vfioctl policy refuses to take companions; add it to the VM too or set "
                            "companions='take'",
                        EBUSY);
        }
    }
}

} // namespace

QemuHook::QemuHook(HostRoot &host, ModuleLoader &modules, HookLog &log, std::chrono::milliseconds deviceTimeout)
    : host_(host), log_(log), engine_(host, modules, deviceTimeout)
{
}

int QemuHook::run(const HookArguments &arguments, const std::function<std::string()> &domainXml,
                  std::ostream &userError)
{
    if (arguments.is("prepare", "begin")) {
        std::string xml;
        try {
            xml = domainXml();
        } catch (const Error &error) {
            log_.error("VM " + quoted(arguments.vm) + " not started: " + error.what());
            userError << "vfioctl: VM " << quoted(arguments.vm) << " not started: " << error.what() << "\n";
            return 1;
        }
        return prepare(arguments, xml, userError);
    }
    if (arguments.is("release", "end"))
        return release(arguments);
    // Everything else, reconnect included (libvirtd restarted while the VM runs: it keeps what it holds).
    return 0;
}

int QemuHook::prepare(const HookArguments &arguments, const std::string &xml, std::ostream &userError)
{
    const std::string vm = quoted(arguments.vm);
    try {
        const DomainPassthrough domain = parseDomainXml(xml, "the domain XML of VM " + vm);
        if (domain.hostdevs.empty())
            return 0;
        if (domain.policy.action == HookAction::Ignore) {
            log_.info("VM " + vm + ": its vfioctl policy says action='ignore'; leaving its PCI devices alone");
            return 0;
        }
        if (domain.policy.companions == CompanionPolicy::Refuse)
            refuseUnlistedCompanions(host_, domain);

        BindRequest request;
        request.owner = Owner::vm(arguments.vm);
        for (const auto &hostdev : domain.hostdevs)
            request.devices.push_back(hostdev.address);
        request.hostUseHint = "stop using it on the host, or leave its IOMMU group out of the VM";
        BindOutcome outcome = engine_.bind(request);

        for (const auto &entry : engine_.held(Owner::vm(arguments.vm)))
            log_.info("VM " + vm + ": " + entry.device.str() + " on vfio-pci (had " + driverText(entry.original) + ")");
        std::vector<std::string> groups;
        for (int group : outcome.groups)
            groups.push_back(std::to_string(group));
        log_.info("VM " + vm + ": IOMMU group(s) " + joinWith(groups, ", ") + " ready for passthrough");
        return 0;
    } catch (const std::exception &error) { // a bad_alloc or a bug too: one sentence, never a crash
        log_.error("VM " + vm + " not started: " + error.what());
        userError << "vfioctl: VM " << vm << " not started: " << error.what() << "\n";
        return 1;
    }
}

int QemuHook::release(const HookArguments &arguments)
{
    const std::string vm = quoted(arguments.vm);
    // Release never fails the stop: a failure is logged and the journal kept for 'vfioctl restore'/'recover'.
    try {
        // Every VM's stop comes here: read this VM's journal only, not every owner's.
        const std::vector<JournalEntry> held = engine_.held(Owner::vm(arguments.vm));
        if (held.empty())
            return 0;
        engine_.restoreOwner(Owner::vm(arguments.vm));
        for (const auto &entry : held)
            log_.info("VM " + vm + ": " + entry.device.str() + " given back (" + driverText(entry.original) + ")");
    } catch (const std::exception &error) {
        log_.error("VM " + vm + " stopped, but its devices were not all given back: " + error.what());
    }
    return 0;
}

} // namespace vfioctl::hook

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

QemuHook::QemuHook(HostRoot &host, ModuleLoader &modules, HookLog &log, std::chrono::milliseconds deviceTimeout,
                   const ProcessTable &processes)
    : host_(host), log_(log), engine_(host, modules, deviceTimeout, processes)
{
}

int QemuHook::run(const HookArguments &arguments, const std::function<std::string()> &domainXml,
                  std::ostream &userError)
{
    const bool starting = arguments.is("prepare", "begin");
    if (!starting && !arguments.is("release", "end"))
        return 0; // everything else, reconnect included (libvirtd restarted while the VM runs: it keeps what it holds)
    std::string xml;
    try {
        xml = domainXml();
    } catch (const Error &error) {
        return starting ? refuse(arguments, error.what(), userError) : releaseFailed(arguments, error.what());
    }
    return starting ? prepare(arguments, xml, userError) : release(arguments, xml);
}

int QemuHook::refuse(const HookArguments &arguments, const std::string &why, std::ostream &userError)
{
    log_.error("VM " + quoted(arguments.vm) + " not started: " + why);
    userError << "vfioctl: VM " << quoted(arguments.vm) << " not started: " << why << "\n";
    return 1;
}

int QemuHook::releaseFailed(const HookArguments &arguments, const std::string &why)
{
    log_.error("VM " + quoted(arguments.vm) + " stopped, but its devices were not all given back: " + why);
    return 0; // a stop is never failed: libvirt could do nothing with it
}

// The VM as an owner: its UUID is its identity (libvirt keeps it across renames); the name is for people.
Owner QemuHook::ownerOf(const DomainPassthrough &domain, const std::string &source)
{
    auto uuid = canonicalUuid(domain.uuid);
    if (!uuid)
        throw Error(source + " has no valid <uuid>", EINVAL);
    return Owner::vm(*uuid, domain.name);
}

int QemuHook::prepare(const HookArguments &arguments, const std::string &xml, std::ostream &userError)
{
    const std::string vm = quoted(arguments.vm);
    try {
        const std::string source = "the domain XML of VM " + vm;
        const DomainPassthrough domain = parseDomainXml(xml, source);
        if (domain.hostdevs.empty())
            return 0;
        if (domain.policy.action == HookAction::Ignore) {
            log_.info("VM " + vm + ": its vfioctl policy says action='ignore'; leaving its PCI devices alone");
            return 0;
        }
        if (domain.policy.companions == CompanionPolicy::Refuse)
            refuseUnlistedCompanions(host_, domain);

        BindRequest request;
        request.owner = ownerOf(domain, source);
        for (const auto &hostdev : domain.hostdevs)
            request.devices.push_back(hostdev.address);
        request.hostUseHint = "stop using it on the host, or leave its IOMMU group out of the VM";
        request.handoffHint = "to hand the host console over to this VM while it runs, add console=\"handoff\" to its "
                              "<vfioctl:policy> (docs/GPU.md)";
        if (domain.policy.console == ConsolePolicy::Handoff) {
            request.console = ConsoleHandoff::Yes;
            request.stopUnits = domain.policy.stopUnits;
        }
        BindOutcome outcome = engine_.bind(request);

        for (const auto &entry : engine_.held(request.owner))
            log_.info("VM " + vm + ": " + entry.device.str() + " on vfio-pci (had " + driverText(entry.original) +
                      (entry.fromPool ? ", lent by persist" : "") + ")");
        if (auto journal = engine_.journalOf(request.owner); journal && journal->console) {
            std::string what = joinWith(describeHold(journal->console->hold), ", ");
            if (!journal->console->units.empty())
                what += (what.empty() ? "" : "; ") + ("stopped " + joinWith(journal->console->units, ", "));
            log_.info("VM " + vm + ": the host console on " + journal->console->gpu.str() + " handed over (" +
                      (what.empty() ? "nothing held it" : what) + "); it comes back when the VM stops");
        }
        std::vector<std::string> groups;
        for (int group : outcome.groups)
            groups.push_back(std::to_string(group));
        log_.info("VM " + vm + ": IOMMU group(s) " + joinWith(groups, ", ") + " ready for passthrough");
        return 0;
    } catch (const std::exception &error) { // a bad_alloc or a bug too: one sentence, never a crash
        return refuse(arguments, error.what(), userError);
    }
}

int QemuHook::release(const HookArguments &arguments, const std::string &xml)
{
    const std::string vm = quoted(arguments.vm);
    // Release never fails the stop: what it could not do is logged, and the journal kept for 'vfioctl recover'.
    try {
        const std::string source = "the domain XML of VM " + vm;
        const Owner owner = ownerOf(parseDomainXml(xml, source), source);
        // Every VM's stop comes here: read this VM's journal only, not every owner's.
        const std::vector<JournalEntry> held = engine_.held(owner);
        if (held.empty())
            return 0;
        const GiveBackReport report = engine_.restoreOwner(owner);
        for (const auto &entry : held) {
            const auto &back = report.givenBack;
            if (std::find(back.begin(), back.end(), entry.device) != back.end())
                log_.info("VM " + vm + ": " + entry.device.str() + " given back (" +
                          (entry.fromPool ? "to persist's pool" : driverText(entry.original)) + ")");
        }
        for (const auto &device : report.gone)
            log_.info("VM " + vm + ": " + device.str() + " went away while the VM held it; nothing to give back");
        for (const auto &replaced : report.replaced)
            log_.info("VM " + vm + ": " + replaced);
        if (!report.complete())
            return releaseFailed(arguments, report.problems());
    } catch (const std::exception &error) {
        return releaseFailed(arguments, error.what());
    }
    return 0;
}

} // namespace vfioctl::hook

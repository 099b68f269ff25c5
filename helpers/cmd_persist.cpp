// vfioctl persist / unpersist: claim devices for vfio-pci from early boot (udev-rules/40-vfioctl-persist.rules), and
// by default apply the change now too. The policy is the library's Persister.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "persist_policy.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

void declareTargets(CommandOptions &options)
{
    options.visible.add_options()("boot-only", "change only what happens at the next boot, not the drivers now");
    options.hidden.add_options()("target", po::value<std::vector<std::string>>());
    options.positional.add("target", -1);
}

std::vector<PersistEntry> targetsOf(const CommandContext &context, const char *command)
{
    if (!context.flag("target"))
        throw UsageError("name a PCI device (0000:01:00.0) or a VENDOR:DEVICE id (10de:1b80)", command);
    std::vector<PersistEntry> entries;
    for (const auto &text : context.values["target"].as<std::vector<std::string>>())
        entries.push_back(parsePersistTarget(text));
    return entries;
}

ApplyNow applyNow(const CommandContext &context)
{
    return context.flag("boot-only") ? ApplyNow::No : ApplyNow::Yes;
}

int listPersisted(CommandContext &context)
{
    const auto targets = Persister(context.host, context.engine()).list();
    if (context.flag("json")) {
        Json array = Json::array();
        for (const auto &target : targets) {
            Json devices = Json::array();
            for (const auto &device : target.present)
                devices.push_back({{"address", device.address.str()},
                                   {"driver", device.driver.empty() ? Json(nullptr) : Json(device.driver)}});
            array.push_back({{"kind", target.entry.address ? "address" : "id"},
                             {"target", target.entry.text()},
                             {"devices", devices}});
        }
        context.out << jsonText(Json{{"persisted", array}}) << "\n";
        return exitOk;
    }
    if (targets.empty()) {
        context.out << "Nothing is persisted.\n";
        return exitOk;
    }
    TextTable table({"TARGET", "KIND", "PRESENT DEVICES (DRIVER NOW)"});
    for (const auto &target : targets) {
        std::vector<std::string> present;
        for (const auto &device : target.present)
            present.push_back(device.address.str() + " (" + orDash(device.driver) + ")");
        table.addRow({target.entry.text(), target.entry.address ? "address" : "id",
                      present.empty() ? "-" : joinWith(present, ", ")});
    }
    table.print(context.out);
    return exitOk;
}

} // namespace

void declarePersist(CommandOptions &options)
{
    declareTargets(options);
    options.visible.add_options()("force", "claim devices the host uses (it loses them)")("list",
                                                                                          "list what is persisted");
    addJsonOption(options);
}

int runPersist(CommandContext &context)
{
    if (context.flag("list"))
        return listPersisted(context);
    const Force force = context.flag("force") ? Force::Yes : Force::No;
    const PersistReport report =
        Persister(context.host, context.engine()).persist(targetsOf(context, "persist"), force, applyNow(context));
    context.out << (report.added.empty() ? "already persisted: nothing new"
                                         : "persisted for vfio-pci from boot: " + joinWith(report.added, ", "))
                << "\n";
    if (!report.boundNow.empty())
        context.out << "bound now: " << joinAddresses(report.boundNow) << "\n";
    if (!report.uncovered.empty())
        context.out << "note: their IOMMU group companions " << joinAddresses(report.uncovered)
                    << " are bound now but not persisted; persist them too for passthrough after a reboot\n";
    return exitOk;
}

void declareUnpersist(CommandOptions &options)
{
    declareTargets(options);
}

int runUnpersist(CommandContext &context)
{
    const UnpersistReport report =
        Persister(context.host, context.engine()).unpersist(targetsOf(context, "unpersist"), applyNow(context));
    context.out << (report.removed.empty() ? "nothing was persisted for that"
                                           : "no longer persisted: " + joinWith(report.removed, ", "))
                << "\n";
    if (!report.givenBack.empty())
        context.out << "given back now: " << joinAddresses(report.givenBack) << "\n";
    if (!report.heldByVms.empty())
        context.out << "note: " << joinAddresses(report.heldByVms)
                    << " are held by a VM now and stay on vfio-pci until it stops\n";
    return exitOk;
}

} // namespace vfioctl::cli

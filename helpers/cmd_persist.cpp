// vfioctl persist / unpersist: claim devices for vfio-pci from early boot (udev-rules/40-vfioctl-persist.rules), and
// by default apply the change now too. The policy is the library's Persister.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "persist_policy.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <optional>
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
        throw UsageError("name a PCI device (0000:01:00.0), a VENDOR:DEVICE id (10de:1b80) or --vfs-of PF", command);
    std::vector<PersistEntry> entries;
    for (const auto &text : context.values["target"].as<std::vector<std::string>>())
        entries.push_back(targetArgument(text));
    return entries;
}

ApplyNow applyNow(const CommandContext &context)
{
    return context.flag("boot-only") ? ApplyNow::No : ApplyNow::Yes;
}

// One row of `persist --list`: what is kept, whatever its kind.
struct ListedTarget {
    std::string target;
    std::string kind; // address, id, vfs-of (VFs claimed as they appear), vf-count (sriov --persist)
    std::vector<PresentDevice> present;
    std::optional<int> vfCount;
    // An address target: what was recorded (nothing for a marker from before identities), and another device
    // found at the address instead.
    std::optional<PciIdentity> identity{};
    std::optional<PciIdentity> foundInstead{};
};

std::vector<ListedTarget> everythingPersisted(CommandContext &context)
{
    Persister persister(context.host, context.engine());
    std::vector<ListedTarget> listed;
    for (const auto &target : persister.list())
        listed.push_back({target.entry.text(),
                          target.entry.address ? "address" : "id",
                          target.present,
                          {},
                          target.entry.identity,
                          target.foundInstead});
    for (const auto &claim : persister.listVfClaims())
        listed.push_back({claim.claim.pf.str(), "vfs-of", claim.present, {}});
    for (const auto &kept : SriovPersistStore(context.host).keptCounts())
        listed.push_back({kept.pf.str(), "vf-count", {}, kept.count});
    return listed;
}

int listPersisted(CommandContext &context)
{
    const auto targets = everythingPersisted(context);
    if (context.flag("json")) {
        Json array = Json::array();
        for (const auto &target : targets) {
            Json devices = Json::array();
            for (const auto &device : target.present)
                devices.push_back({{"address", device.address.str()},
                                   {"driver", device.driver.empty() ? Json(nullptr) : Json(device.driver)}});
            Json row{{"kind", target.kind}, {"target", target.target}, {"devices", devices}};
            if (target.kind == "address") {
                row["identity"] = target.identity ? Json(target.identity->describe()) : Json(nullptr);
                row["found_instead"] = target.foundInstead ? Json(target.foundInstead->describe()) : Json(nullptr);
            }
            if (target.vfCount)
                row["vf_count"] = *target.vfCount;
            array.push_back(row);
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
        if (target.vfCount)
            present.push_back(std::to_string(*target.vfCount) + " VFs at its driver's bind");
        if (target.foundInstead)
            present.push_back("another device is there now, " + target.foundInstead->describe() +
                              ", and is not claimed (persisted: " + target.identity->describe() + ")");
        else if (target.kind == "address" && !target.identity)
            present.push_back("(no identity recorded: claims whatever is at the address; persist it again to "
                              "record it)");
        table.addRow({target.target, target.kind, present.empty() ? "-" : joinWith(present, ", ")});
    }
    table.print(context.out);
    return exitOk;
}

PciAddress addressOption(const CommandContext &context, const char *name)
{
    return deviceArgument(context.values[name].as<std::string>());
}

void printPersistReport(CommandContext &context, const PersistReport &report)
{
    context.out << (report.added.empty() ? "already persisted: nothing new"
                                         : "persisted for vfio-pci from boot: " + joinWith(report.added, ", "))
                << "\n";
    if (!report.boundNow.empty())
        context.out << "bound now: " << joinAddresses(report.boundNow) << "\n";
    if (!report.uncovered.empty())
        context.out << "note: their IOMMU group companions " << joinAddresses(report.uncovered)
                    << " are bound now but not persisted; persist them too for passthrough after a reboot\n";
}

void printUnpersistReport(CommandContext &context, const UnpersistReport &report)
{
    context.out << (report.removed.empty() ? "nothing was persisted for that"
                                           : "no longer persisted: " + joinWith(report.removed, ", "))
                << "\n";
    if (!report.givenBack.empty())
        context.out << "given back now: " << joinAddresses(report.givenBack) << "\n";
    if (!report.heldByVms.empty())
        context.out << "note: " << joinAddresses(report.heldByVms)
                    << " are held by a VM now: they go back to their own drivers when it stops\n";
}

} // namespace

void declarePersist(CommandOptions &options)
{
    declareTargets(options);
    options.visible.add_options()("force", "claim devices the host uses (it loses them)")(
        "list", "list what is persisted")("vfs-of", po::value<std::string>()->value_name("PF"),
                                          "claim every VF of this SR-IOV physical function as it appears");
    addJsonOption(options);
}

int runPersist(CommandContext &context)
{
    if (context.flag("list"))
        return listPersisted(context);
    const Force force = context.flag("force") ? Force::Yes : Force::No;
    Persister persister(context.host, context.engine());
    if (context.flag("vfs-of")) {
        if (context.flag("target"))
            throw UsageError("--vfs-of names the physical function; name no other device with it", "persist");
        printPersistReport(context, persister.persistVfsOf(addressOption(context, "vfs-of"), force, applyNow(context)));
        return exitOk;
    }
    printPersistReport(context, persister.persist(targetsOf(context, "persist"), force, applyNow(context)));
    return exitOk;
}

void declareUnpersist(CommandOptions &options)
{
    declareTargets(options);
    options.visible.add_options()("vfs-of", po::value<std::string>()->value_name("PF"),
                                  "stop claiming the VFs of this physical function")(
        "sriov", po::value<std::string>()->value_name("PF"), "stop setting this PF's VF count at boot");
}

int runUnpersist(CommandContext &context)
{
    if (context.flag("sriov") || context.flag("vfs-of")) {
        if (context.flag("target"))
            throw UsageError("--sriov and --vfs-of name the physical function; name no other device with them",
                             "unpersist");
        UnpersistReport report;
        if (context.flag("sriov")) {
            const PciAddress pf = addressOption(context, "sriov");
            if (SriovPersistStore(context.host).forgetCount(pf))
                report.removed.push_back("the VF count of " + pf.str() + " (the count now stays)");
        }
        if (context.flag("vfs-of")) {
            UnpersistReport vfs = Persister(context.host, context.engine())
                                      .unpersistVfsOf(addressOption(context, "vfs-of"), applyNow(context));
            report.removed.insert(report.removed.end(), vfs.removed.begin(), vfs.removed.end());
            report.givenBack = vfs.givenBack;
            report.heldByVms = vfs.heldByVms;
        }
        printUnpersistReport(context, report);
        return exitOk;
    }
    printUnpersistReport(
        context,
        Persister(context.host, context.engine()).unpersist(targetsOf(context, "unpersist"), applyNow(context)));
    return exitOk;
}

} // namespace vfioctl::cli

// vfioctl bind / unbind / restore / recover / status: the binding engine by hand.
#include "bind_engine.h"
#include "command.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

Force forceOf(const CommandContext &context)
{
    return context.flag("force") ? Force::Yes : Force::No;
}

} // namespace

void declareBind(CommandOptions &options)
{
    options.visible.add_options()("owner", po::value<std::string>()->default_value("manual"),
                                  "who holds the devices: manual (the default), or a VM's name")(
        "force", "take devices the host uses (disks mounted, NICs with addresses)")(
        "group", "accepted for clarity: the whole IOMMU group is always bound");
    options.hidden.add_options()("device", po::value<std::vector<std::string>>(),
                                 "PCI devices; each brings its whole IOMMU group");
    options.positional.add("device", -1);
}

int runBind(CommandContext &context)
{
    const std::string owner = context.values["owner"].as<std::string>();
    if (owner.empty())
        throw UsageError("--owner must not be empty", "bind");
    BindRequest request{Owner::named(owner), deviceArguments(context, "bind"), forceOf(context)};
    BindOutcome outcome = context.engine().bind(request);
    for (const auto &address : outcome.endpoints)
        context.out << address.str() << " bound to vfio-pci for " << request.owner.label() << "\n";
    return exitOk;
}

void declareUnbind(CommandOptions &options)
{
    options.visible.add_options()("force", "give back devices a VM holds (the VM loses them while it runs)");
    options.hidden.add_options()("device", po::value<std::vector<std::string>>(), "PCI devices to give back");
    options.positional.add("device", -1);
}

int runUnbind(CommandContext &context)
{
    auto devices = deviceArguments(context, "unbind");
    context.engine().giveBack(devices, forceOf(context));
    for (const auto &address : devices)
        context.out << address.str() << " given back\n";
    return exitOk;
}

void declareRestore(CommandOptions &options)
{
    options.visible.add_options()("all", "give back everything every owner holds")(
        "vm", po::value<std::string>(), "the VM whose devices to give back (for a VM called manual or persist)")(
        "force", "give back what a VM holds (the VM loses it while it runs)");
    options.hidden.add_options()("owner", po::value<std::string>(), "the owner whose devices to give back");
    options.positional.add("owner", 1);
}

int runRestore(CommandContext &context)
{
    if (context.flag("all") + context.flag("owner") + context.flag("vm") != 1)
        throw UsageError("name one owner, or --vm VM, or --all", "restore");
    BindEngine &engine = context.engine();
    std::vector<Owner> owners;
    if (context.flag("all"))
        for (const auto &journal : engine.status())
            owners.push_back(journal.owner);
    else if (context.flag("vm"))
        owners.push_back(Owner::vm(context.values["vm"].as<std::string>()));
    else
        owners.push_back(Owner::named(context.values["owner"].as<std::string>()));
    for (const auto &owner : owners) {
        auto restored = engine.restoreByHand(owner, forceOf(context));
        if (restored.empty())
            context.out << "nothing is held by " << owner.describe() << "\n";
        for (const auto &address : restored)
            context.out << address.str() << " given back by " << owner.label() << "\n";
    }
    return exitOk;
}

void declareRecover(CommandOptions &options)
{
    options.visible.add_options()("discard-corrupt",
                                  "forget the journals set aside as corrupt (read them first: 'vfioctl status')");
}

int runRecover(CommandContext &context)
{
    if (context.flag("discard-corrupt")) {
        auto removed = context.engine().discardQuarantined();
        context.out << (removed.empty() ? "no journal is set aside\n" : "");
        for (const auto &path : removed)
            context.out << "removed " << path << "\n";
        return exitOk;
    }
    auto owners = context.engine().recover();
    if (owners.empty())
        context.out << "nothing to recover\n";
    for (const auto &owner : owners)
        context.out << "rolled back the unfinished transaction of " << owner.label() << "\n";
    return exitOk;
}

} // namespace vfioctl::cli

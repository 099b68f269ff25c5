// vfioctl bind / unbind / restore / recover / status: the binding engine by hand.
#include "bind_engine.h"
#include "command.h"
#include "error.h"
#include "owner_lookup.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

Force forceOf(const CommandContext &context)
{
    return context.flag("force") ? Force::Yes : Force::No;
}

// Prints what a give-back did; false when something could not be done (then its sentence is on err).
bool printReport(CommandContext &context, const GiveBackReport &report, const std::string &by)
{
    for (const auto &address : report.givenBack)
        context.out << address.str() << " given back" << by << "\n";
    for (const auto &address : report.gone)
        context.out << address.str() << " went away while it was held; nothing to give back\n";
    for (const auto &replaced : report.replaced)
        context.out << replaced << "\n";
    if (report.complete())
        return true;
    context.err << "vfioctl: error: " << report.problems() << "\n";
    return false;
}

} // namespace

void declareBind(CommandOptions &options)
{
    options.visible.add_options()("owner", po::value<std::string>()->default_value("manual"),
                                  "who holds the devices: manual (the default), or a VM's UUID (the VM's stop gives "
                                  "them back)")("force",
                                                "take devices the host uses (disks mounted, NICs with addresses)")(
        "console-handoff", "take the boot GPU showing the host console: release its console and framebuffers first, "
                           "and give them back with the GPU");
    options.hidden.add_options()("device", po::value<std::vector<std::string>>(),
                                 "PCI devices; each brings its whole IOMMU group");
    options.positional.add("device", -1);
}

int runBind(CommandContext &context)
{
    const std::string text = context.values["owner"].as<std::string>();
    std::optional<Owner> owner;
    if (text == "manual" || text == "persist" || uuidAsTyped(text))
        owner = ownerNamed(context.engine().status(), text, VmOnly::No);
    if (!owner)
        throw UsageError("--owner takes 'manual' or a VM's UUID ('virsh domuuid VM' prints it), not '" + text + "'",
                         "bind");
    BindRequest request{*owner, deviceArguments(context, "bind"), forceOf(context)};
    if (context.flag("console-handoff"))
        request.console = ConsoleHandoff::Yes;
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
    return printReport(context, context.engine().giveBack(devices, forceOf(context)), "") ? exitOk : exitFailure;
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
    const std::vector<Journal> journals = engine.status();
    std::vector<Owner> owners;
    if (context.flag("all"))
        for (const auto &journal : journals)
            owners.push_back(journal.owner);
    const bool vm = context.flag("vm");
    if (vm || context.flag("owner")) {
        const std::string text = context.values[vm ? "vm" : "owner"].as<std::string>();
        auto owner = ownerNamed(journals, text, vm ? VmOnly::Yes : VmOnly::No);
        if (!owner) {
            context.out << "nothing is held by VM '" << text << "'\n";
            return exitOk;
        }
        owners.push_back(*owner);
    }
    // Every owner is tried, whatever happened to the one before; each failure is reported, then the exit says so.
    bool complete = true;
    for (const auto &owner : owners) {
        try {
            auto report = engine.restoreByHand(owner, forceOf(context));
            if (report.givenBack.empty() && report.gone.empty() && report.replaced.empty() && report.complete())
                context.out << "nothing is held by " << owner.describe() << "\n";
            complete = printReport(context, report, " by " + owner.label()) && complete;
        } catch (const Error &error) {
            if (owners.size() == 1)
                throw;
            context.err << "vfioctl: error: " << error.what() << "\n";
            complete = false;
        }
    }
    return complete ? exitOk : exitFailure;
}

void declareRecover(CommandOptions &options)
{
    options.visible.add_options()("discard-corrupt",
                                  "forget the journals set aside as corrupt (read them first: 'vfioctl status')");
}

int runRecover(CommandContext &context)
{
    if (context.flag("discard-corrupt")) {
        const Discarded discarded = context.engine().discardQuarantined();
        if (discarded.removed.empty() && discarded.failures.empty())
            context.out << "no journal is set aside\n";
        for (const auto &path : discarded.removed)
            context.out << "removed " << path << "\n";
        for (const auto &failure : discarded.failures)
            context.err << "vfioctl: error: " << failure << "\n";
        return discarded.failures.empty() ? exitOk : exitFailure;
    }
    auto recovery = context.engine().recover();
    if (recovery.finished.empty() && recovery.unfinished.empty() && recovery.report.complete())
        context.out << "nothing to recover\n";
    // Only what did finish is said to have: a step that failed again is the error below, not a success line.
    for (const auto &owner : recovery.finished)
        context.out << "finished the unfinished steps of " << owner.label() << "\n";
    return printReport(context, recovery.report, "") ? exitOk : exitFailure;
}

} // namespace vfioctl::cli

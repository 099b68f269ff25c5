// vfioctl bind / unbind / restore / recover / status: the binding engine by hand.
#include "bind_engine.h"
#include "command.h"
#include "json_views.h"
#include "text_table.h"

#include <ctime>
#include <ostream>

namespace vfioctl::cli {

namespace {

std::string timeText(int64_t seconds)
{
    std::time_t time = static_cast<std::time_t>(seconds);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", std::localtime(&time));
    return buffer;
}

} // namespace

void declareBind(CommandOptions &options)
{
    options.visible.add_options()("owner", po::value<std::string>()->default_value("manual"),
                                  "who holds the devices (manual by default)")(
        "force", "take devices the host uses (disks mounted, NICs with addresses)")(
        "group", "accepted for clarity: the whole IOMMU group is always bound");
    options.hidden.add_options()("device", po::value<std::vector<std::string>>(),
                                 "PCI devices; each brings its whole IOMMU group");
    options.positional.add("device", -1);
}

int runBind(CommandContext &context)
{
    BindRequest request{context.values["owner"].as<std::string>(), deviceArguments(context, "bind"),
                        context.flag("force") ? Force::Yes : Force::No};
    if (request.owner.empty())
        throw UsageError("--owner must not be empty", "bind");
    BindOutcome outcome = context.engine().bind(request);
    for (const auto &address : outcome.endpoints)
        context.out << address.str() << " bound to vfio-pci for " << request.owner << "\n";
    return exitOk;
}

void declareUnbind(CommandOptions &options)
{
    options.hidden.add_options()("device", po::value<std::vector<std::string>>(), "PCI devices to give back");
    options.positional.add("device", -1);
}

int runUnbind(CommandContext &context)
{
    auto devices = deviceArguments(context, "unbind");
    context.engine().giveBack(devices);
    for (const auto &address : devices)
        context.out << address.str() << " given back\n";
    return exitOk;
}

void declareRestore(CommandOptions &options)
{
    options.visible.add_options()("all", "give back everything every owner holds");
    options.hidden.add_options()("owner", po::value<std::string>(), "the owner whose devices to give back");
    options.positional.add("owner", 1);
}

int runRestore(CommandContext &context)
{
    if (context.flag("all") == context.flag("owner"))
        throw UsageError("name one owner, or --all", "restore");
    BindEngine &engine = context.engine();
    std::vector<std::string> owners;
    if (context.flag("all"))
        for (const auto &journal : engine.status())
            owners.push_back(journal.owner);
    else
        owners.push_back(context.values["owner"].as<std::string>());
    for (const auto &owner : owners) {
        auto restored = engine.restoreOwner(owner);
        if (restored.empty())
            context.out << owner << " holds no device\n";
        for (const auto &address : restored)
            context.out << address.str() << " given back by " << owner << "\n";
    }
    return exitOk;
}

void declareRecover(CommandOptions &) {}

int runRecover(CommandContext &context)
{
    auto owners = context.engine().recover();
    if (owners.empty())
        context.out << "nothing to recover\n";
    for (const auto &owner : owners)
        context.out << "rolled back the unfinished transaction of " << owner << "\n";
    return exitOk;
}

void declareStatus(CommandOptions &options)
{
    addJsonOption(options);
}

int runStatus(CommandContext &context)
{
    const po::variables_map &values = context.values;
    DriverBinder binder(context.host, std::chrono::milliseconds(0));
    auto journals = context.engine().status();
    if (values.count("json")) {
        Json owners = Json::array();
        for (const auto &journal : journals) {
            Json devices = Json::array();
            for (const auto &entry : journal.devices)
                devices.push_back({{"address", entry.device.str()},
                                   {"driver", binder.stateOf(entry.device).driver},
                                   {"original_driver", entry.original.driver},
                                   {"original_override", entry.original.override}});
            owners.push_back({{"owner", journal.owner},
                              {"state", journalStateName(journal.state)},
                              {"since", journal.since},
                              {"devices", devices}});
        }
        context.out << Json{{"owners", owners}}.dump(2) << "\n";
        return exitOk;
    }
    if (journals.empty()) {
        context.out << "no device is held\n";
        return exitOk;
    }
    TextTable table({"OWNER", "STATE", "SINCE", "DEVICE", "DRIVER", "ORIGINAL DRIVER"});
    for (const auto &journal : journals)
        for (const auto &entry : journal.devices)
            table.addRow({journal.owner, journalStateName(journal.state), timeText(journal.since), entry.device.str(),
                          binder.stateOf(entry.device).driver,
                          entry.original.driver.empty() ? "(none)" : entry.original.driver});
    table.print(context.out);
    for (const auto &journal : journals)
        if (journal.state != JournalState::Bound)
            context.out << "\n"
                        << journal.owner << " did not finish (" << journalStateName(journal.state)
                        << "): run 'vfioctl recover' to put its devices back.\n";
    return exitOk;
}

} // namespace vfioctl::cli

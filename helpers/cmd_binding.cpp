// vfioctl bind / unbind / restore / recover / status: the binding engine by hand.
#include "bind_engine.h"
#include "command.h"
#include "error.h"
#include "json_views.h"
#include "text_table.h"

#include <ctime>
#include <ostream>

namespace vfioctl::cli {

namespace {

struct Engine {
    std::unique_ptr<ModuleLoader> modules;
    std::unique_ptr<BindEngine> engine;
};

Engine makeEngine(CommandContext &context, double timeoutSeconds)
{
    if (!(timeoutSeconds > 0 && timeoutSeconds <= 600))
        throw UsageError("--timeout must be between 0 and 600 seconds", "bind");
    Engine made;
    made.modules = makeLoaderFor(context.host);
    made.engine = std::make_unique<BindEngine>(context.host, *made.modules,
                                               std::chrono::milliseconds(static_cast<long>(timeoutSeconds * 1000)));
    return made;
}

std::vector<PciAddress> parseDevices(const po::variables_map &values, const char *command)
{
    if (!values.count("device"))
        throw UsageError("name at least one PCI device", command);
    std::vector<PciAddress> devices;
    for (const auto &text : values["device"].as<std::vector<std::string>>())
        devices.push_back(PciAddress::parse(text));
    return devices;
}

std::string timeText(int64_t seconds)
{
    std::time_t time = static_cast<std::time_t>(seconds);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", std::localtime(&time));
    return buffer;
}

} // namespace

int runBind(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("bind options");
    options.add_options()("device", po::value<std::vector<std::string>>(),
                          "PCI devices; each brings its whole IOMMU group")(
        "owner", po::value<std::string>()->default_value("manual"), "who holds the devices (a VM name, or manual)")(
        "timeout", po::value<double>()->default_value(10), "seconds to wait for each device to bind")(
        "force", "take devices the host uses (disks mounted, NICs with addresses)")(
        "group", "accepted for clarity: the whole IOMMU group is always bound");
    po::positional_options_description positional;
    positional.add("device", -1);
    po::variables_map values;
    if (!parseArguments("bind", "DEVICE... [--owner NAME] [--timeout S] [--force]", args, options, positional, values,
                        context.out))
        return exitOk;
    BindRequest request{values["owner"].as<std::string>(), parseDevices(values, "bind"),
                        values.count("force") ? Force::Yes : Force::No};
    if (request.owner.empty())
        throw UsageError("--owner must not be empty", "bind");
    Engine made = makeEngine(context, values["timeout"].as<double>());
    BindOutcome outcome = made.engine->bind(request);
    for (const auto &address : outcome.endpoints)
        context.out << address.str() << " bound to vfio-pci for " << request.owner << "\n";
    return exitOk;
}

int runUnbind(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("unbind options");
    options.add_options()("device", po::value<std::vector<std::string>>(), "PCI devices to give back");
    po::positional_options_description positional;
    positional.add("device", -1);
    po::variables_map values;
    if (!parseArguments("unbind", "DEVICE...", args, options, positional, values, context.out))
        return exitOk;
    auto devices = parseDevices(values, "unbind");
    Engine made = makeEngine(context, 10);
    made.engine->giveBack(devices);
    for (const auto &address : devices)
        context.out << address.str() << " given back\n";
    return exitOk;
}

int runRestore(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("restore options");
    options.add_options()("owner", po::value<std::string>(),
                          "the owner whose devices to give back")("all", "give back everything every owner holds");
    po::positional_options_description positional;
    positional.add("owner", 1);
    po::variables_map values;
    if (!parseArguments("restore", "OWNER | --all", args, options, positional, values, context.out))
        return exitOk;
    if (values.count("all") == values.count("owner"))
        throw UsageError("name one owner, or --all", "restore");
    Engine made = makeEngine(context, 10);
    std::vector<std::string> owners;
    if (values.count("all"))
        for (const auto &journal : made.engine->status())
            owners.push_back(journal.owner);
    else
        owners.push_back(values["owner"].as<std::string>());
    for (const auto &owner : owners) {
        auto restored = made.engine->restoreOwner(owner);
        if (restored.empty())
            context.out << owner << " holds no device\n";
        for (const auto &address : restored)
            context.out << address.str() << " given back by " << owner << "\n";
    }
    return exitOk;
}

int runRecover(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("recover options");
    po::variables_map values;
    if (!parseArguments("recover", "", args, options, {}, values, context.out))
        return exitOk;
    Engine made = makeEngine(context, 10);
    auto owners = made.engine->recover();
    if (owners.empty())
        context.out << "nothing to recover\n";
    for (const auto &owner : owners)
        context.out << "rolled back the unfinished transaction of " << owner << "\n";
    return exitOk;
}

int runStatus(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("status options");
    options.add_options()("json", "machine-readable output (docs/JSON.md)");
    po::variables_map values;
    if (!parseArguments("status", "[--json]", args, options, {}, values, context.out))
        return exitOk;
    Engine made = makeEngine(context, 10);
    DriverBinder binder(context.host, std::chrono::milliseconds(0));
    auto journals = made.engine->status();
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

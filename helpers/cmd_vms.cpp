// vfioctl holders / assign / unassign: PCI devices and libvirt VMs.
#include "assignment.h"
#include "command.h"
#include "error.h"
#include "holders.h"
#include "json_views.h"
#include "libvirt_access.h"
#include "text_table.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

struct VmCommand {
    std::string vm;
    PciAddress device;
    AssignOptions options;
    po::variables_map values;
};

std::optional<VmCommand> parseVmCommand(CommandContext &context, const std::vector<std::string> &args,
                                        const char *command)
{
    po::options_description options(std::string(command) + " options");
    options.add_options()("config", "change the VM's persistent definition (the default)")(
        "live", "change the running VM now (binds the group to vfio-pci, then hot-plugs / unplugs)");
    addConnectOption(options);
    po::options_description hidden;
    hidden.add_options()("vm", po::value<std::string>())("device", po::value<std::string>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("vm", 1).add("device", 1);
    VmCommand parsed;
    if (!parseArguments(command, "VM DEVICE [--config] [--live] [--connect URI]", args, all, positional,
                        parsed.values, context.out))
        return std::nullopt;
    if (!parsed.values.count("vm") || !parsed.values.count("device"))
        throw UsageError("name a VM and a PCI device", command);
    parsed.vm = parsed.values["vm"].as<std::string>();
    parsed.device = PciAddress::parse(parsed.values["device"].as<std::string>());
    parsed.options.config = parsed.values.count("config") > 0;
    parsed.options.live = parsed.values.count("live") > 0;
    return parsed;
}

int runAssignment(CommandContext &context, const std::vector<std::string> &args, bool assigning)
{
    const char *command = assigning ? "assign" : "unassign";
    auto parsed = parseVmCommand(context, args, command);
    if (!parsed)
        return exitOk;
    auto hypervisor = connectOrFail(parsed->values, false);
    auto modules = makeLoaderFor(context.host);
    BindEngine engine(context.host, *modules, std::chrono::seconds(10));
    Assigner assigner(context.host, *hypervisor, engine);
    AssignmentReport report = assigning ? assigner.assign(parsed->vm, parsed->device, parsed->options)
                                        : assigner.unassign(parsed->vm, parsed->device, parsed->options);
    const char *done = assigning ? "added to" : "removed from";
    if (!report.configChanged.empty())
        context.out << joinAddresses(report.configChanged) << " " << done << " the definition of " << parsed->vm
                    << "\n";
    if (!report.liveChanged.empty())
        context.out << joinAddresses(report.liveChanged) << (assigning ? " hot-plugged into " : " unplugged from ")
                    << parsed->vm << (assigning ? "" : "; drivers given back") << "\n";
    if (report.configChanged.empty() && report.liveChanged.empty())
        context.out << "nothing to do: " << joinAddresses(report.group) << (assigning ? " already in " : " not in ")
                    << parsed->vm << "\n";
    bool configOnly = !parsed->options.live;
    if (configOnly && report.vmActive && !report.configChanged.empty())
        context.out << parsed->vm << " is running: this takes effect at its next start (use --live to "
                    << (assigning ? "hot-plug" : "unplug") << " now)\n";
    return exitOk;
}

} // namespace

int runHolders(CommandContext &context, const std::vector<std::string> &args)
{
    po::options_description options("holders options");
    options.add_options()("json", "machine-readable output (docs/JSON.md)");
    addConnectOption(options);
    po::options_description hidden;
    hidden.add_options()("device", po::value<std::string>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("device", 1);
    po::variables_map values;
    if (!parseArguments("holders", "DEVICE [--json] [--connect URI]", args, all, positional, values, context.out))
        return exitOk;
    if (!values.count("device"))
        throw UsageError("name a PCI device", "holders");
    const PciAddress device = PciAddress::parse(values["device"].as<std::string>());
    const HolderMap holders = findHolders(connectOrFail(values, true)->domains());
    const auto found = holders.find(device);
    const std::vector<Holder> none;
    const std::vector<Holder> &list = found == holders.end() ? none : found->second;
    if (values.count("json")) {
        Json array = Json::array();
        for (const auto &holder : list)
            array.push_back(toJson(holder));
        context.out << Json{{"device", device.str()}, {"holders", array}}.dump(2) << "\n";
        return exitOk;
    }
    if (list.empty()) {
        context.out << "No VM holds " << device.str() << ".\n";
        return exitOk;
    }
    TextTable table({"VM", "STATE", "IN DEFINITION", "IN RUNNING VM"});
    for (const auto &holder : list)
        table.addRow({holder.vm, vmStateName(holder.state), holder.inConfig ? "yes" : "no",
                      holder.inLive ? "yes" : "no"});
    table.print(context.out);
    return exitOk;
}

int runAssign(CommandContext &context, const std::vector<std::string> &args)
{
    return runAssignment(context, args, true);
}

int runUnassign(CommandContext &context, const std::vector<std::string> &args)
{
    return runAssignment(context, args, false);
}

} // namespace vfioctl::cli

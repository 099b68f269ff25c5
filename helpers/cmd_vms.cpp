// vfioctl holders / assign / unassign: PCI devices and libvirt VMs.
#include "assignment.h"
#include "command.h"
#include "error.h"
#include "holders.h"
#include "json_views.h"
#include "text_table.h"

#include <map>
#include <ostream>
#include <utility>

namespace vfioctl::cli {

namespace {

void declareVmDevice(CommandOptions &options)
{
    options.visible.add_options()("config", "change the VM's persistent definition (the default)")(
        "live", "change the running VM now (binds the group to vfio-pci, then hot-plugs / unplugs)");
    options.hidden.add_options()("vm", po::value<std::string>())("device", po::value<std::string>());
    options.positional.add("vm", 1).add("device", 1);
}

enum class Change { Assign, Unassign };

int runAssignment(CommandContext &context, Change change)
{
    const bool assigning = change == Change::Assign;
    const char *command = assigning ? "assign" : "unassign";
    if (!context.flag("vm") || !context.flag("device"))
        throw UsageError("name a VM and a PCI device", command);
    const std::string vm = context.values["vm"].as<std::string>();
    const PciAddress device = deviceArgument(context.values["device"].as<std::string>());
    AssignOptions options{context.flag("config"), context.flag("live"), context.flag("console-handoff")};
    if (options.consoleHandoff && !options.live)
        throw UsageError("--console-handoff goes with --live (a VM's start hands the console over when its policy "
                         "says console=\"handoff\")",
                         command);
    Assigner assigner(context.host, context.hypervisor(), context.engine(), context.timeout());
    AssignmentReport report = assigning ? assigner.assign(vm, device, options) : assigner.unassign(vm, device, options);
    const char *done = assigning ? "added to" : "removed from";
    if (!report.configChanged.empty())
        context.out << joinAddresses(report.configChanged) << " " << done << " the definition of " << vm << "\n";
    if (!report.liveChanged.empty())
        context.out << joinAddresses(report.liveChanged) << (assigning ? " hot-plugged into " : " unplugged from ")
                    << vm << (assigning ? "" : "; drivers given back") << "\n";
    if (report.configChanged.empty() && report.liveChanged.empty())
        context.out << "nothing to do: " << joinAddresses(report.group) << (assigning ? " already in " : " not in ")
                    << vm << "\n";
    if (!options.live && report.vmActive && !report.configChanged.empty())
        context.out << vm << " is running: this takes effect at its next start (use --live to "
                    << (assigning ? "hot-plug" : "unplug") << " now)\n";
    return exitOk;
}

} // namespace

void declareHolders(CommandOptions &options)
{
    addJsonOption(options);
    options.hidden.add_options()("device", po::value<std::string>());
    options.positional.add("device", 1);
}

int runHolders(CommandContext &context)
{
    const po::variables_map &values = context.values;
    if (!values.count("device"))
        throw UsageError("name a PCI device", "holders");
    const PciAddress device = deviceArgument(values["device"].as<std::string>());
    const HolderMap holders = findHolders(context.hypervisor().domains());
    const auto found = holders.find(device);
    const std::vector<Holder> none;
    const std::vector<Holder> &list = found == holders.end() ? none : found->second;
    if (values.count("json")) {
        JsonWriter writer(context.out, 2);
        writer.beginObject().key("device").string(device.str()).key("holders").beginArray();
        for (const auto &holder : list)
            writeJson(writer, holder);
        writer.endArray().endObject().raw("\n");
        return exitOk;
    }
    if (list.empty()) {
        context.out << "No VM holds " << device.str() << ".\n";
        return exitOk;
    }
    TextTable table({"VM", "STATE", "IN DEFINITION", "IN RUNNING VM"});
    for (const auto &holder : list)
        table.addRow(
            {holder.vm, vmStateName(holder.state), holder.inConfig ? "yes" : "no", holder.inLive ? "yes" : "no"});
    table.print(context.out);
    return exitOk;
}

void declareVms(CommandOptions &options)
{
    addJsonOption(options);
}

// Every VM with the PCI devices its definition or its running instance holds: what an assign dialog offers.
int runVms(CommandContext &context)
{
    const std::vector<VmInfo> domains = context.hypervisor().domains();
    std::map<std::string, std::vector<std::pair<PciAddress, Holder>>> heldBy;
    for (const auto &[device, holders] : findHolders(domains))
        for (const auto &holder : holders)
            heldBy[holder.vm].emplace_back(device, holder);
    if (context.flag("json")) {
        Json vms = Json::array();
        for (const auto &vm : domains) {
            Json devices = Json::array();
            for (const auto &[device, holder] : heldBy[vm.name])
                devices.push_back(
                    {{"address", device.str()}, {"in_config", holder.inConfig}, {"in_live", holder.inLive}});
            vms.push_back({{"name", vm.name},
                           {"state", vmStateName(vm.state)},
                           {"active", vm.active()},
                           {"pci_devices", devices}});
        }
        context.out << jsonText(Json{{"vms", vms}}) << "\n";
        return exitOk;
    }
    if (domains.empty()) {
        context.out << "No VM is defined.\n";
        return exitOk;
    }
    TextTable table({"VM", "STATE", "PCI DEVICES"});
    for (const auto &vm : domains) {
        std::vector<PciAddress> devices;
        for (const auto &[device, holder] : heldBy[vm.name])
            devices.push_back(device);
        table.addRow({vm.name, vmStateName(vm.state), devices.empty() ? "-" : joinAddresses(devices)});
    }
    table.print(context.out);
    return exitOk;
}

void declareAssign(CommandOptions &options)
{
    declareVmDevice(options);
    options.visible.add_options()(
        "console-handoff", "with --live: the group holds the boot GPU showing the host console; hand the console "
                           "over to the VM (stopping the units its policy names) and back when it stops");
}

int runAssign(CommandContext &context)
{
    return runAssignment(context, Change::Assign);
}

void declareUnassign(CommandOptions &options)
{
    declareVmDevice(options);
}

int runUnassign(CommandContext &context)
{
    return runAssignment(context, Change::Unassign);
}

} // namespace vfioctl::cli

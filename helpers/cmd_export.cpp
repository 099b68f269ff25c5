// vfioctl export nova|kubevirt: the devices of this host that can be passed through, with their IOMMU group
// companions, as OpenStack Nova's [pci] options or KubeVirt's permittedHostDevices; --persist also claims them for
// vfio-pci from boot, which both engines need. The choice is the fleet layer's, made as bind makes it.
#include "command.h"
#include "describe.h"
#include "error.h"
#include "json_views.h"
#include "kubevirt_config.h"
#include "nova_config.h"
#include "persist_policy.h"
#include "sysfs_value.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

// Exit code when the configuration was written but some selected devices were left out (README "Exit codes").
constexpr int exitLeftOut = 3;

// Names an operator can type and an INI line can hold: letters, digits, and - _ . :
std::string checkedName(const CommandContext &context, const char *option)
{
    if (!context.flag(option))
        return {};
    const std::string value = context.values[option].as<std::string>();
    if (value.empty() || value.size() > 64 ||
        value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") !=
            std::string::npos)
        throw UsageError(std::string("--") + option + " takes 1 to 64 letters, digits, '-', '_', '.' or ':'", "export");
    return value;
}

FleetRequest requestOf(const CommandContext &context)
{
    FleetRequest request;
    request.eligibleOnly = context.flag("eligible");
    if (context.flag("target"))
        for (const auto &text : context.values["target"].as<std::vector<std::string>>()) {
            const PersistEntry target = targetArgument(text);
            if (target.address)
                request.addresses.push_back(*target.address);
            else
                request.ids.push_back({target.vendor, target.device});
        }
    if (context.flag("class"))
        for (const auto &text : context.values["class"].as<std::vector<std::string>>()) {
            auto deviceClass = parseDeviceClass(text);
            if (!deviceClass)
                throw UsageError("--class takes gpu, nic, vf or nvme, not '" + text.substr(0, 32) + "'", "export");
            request.classes.push_back(*deviceClass);
        }
    if (request.addresses.empty() && request.ids.empty() && request.classes.empty() && !request.eligibleOnly)
        throw UsageError("name devices (0000:01:00.0, 10de:1b80), --class gpu|nic|vf|nvme, or --eligible for every "
                         "device that can go",
                         "export");
    return request;
}

std::map<PciAddress, std::string> heldDevices(CommandContext &context)
{
    std::map<PciAddress, std::string> held;
    for (const auto &journal : context.engine().status())
        for (const auto &entry : journal.devices)
            held.emplace(entry.device, journal.owner.describe());
    return held;
}

Json addressesJson(const std::vector<PciAddress> &addresses)
{
    Json array = Json::array();
    for (const auto &address : addresses)
        array.push_back(address.str());
    return array;
}

void printNova(CommandContext &context, const Inventory &inventory, const FleetSelection &selection)
{
    const NovaConfig config =
        novaConfig(inventory, selection, {checkedName(context, "physnet"), checkedName(context, "alias-prefix")});
    if (!context.flag("json")) {
        context.out << novaConfText(config);
        return;
    }
    Json specs = Json::array(), aliases = Json::array();
    for (const auto &spec : config.deviceSpecs)
        specs.push_back({{"spec", Json::parse(spec.spec.dump())}, {"devices", addressesJson(spec.devices)}});
    for (const auto &alias : config.aliases)
        aliases.push_back({{"alias", Json::parse(alias.alias.dump())}, {"devices", addressesJson(alias.devices)}});
    context.out << jsonText(Json{{"device_spec", specs}, {"alias", aliases}}) << "\n";
}

void printKubevirt(CommandContext &context, const Inventory &inventory, const FleetSelection &selection)
{
    const auto devices = kubevirtHostDevices(inventory, selection);
    for (const auto &device : devices)
        if (!device.staying.empty())
            context.err << "vfioctl: note: KubeVirt selects " << device.pciVendorSelector << " by id; "
                        << joinAddresses(device.staying)
                        << " of this host have it too and stay with the host (KubeVirt offers only devices bound "
                           "to vfio-pci)\n";
    if (!context.flag("json")) {
        context.out << kubevirtYaml(devices);
        return;
    }
    // A merge patch for the KubeVirt CR: `kubectl patch kubevirt kubevirt -n kubevirt --type merge -p "$(...)"`.
    Json entries = Json::array();
    for (const auto &device : devices)
        entries.push_back({{"pciVendorSelector", device.pciVendorSelector}, {"resourceName", device.resourceName}});
    context.out << jsonText(
                       Json{{"spec", {{"configuration", {{"permittedHostDevices", {{"pciHostDevices", entries}}}}}}}})
                << "\n";
}

// --persist: the exported devices to vfio-pci from boot (and now); --dry-run says what that would claim.
void persistExported(CommandContext &context, const FleetSelection &selection)
{
    std::vector<PciAddress> addresses;
    for (const PciDevice *device : selection.devices)
        addresses.push_back(device->address);
    if (addresses.empty())
        return;
    if (context.flag("dry-run")) {
        context.err << "vfioctl: note: --persist would claim for vfio-pci from boot and bind now: "
                    << joinAddresses(addresses) << "\n";
        return;
    }
    std::vector<PersistEntry> entries;
    for (const auto &address : addresses)
        entries.push_back({address, 0, 0});
    const PersistReport report = Persister(context.host, context.engine()).persist(entries, Force::No, ApplyNow::Yes);
    context.err << "vfioctl: note: "
                << (report.added.empty() ? "already persisted for vfio-pci from boot"
                                         : "persisted for vfio-pci from boot: " + joinWith(report.added, ", "))
                << "\n";
}

} // namespace

void declareExport(CommandOptions &options)
{
    options.visible.add_options()("eligible",
                                  "every device that can be passed through (or only those of the selection)")(
        "class", po::value<std::vector<std::string>>()->value_name("gpu|nic|vf|nvme"), "select a kind of device")(
        "physnet", po::value<std::string>()->value_name("NAME"), "nova: the physical_network of NIC VFs")(
        "alias-prefix", po::value<std::string>()->value_name("PREFIX"), "nova: alias names PREFIX-VENDOR-DEVICE")(
        "persist", "also claim the exported devices for vfio-pci from boot, and now")(
        "dry-run", "with --persist: say what it would claim, change nothing");
    addJsonOption(options);
    options.hidden.add_options()("engine", po::value<std::string>())("target", po::value<std::vector<std::string>>());
    options.positional.add("engine", 1).add("target", -1);
}

int runExport(CommandContext &context)
{
    const std::string engine = context.flag("engine") ? context.values["engine"].as<std::string>() : "";
    if (engine != "nova" && engine != "kubevirt")
        throw UsageError("export for 'nova' or 'kubevirt'", "export");
    if (context.flag("dry-run") && !context.flag("persist"))
        throw UsageError("--dry-run goes with --persist", "export");
    const FleetRequest request = requestOf(context);
    const Inventory inventory = context.scan();
    const FleetSelection selection = selectForFleet(inventory, request, heldDevices(context));
    for (const auto &left : selection.leftOut)
        context.err << "vfioctl: left out " << left.address.str() << ": " << left.reason << "\n";
    if (selection.devices.empty() && selection.leftOut.empty())
        throw Error("no device of this host matches that selection", ENOENT);
    if (engine == "nova")
        printNova(context, inventory, selection);
    else
        printKubevirt(context, inventory, selection);
    if (context.flag("persist"))
        persistExported(context, selection);
    return selection.leftOut.empty() ? exitOk : exitLeftOut;
}

} // namespace vfioctl::cli

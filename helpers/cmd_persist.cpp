// vfioctl persist / unpersist: claim devices for vfio-pci from early boot (udev-rules/40-vfioctl-persist.rules), and
// by default apply the change now too.
#include "bind_engine.h"
#include "command.h"
#include "describe.h"
#include "eligibility.h"
#include "error.h"
#include "json_views.h"
#include "persistence.h"
#include "pci_scanner.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <algorithm>
#include <ostream>

namespace vfioctl::cli {

namespace {

// The engine's owner for devices bound by `persist`; `vfioctl status` shows it.
constexpr const char *persistOwner = "persist";

std::vector<const PciDevice *> presentMatches(const Inventory &inventory, const PersistEntry &entry)
{
    std::vector<const PciDevice *> matches;
    for (const auto &device : inventory.pci)
        if (entry.matches(device.address, device.vendorId, device.deviceId) && !device.isBridge())
            matches.push_back(&device);
    return matches;
}

void refuseHostUse(const Inventory &inventory, const std::vector<PciAddress> &devices)
{
    for (const auto &address : devices)
        for (const auto &reason : assessEligibility(inventory, inventory.requirePci(address)).reasons)
            if (reason.kind == IneligibleKind::UsedByHost || reason.kind == IneligibleKind::BootVga)
                throw Error("refusing to persist " + address.str() + ": the host uses it: " + reason.detail +
                                "; use --force to claim it from the next boot anyway",
                            EBUSY);
}

struct Targets {
    std::vector<PersistEntry> entries;
    po::variables_map values;
};

std::optional<Targets> parseTargets(CommandContext &context, const std::vector<std::string> &args, const char *command,
                                    bool persisting)
{
    po::options_description options(std::string(command) + " options");
    options.add_options()("boot-only", "change only what happens at the next boot, not the drivers now");
    if (persisting)
        options.add_options()("force", "claim devices the host uses (it loses them)")(
            "list", "list what is persisted")("json", "with --list: machine-readable output (docs/JSON.md)");
    po::options_description hidden;
    hidden.add_options()("target", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("target", -1);
    Targets targets;
    std::string usage = persisting ? "DEVICE|VENDOR:DEVICE... [--boot-only] [--force] | --list [--json]"
                                   : "DEVICE|VENDOR:DEVICE... [--boot-only]";
    if (!parseArguments(command, usage, args, all, positional, targets.values, context.out))
        return std::nullopt;
    if (targets.values.count("list"))
        return targets;
    if (!targets.values.count("target"))
        throw UsageError("name a PCI device (0000:01:00.0) or a VENDOR:DEVICE id (10de:1b80)", command);
    for (const auto &text : targets.values["target"].as<std::vector<std::string>>())
        targets.entries.push_back(parsePersistTarget(text));
    return targets;
}

int listPersisted(CommandContext &context, const po::variables_map &values)
{
    NoHardwareNames noNames;
    const Inventory inventory = scanInventory(context.host, noNames);
    const auto entries = PersistStore(context.host).list();
    if (values.count("json")) {
        Json array = Json::array();
        for (const auto &entry : entries) {
            Json devices = Json::array();
            for (const auto *device : presentMatches(inventory, entry))
                devices.push_back({{"address", device->address.str()},
                                   {"driver", device->driver.empty() ? Json(nullptr) : Json(device->driver)}});
            array.push_back({{"kind", entry.address ? "address" : "id"}, {"target", entry.text()}, {"devices", devices}});
        }
        context.out << Json{{"persisted", array}}.dump(2) << "\n";
        return exitOk;
    }
    if (entries.empty()) {
        context.out << "Nothing is persisted.\n";
        return exitOk;
    }
    TextTable table({"TARGET", "KIND", "PRESENT DEVICES (DRIVER NOW)"});
    for (const auto &entry : entries) {
        std::vector<std::string> present;
        for (const auto *device : presentMatches(inventory, entry))
            present.push_back(device->address.str() + " (" + orDash(device->driver) + ")");
        table.addRow({entry.text(), entry.address ? "address" : "id", present.empty() ? "-" : joinWith(present, ", ")});
    }
    table.print(context.out);
    return exitOk;
}

} // namespace

int runPersist(CommandContext &context, const std::vector<std::string> &args)
{
    auto targets = parseTargets(context, args, "persist", true);
    if (!targets)
        return exitOk;
    if (targets->values.count("list"))
        return listPersisted(context, targets->values);
    const bool force = targets->values.count("force") > 0;
    const bool now = !targets->values.count("boot-only");

    NoHardwareNames noNames;
    const Inventory inventory = scanInventory(context.host, noNames);
    // An address brings its whole IOMMU group: passthrough needs every endpoint on vfio-pci, at boot as now.
    std::vector<PersistEntry> entries;
    std::vector<PciAddress> toBind;
    for (const auto &entry : targets->entries) {
        if (entry.address) {
            for (const auto &member : inventory.groupEndpoints(*entry.address)) {
                entries.push_back({member, 0, 0});
                toBind.push_back(member);
            }
        } else {
            entries.push_back(entry);
            for (const auto *device : presentMatches(inventory, entry))
                toBind.push_back(device->address);
        }
    }
    if (!force)
        refuseHostUse(inventory, toBind);

    PersistStore store(context.host);
    std::vector<std::string> added;
    for (const auto &entry : entries)
        if (store.add(entry)) // false for one already there, so a repeated target is added once
            added.push_back(entry.text());
    context.out << (added.empty() ? "already persisted: nothing new"
                                  : "persisted for vfio-pci from boot: " + joinWith(added, ", "))
                << "\n";
    if (now && !toBind.empty()) {
        auto modules = makeLoaderFor(context.host);
        BindEngine engine(context.host, *modules, std::chrono::seconds(10));
        BindRequest request;
        request.owner = persistOwner;
        request.devices = toBind;
        request.force = force ? Force::Yes : Force::No;
        BindOutcome outcome = engine.bind(request);
        context.out << "bound now: " << joinAddresses(outcome.endpoints) << "\n";
        std::vector<PciAddress> uncovered;
        for (const auto &endpoint : outcome.endpoints)
            if (std::none_of(entries.begin(), entries.end(), [&](const PersistEntry &entry) {
                    const PciDevice &device = inventory.requirePci(endpoint);
                    return entry.matches(endpoint, device.vendorId, device.deviceId);
                }))
                uncovered.push_back(endpoint);
        if (!uncovered.empty())
            context.out << "note: their IOMMU group companions " << joinAddresses(uncovered)
                        << " are bound now but not persisted; persist them too for passthrough after a reboot\n";
    }
    return exitOk;
}

int runUnpersist(CommandContext &context, const std::vector<std::string> &args)
{
    auto targets = parseTargets(context, args, "unpersist", false);
    if (!targets)
        return exitOk;
    const bool now = !targets->values.count("boot-only");
    NoHardwareNames noNames;
    const Inventory inventory = scanInventory(context.host, noNames);
    PersistStore store(context.host);
    std::vector<std::string> removed;
    std::vector<PciAddress> present;
    for (const auto &entry : targets->entries) {
        std::vector<PersistEntry> group = {entry};
        if (entry.address && inventory.findPci(*entry.address) && !inventory.requirePci(*entry.address).isBridge() &&
            inventory.requirePci(*entry.address).iommuGroup) {
            group.clear();
            for (const auto &member : inventory.groupEndpoints(*entry.address))
                group.push_back({member, 0, 0});
        }
        for (const auto &one : group) {
            if (store.remove(one))
                removed.push_back(one.text());
            for (const auto *device : presentMatches(inventory, one))
                present.push_back(device->address);
        }
    }
    context.out << (removed.empty() ? "nothing was persisted for that" : "no longer persisted: " + joinWith(removed, ", "))
                << "\n";
    if (!now || present.empty())
        return exitOk;

    // Give back what is on vfio-pci for no VM: bound by `persist` now, or at boot by the rule (no journal then).
    auto modules = makeLoaderFor(context.host);
    BindEngine engine(context.host, *modules, std::chrono::seconds(10));
    std::vector<PciAddress> giveBack, heldByVms;
    const std::vector<Journal> journals = engine.status(); // read once, not once per device
    for (const auto &address : present) {
        std::string holder;
        for (const auto &journal : journals)
            if (journal.find(address))
                holder = journal.owner;
        if (!holder.empty() && holder != persistOwner)
            heldByVms.push_back(address);
        else if (currentDriver(context.host, address) == std::string(vfioDriver))
            giveBack.push_back(address);
    }
    if (!giveBack.empty()) {
        engine.giveBack(giveBack);
        context.out << "given back now: " << joinAddresses(giveBack) << "\n";
    }
    if (!heldByVms.empty())
        context.out << "note: " << joinAddresses(heldByVms)
                    << " are held by a VM now and stay on vfio-pci until it stops\n";
    return exitOk;
}

} // namespace vfioctl::cli

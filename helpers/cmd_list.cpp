// vfioctl list: every host device, and for PCI whether it can be passed through and why not.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "sysfs_value.h"
#include "text_table.h"

#include <algorithm>
#include <functional>
#include <ostream>
#include <set>
#include <sstream>

namespace vfioctl::cli {

namespace {

const std::set<std::string> deviceTypes = {"pci", "usb", "scsi", "net", "block", "all"};

std::string groupText(const PciDevice &device)
{
    return device.iommuGroup ? std::to_string(*device.iommuGroup) : "-";
}

std::string addressText(const std::optional<PciAddress> &address)
{
    return address ? address->str() : "-";
}

std::string joined(const std::vector<std::string> &items, const char *separator = ",")
{
    std::string out = joinWith(items, separator);
    return out.empty() ? "-" : out;
}

const std::vector<Holder> *holdersOf(const std::optional<HolderMap> &holders, const PciAddress &address)
{
    if (!holders)
        return nullptr;
    auto found = holders->find(address);
    return found == holders->end() ? nullptr : &found->second;
}

// --eligible: only what can be passed through (a tree keeps the bridges above it).
enum class Shown { All, EligibleOnly };

Eligibility eligibilityWithHolders(const Inventory &inventory, const PciDevice &device,
                                   const std::optional<HolderMap> &holders)
{
    Eligibility eligibility = assessEligibility(inventory, device);
    if (const auto *list = holdersOf(holders, device.address))
        addHolderReasons(eligibility, *list);
    return eligibility;
}

void printPciTable(const Inventory &inventory, Shown shown, const std::optional<HolderMap> &holders, std::ostream &out)
{
    std::vector<std::string> header = {"ADDRESS", "GROUP", "DRIVER", "PASSTHROUGH"};
    if (holders)
        header.push_back("VM");
    header.push_back("DEVICE");
    TextTable table(header);
    for (const auto &device : inventory.pci) {
        Eligibility eligibility = eligibilityWithHolders(inventory, device, holders);
        if (shown == Shown::EligibleOnly && !eligibility.eligible())
            continue;
        std::vector<std::string> row = {device.address.str(), groupText(device), orDash(device.driver),
                                        passthroughText(eligibility)};
        if (holders) {
            std::vector<std::string> vms;
            if (const auto *list = holdersOf(holders, device.address))
                for (const auto &holder : *list)
                    vms.push_back(holder.vm);
            row.push_back(joined(vms));
        }
        row.push_back(describePci(device));
        table.addRow(row);
        for (const auto &reason : eligibility.reasons)
            table.addNote("not eligible: " + reason.detail);
        if (eligibility.eligible() && eligibility.handoff)
            table.addNote(handoffNote(*eligibility.handoff));
        for (const auto &note : eligibility.notes)
            table.addNote(note);
        if (device.sriov)
            table.addNote("SR-IOV physical function: " + std::to_string(device.sriov->enabled) + " of " +
                          std::to_string(device.sriov->total) + " VFs enabled ('vfioctl sriov " + device.address.str() +
                          "')");
        if (device.physicalFunction)
            table.addNote("SR-IOV virtual function of " + device.physicalFunction->str());
    }
    table.print(out);
}

void printChildren(const Inventory &inventory, const PciAddress &address, const std::string &indent, std::ostream &out)
{
    for (const auto *usb : inventory.usbBelow(address))
        out << indent << "usb " << usb->name << "  " << describeUsb(*usb) << "\n";
    for (const auto *scsi : inventory.scsiBelow(address))
        out << indent << "scsi " << scsi->hctl << "  " << scsi->typeName() << " " << scsi->vendor << " " << scsi->model
            << " (" << joined(scsi->blockDevices) << ")\n";
    for (const auto *net : inventory.netBelow(address))
        out << indent << "net " << net->name << "  " << orDash(net->mac) << "  " << joined(net->addresses, " ")
            << (net->defaultRoute ? "  default route" : "") << "\n";
    for (const auto *disk : inventory.blockBelow(address)) {
        out << indent << "block " << disk->name;
        if (!disk->partitions.empty())
            out << " (" << joined(disk->partitions) << ")";
        for (const auto &use : disk->uses)
            out << "  [" << use.description << "]";
        out << "\n";
    }
}

void printTreeBelow(const Inventory &inventory, const std::optional<PciAddress> &parent, Shown shown,
                    const std::string &indent, std::ostream &out)
{
    for (const auto &device : inventory.pci) {
        if (device.parentBridge != parent)
            continue;
        Eligibility eligibility = assessEligibility(inventory, device);
        bool visible = shown == Shown::All || eligibility.eligible() || device.isBridge();
        if (visible) {
            out << indent << device.address.str() << "  group " << groupText(device) << "  " << orDash(device.driver)
                << "  " << describePci(device) << "\n";
            if (!device.isBridge())
                out << indent << "    passthrough: "
                    << (!eligibility.eligible() ? "no: " + eligibility.reasons.front().detail
                        : eligibility.handoff   ? "with a console hand-off: " + handoffNote(*eligibility.handoff)
                                                : "yes")
                    << "\n";
            printChildren(inventory, device.address, indent + "    ", out);
        }
        printTreeBelow(inventory, device.address, shown, indent + "    ", out);
    }
}

void printUsbTable(const Inventory &inventory, std::ostream &out)
{
    TextTable table({"NAME", "BUS", "DEV", "PCI CONTROLLER", "DEVICE"});
    for (const auto &usb : inventory.usb)
        table.addRow({usb.name, std::to_string(usb.busNumber), std::to_string(usb.deviceNumber),
                      addressText(usb.controller), describeUsb(usb)});
    table.print(out);
}

void printScsiTable(const Inventory &inventory, std::ostream &out)
{
    TextTable table({"HCTL", "TYPE", "VENDOR", "MODEL", "BLOCK", "PCI HBA"});
    for (const auto &scsi : inventory.scsi)
        table.addRow({scsi.hctl, scsi.typeName(), orDash(scsi.vendor), orDash(scsi.model), joined(scsi.blockDevices),
                      addressText(scsi.hba)});
    table.print(out);
}

void printNetTable(const Inventory &inventory, std::ostream &out)
{
    TextTable table({"NAME", "MAC", "PCI DEVICE", "DEFAULT ROUTE", "ADDRESSES"});
    for (const auto &net : inventory.net)
        table.addRow({net.name, orDash(net.mac), addressText(net.pciDevice), net.defaultRoute ? "yes" : "no",
                      joined(net.addresses, " ")});
    table.print(out);
}

void printBlockTable(const Inventory &inventory, std::ostream &out)
{
    TextTable table({"NAME", "DEV", "PCI DEVICE", "PARTITIONS", "HOST USE"});
    for (const auto &disk : inventory.block) {
        std::vector<std::string> uses;
        for (const auto &use : disk.uses)
            uses.push_back(use.description);
        table.addRow(
            {disk.name, disk.majorMinor, addressText(disk.pciDevice), joined(disk.partitions), joined(uses, "; ")});
    }
    table.print(out);
}

// Streamed, one device a line: a host with tens of thousands of SR-IOV functions never holds the whole document in
// memory (docs/PERFORMANCE.md).
void printJson(const Inventory &inventory, const std::function<bool(const char *)> &wants, Shown shown,
               const std::optional<HolderMap> &holders, const std::optional<JsonWriter::MemberNames> &fields,
               std::ostream &out)
{
    JsonArrayWriter writer(out);
    writer.onlyMembers(fields ? &*fields : nullptr);
    if (wants("pci")) {
        writer.begin("pci");
        for (const auto &device : inventory.pci) {
            Eligibility eligibility = eligibilityWithHolders(inventory, device, holders);
            if (shown == Shown::All || eligibility.eligible())
                writeJson(writer.item(), device, eligibility, holdersOf(holders, device.address), holders.has_value());
        }
    }
    auto section = [&](const char *kind, const auto &devices) {
        if (!wants(kind))
            return;
        writer.begin(kind);
        for (const auto &device : devices)
            writeJson(writer.item(), device);
    };
    section("usb", inventory.usb);
    section("scsi", inventory.scsi);
    section("net", inventory.net);
    section("block", inventory.block);
    writer.finish();
}

// Every member `list --json` writes for the requested types: printJson's own output for one empty device of each
// type, so that what --fields accepts is always what the JSON has.
std::set<std::string> listMembers(const std::function<bool(const char *)> &wants)
{
    Inventory sample;
    sample.pci.emplace_back();
    sample.usb.emplace_back();
    sample.scsi.emplace_back();
    sample.net.emplace_back();
    sample.block.emplace_back();
    std::ostringstream text;
    printJson(sample, wants, Shown::All, std::nullopt, std::nullopt, text);
    std::set<std::string> names;
    for (const auto &devices : nlohmann::json::parse(text.str()))
        for (const auto &[name, value] : devices.at(0).items())
            names.insert(name);
    return names;
}

// --fields a,b,c: the members each device object keeps; every name must be one the requested types have.
std::optional<JsonWriter::MemberNames>
fieldsOption(const po::variables_map &values, const std::function<bool(const char *)> &wants, const std::string &type)
{
    if (!values.count("fields"))
        return std::nullopt;
    if (!values.count("json"))
        throw UsageError("--fields chooses the members of the device objects of --json; add --json", "list");
    const std::string text = values["fields"].as<std::string>();
    if (text.empty())
        throw UsageError("--fields names no member (expected names separated by commas, e.g. address,driver)", "list");
    const std::set<std::string> known = listMembers(wants);
    JsonWriter::MemberNames chosen;
    for (size_t start = 0; start <= text.size();) {
        const size_t end = std::min(text.find(',', start), text.size());
        const std::string name = text.substr(start, end - start);
        start = end + 1;
        if (name.empty())
            throw UsageError("--fields has an empty name (expected names separated by commas, e.g. address,driver)",
                             "list");
        if (!known.contains(name))
            throw UsageError("--fields: '" + name + "' is not a member of " +
                                 (type == "all" ? std::string("any device") : type + " devices") + " in list --json (" +
                                 joinWith(std::vector<std::string>(known.begin(), known.end()), ", ") + ")",
                             "list");
        chosen.insert(name);
    }
    return chosen;
}

} // namespace

void declareList(CommandOptions &options)
{
    options.visible.add_options()("type", po::value<std::string>()->default_value("pci"),
                                  "pci, usb, scsi, net, block or all")("eligible",
                                                                       "only PCI devices that can be passed through")(
        "tree", "show PCI devices under their bridges, with their USB, SCSI, network and block children");
    addJsonOption(options);
    options.visible.add_options()("fields", po::value<std::string>()->value_name("NAME,..."),
                                  "with --json: only these members of each device object (docs/JSON.md)");
}

int runList(CommandContext &context)
{
    const po::variables_map &values = context.values;
    const std::string type = values["type"].as<std::string>();
    if (!deviceTypes.contains(type))
        throw UsageError("unknown device type '" + type + "' (expected pci, usb, scsi, net, block or all)", "list");
    const Shown shown = values.count("eligible") > 0 ? Shown::EligibleOnly : Shown::All;
    auto wants = [&](const char *kind) { return type == kind || type == "all"; };
    const std::optional<JsonWriter::MemberNames> fields = fieldsOption(values, wants, type);

    Inventory inventory = context.scanReading(pciFactsShowing(fields ? &*fields : nullptr));
    const std::optional<HolderMap> holders = wants("pci") ? context.holdingsForListing() : std::nullopt;

    if (values.count("json")) {
        printJson(inventory, wants, shown, holders, fields, context.out);
        return exitOk;
    }

    if (values.count("tree")) {
        printTreeBelow(inventory, std::nullopt, shown, "", context.out);
        return exitOk;
    }
    bool first = true;
    auto section = [&](const char *kind, const char *title, auto print) {
        if (!wants(kind))
            return;
        if (type == "all")
            context.out << (first ? "" : "\n") << title << "\n";
        first = false;
        print(inventory, context.out);
    };
    section("pci", "PCI devices",
            [&](const Inventory &all, std::ostream &out) { printPciTable(all, shown, holders, out); });
    section("usb", "USB devices", printUsbTable);
    section("scsi", "SCSI devices", printScsiTable);
    section("net", "Network interfaces", printNetTable);
    section("block", "Block devices", printBlockTable);
    if (wants("pci") && inventory.groups.empty())
        context.out
            << "\nNo IOMMU groups: the IOMMU is off or missing, so no device can be passed through.\n"
               "Enable VT-d or AMD-Vi in the firmware and boot with intel_iommu=on (Intel) or amd_iommu=on (AMD).\n";
    return exitOk;
}

} // namespace vfioctl::cli

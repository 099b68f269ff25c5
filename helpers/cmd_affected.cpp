// vfioctl affected DEVICE: what passing one PCI device through takes from the host.
#include "command.h"
#include "describe.h"
#include "json_views.h"
#include "sysfs_value.h"

#include <ostream>

namespace vfioctl::cli {

namespace {

void printFunctions(std::ostream &out, const char *title, const std::vector<const PciDevice *> &devices)
{
    if (devices.empty())
        return;
    out << title;
    for (const PciDevice *device : devices)
        out << "    " << device->address.str() << "  (now " << orDash(device->driver) << ")  " << describePci(*device)
            << "\n";
}

} // namespace

void declareAffected(CommandOptions &options)
{
    options.hidden.add_options()("device", po::value<std::string>()->required(),
                                 "PCI address: 0000:01:00.0, 01:00.0 or pci_0000_01_00_0");
    options.positional.add("device", 1);
    addJsonOption(options);
}

int runAffected(CommandContext &context)
{
    const po::variables_map &values = context.values;
    const PciAddress address = deviceArgument(values["device"].as<std::string>());
    Inventory inventory = context.scan({address}); // its group and what is below it, not the whole host
    AffectedDevices affected = affectedDevices(inventory, address);
    if (values.count("json")) {
        JsonWriter writer(context.out, 2);
        writeJson(writer, affected, inventory);
        writer.raw("\n");
        return exitOk;
    }

    std::ostream &out = context.out;
    const PciDevice &requested = inventory.requirePci(address);
    Eligibility eligibility = assessEligibility(inventory, requested);
    out << "Passing " << address.str() << " through";
    if (affected.group)
        out << " takes IOMMU group " << *affected.group << ".\n";
    else
        out << " is not possible: it has no IOMMU group.\n";
    out << (affected.group ? "\nMoved to vfio-pci:\n" : "\nThe device:\n");
    for (const PciDevice *device : affected.endpoints) {
        out << "    " << device->address.str() << "  (now " << orDash(device->driver) << ")  " << describePci(*device)
            << "\n";
        if (hasNoResetMethod(inventory, *device))
            out << "        reset: " << noResetNote << "\n";
        else if (!device->resetMethods.empty())
            out << "        reset: " << joinWith(device->resetMethods, ", ") << "\n";
    }
    printFunctions(out, "\nBridges in the group, left on their host driver:\n", affected.bridges);
    printFunctions(out, "\nVirtual functions that go away with their physical function:\n", affected.virtualFunctions);
    bool hasChildren =
        !affected.usb.empty() || !affected.scsi.empty() || !affected.net.empty() || !affected.block.empty();
    if (hasChildren) {
        out << "\nThe host loses these devices with them:\n";
        for (const auto *usb : affected.usb)
            out << "    usb " << usb->name << "  " << describeUsb(*usb) << "\n";
        for (const auto *scsi : affected.scsi)
            out << "    scsi " << scsi->hctl << "  " << scsi->typeName() << " " << scsi->vendor << " " << scsi->model
                << "\n";
        for (const auto *net : affected.net)
            out << "    net " << net->name << "  " << orDash(net->mac) << "\n";
        for (const auto *disk : affected.block)
            out << "    block " << disk->name << "\n";
    }
    out << "\nEligible: "
        << (!eligibility.eligible() ? "no"
            : eligibility.handoff   ? "yes, with a console hand-off"
                                    : "yes")
        << "\n";
    for (const auto &reason : eligibility.reasons)
        out << "    " << reason.detail << "\n";
    if (eligibility.eligible() && eligibility.handoff)
        out << "    " << handoffNote(*eligibility.handoff) << "\n";
    for (const auto &note : eligibility.notes)
        out << "    note: " << note << "\n";
    return exitOk;
}

} // namespace vfioctl::cli

// vfioctl groups: the IOMMU groups and the devices in each.
#include "command.h"
#include "describe.h"
#include "json_views.h"

#include <ostream>

namespace vfioctl::cli {

void declareGroups(CommandOptions &options)
{
    addJsonOption(options);
}

int runGroups(CommandContext &context)
{
    const po::variables_map &values = context.values;
    Inventory inventory = context.scan();
    if (values.count("json")) {
        JsonWriter writer(context.out, 2);
        writer.beginObject().key("groups").beginArray();
        for (const auto &group : inventory.groups)
            writeJson(writer, group, inventory);
        writer.endArray().endObject().raw("\n");
        return exitOk;
    }
    if (inventory.groups.empty()) {
        context.out << "No IOMMU groups: the IOMMU is off or missing, so no device can be passed through.\n";
        return exitOk;
    }
    for (const auto &group : inventory.groups) {
        context.out << "IOMMU group " << group.number << "\n";
        for (const auto &address : group.devices) {
            const PciDevice *device = inventory.findPci(address);
            context.out << "    " << address.str() << "  " << (device ? orDash(device->driver) : "-") << "  "
                        << (device ? describePci(*device) : "(not listed under /sys/bus/pci)")
                        << (device && device->isBridge() ? "  [bridge: stays on the host]" : "") << "\n";
        }
    }
    return exitOk;
}

} // namespace vfioctl::cli

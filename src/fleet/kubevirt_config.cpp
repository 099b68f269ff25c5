#include "kubevirt_config.h"

#include "resource_names.h"

#include <cstdio>
#include <map>
#include <set>

namespace vfioctl {

namespace {

KubevirtHostDevice makeEntry(const PciDevice &first)
{
    return {hexId(first.vendorId) + ":" + hexId(first.deviceId), kubevirtResourceName(first), {}, {}};
}

} // namespace

std::vector<KubevirtHostDevice> kubevirtHostDevices(const Inventory &inventory, const FleetSelection &selection)
{
    std::map<PciId, KubevirtHostDevice> byId;
    std::set<PciAddress> exported;
    for (const PciDevice *device : selection.devices) {
        auto [entry, added] = byId.try_emplace(PciId{device->vendorId, device->deviceId}, makeEntry(*device));
        entry->second.devices.push_back(device->address);
        exported.insert(device->address);
    }
    for (const auto &device : inventory.pci)
        if (auto entry = byId.find({device.vendorId, device.deviceId});
            entry != byId.end() && !exported.count(device.address))
            entry->second.staying.push_back(device.address);

    std::vector<KubevirtHostDevice> devices;
    std::set<std::string> names;
    for (auto &[id, entry] : byId) {
        // Two ids with one name would become one resource: the id tells them apart.
        if (!names.insert(entry.resourceName).second) {
            names.insert(entry.resourceName += "_" + hexId(id.vendor) + "_" + hexId(id.device));
        }
        devices.push_back(std::move(entry));
    }
    return devices;
}

std::string kubevirtYaml(const std::vector<KubevirtHostDevice> &devices)
{
    // Every value is quoted: a selector such as "1234:5678" is a sexagesimal number to a YAML 1.1 reader.
    std::string text = "spec:\n  configuration:\n    permittedHostDevices:\n      pciHostDevices:\n";
    if (devices.empty())
        text = "spec:\n  configuration:\n    permittedHostDevices:\n      pciHostDevices: []\n";
    for (const auto &device : devices) {
        const size_t count = device.devices.size();
        text += "        # " + std::to_string(count) + (count == 1 ? " device" : " devices") +
                " of this host: " + device.devices.front().str();
        if (count > 2)
            text += " ... ";
        else if (count == 2)
            text += ", ";
        if (count > 1)
            text += device.devices.back().str();
        text += "\n        - pciVendorSelector: \"" + device.pciVendorSelector + "\"\n";
        text += "          resourceName: \"" + device.resourceName + "\"\n";
    }
    return text;
}

} // namespace vfioctl

#include "nova_config.h"

#include "resource_names.h"

#include <cstdio>
#include <map>
#include <set>

namespace vfioctl {

namespace {

bool isNicVf(const PciDevice &device)
{
    return device.physicalFunction && inClass(device, DeviceClass::Nic);
}

// Every device of the host with this id: an id spec may stand for the exported ones only if it is all of them.
size_t devicesWithId(const Inventory &inventory, PciId id)
{
    size_t count = 0;
    for (const auto &device : inventory.pci)
        if (device.vendorId == id.vendor && device.deviceId == id.device)
            ++count;
    return count;
}

nlohmann::ordered_json tagged(nlohmann::ordered_json spec, const PciDevice &device, const NovaOptions &options)
{
    if (!options.physicalNetwork.empty() && isNicVf(device))
        spec["physical_network"] = options.physicalNetwork;
    return spec;
}

} // namespace

std::string novaDeviceType(const PciDevice &device)
{
    if (device.physicalFunction)
        return "type-VF";
    if (device.sriov && device.sriov->total > 0)
        return "type-PF";
    return "type-PCI";
}

NovaConfig novaConfig(const Inventory &inventory, const FleetSelection &selection, const NovaOptions &options)
{
    // The exported devices by id and device type (an alias requests one type), in address order.
    std::map<std::pair<PciId, std::string>, std::vector<const PciDevice *>> byId;
    for (const PciDevice *device : selection.devices)
        byId[{PciId{device->vendorId, device->deviceId}, novaDeviceType(*device)}].push_back(device);

    NovaConfig config;
    std::set<std::string> aliasNames;
    for (const auto &[key, devices] : byId) {
        const PciId id = key.first;
        size_t sameIdExported = 0;
        for (const auto &[other, list] : byId)
            if (other.first == id)
                sameIdExported += list.size();
        if (sameIdExported == devicesWithId(inventory, id)) {
            NovaDeviceSpec spec{
                tagged({{"vendor_id", hexId(id.vendor)}, {"product_id", hexId(id.device)}}, *devices.front(), options),
                {}};
            for (const PciDevice *device : devices)
                spec.devices.push_back(device->address);
            // Two device types of one id (rare): one spec serves both.
            if (config.deviceSpecs.empty() || config.deviceSpecs.back().spec != spec.spec)
                config.deviceSpecs.push_back(std::move(spec));
            else
                config.deviceSpecs.back().devices.insert(config.deviceSpecs.back().devices.end(), spec.devices.begin(),
                                                         spec.devices.end());
        } else {
            for (const PciDevice *device : devices)
                config.deviceSpecs.push_back(
                    {tagged({{"address", device->address.str()}}, *device, options), {device->address}});
        }

        std::string name = novaAliasName(*devices.front(), options.aliasPrefix);
        if (!aliasNames.insert(name).second) // two ids with one name: the ids tell them apart
            aliasNames.insert(name += "-" + hexId(id.vendor) + "-" + hexId(id.device) + "-" + key.second.substr(5));
        NovaAlias alias{{{"name", name},
                         {"vendor_id", hexId(id.vendor)},
                         {"product_id", hexId(id.device)},
                         {"device_type", key.second}},
                        {}};
        for (const PciDevice *device : devices)
            alias.devices.push_back(device->address);
        config.aliases.push_back(std::move(alias));
    }
    return config;
}

std::string novaConfText(const NovaConfig &config)
{
    std::string text = "[pci]\n";
    for (const auto &spec : config.deviceSpecs)
        text += "device_spec = " + spec.spec.dump() + "\n";
    for (const auto &alias : config.aliases)
        text += "alias = " + alias.alias.dump() + "\n";
    return text;
}

} // namespace vfioctl

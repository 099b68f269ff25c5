// The [pci] section of nova.conf for the exported devices: a device_spec per id (when every device of the host with
// that id goes) or per address (when some stays), and an alias per id and device type.
#pragma once

#include "fleet_selection.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vfioctl {

struct NovaOptions {
    std::string physicalNetwork; // tagged on NIC VFs (Neutron's SR-IOV ports need it); empty: none
    std::string aliasPrefix;     // alias names PREFIX-VVVV-DDDD; empty: from the hardware names
};

struct NovaDeviceSpec {
    nlohmann::ordered_json spec;     // one device_spec value
    std::vector<PciAddress> devices; // exactly the devices of this host it matches
};

struct NovaAlias {
    nlohmann::ordered_json alias;    // one alias value: name, vendor_id, product_id, device_type
    std::vector<PciAddress> devices; // the exported devices it requests
};

struct NovaConfig {
    std::vector<NovaDeviceSpec> deviceSpecs;
    std::vector<NovaAlias> aliases;
};

// type-VF for a virtual function, type-PF for a function that can make VFs, type-PCI for anything else.
std::string novaDeviceType(const PciDevice &device);
NovaConfig novaConfig(const Inventory &inventory, const FleetSelection &selection, const NovaOptions &options);
// "[pci]\ndevice_spec = {...}\n...alias = {...}\n", ready to paste into nova.conf.
std::string novaConfText(const NovaConfig &config);

} // namespace vfioctl

// The KubeVirt CR's spec.configuration.permittedHostDevices.pciHostDevices for the exported devices. KubeVirt selects
// by VENDOR:DEVICE only and offers a node's devices with that id that are bound to vfio-pci: an id some device of
// this host keeps on a host driver is still exported, with a note, since only the exported ones get vfio-pci.
#pragma once

#include "fleet_selection.h"

#include <string>
#include <vector>

namespace vfioctl {

struct KubevirtHostDevice {
    std::string pciVendorSelector;   // "10de:1b80"
    std::string resourceName;        // "nvidia.com/GP104_GeForce_GTX_1080"
    std::vector<PciAddress> devices; // the exported devices it offers
    std::vector<PciAddress> staying; // devices of this host with the id that are not exported
};

std::vector<KubevirtHostDevice> kubevirtHostDevices(const Inventory &inventory, const FleetSelection &selection);
// The KubeVirt CR fragment as YAML (the form `kubectl edit kubevirt` shows).
std::string kubevirtYaml(const std::vector<KubevirtHostDevice> &devices);

} // namespace vfioctl

// Which devices of this host a fleet engine (OpenStack Nova, KubeVirt) may be given: the selected ones that can be
// passed through, each with its IOMMU group companions, decided exactly as `vfioctl bind` decides.
#pragma once

#include "inventory.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vfioctl {

enum class DeviceClass { Gpu, Nic, Vf, Nvme };

// "gpu", "nic", "vf", "nvme"; nullopt for anything else.
std::optional<DeviceClass> parseDeviceClass(std::string_view text);
bool inClass(const PciDevice &device, DeviceClass deviceClass);

struct PciId {
    uint16_t vendor = 0;
    uint16_t device = 0;
    auto operator<=>(const PciId &) const = default;
};

struct FleetRequest {
    std::vector<PciAddress> addresses;
    std::vector<PciId> ids;
    std::vector<DeviceClass> classes;
    // Only the eligible devices of the selection, without naming the others (with no selector: every one).
    bool eligibleOnly = false;
};

struct LeftOut {
    PciAddress address;
    std::string reason;
};

struct FleetSelection {
    std::vector<const PciDevice *> devices; // selected devices and their group companions, in address order
    std::vector<LeftOut> leftOut;           // selected devices that cannot go, with the reason
};

// `held` names the devices an owner holds now (from the journals), with the owner: bind refuses them, so does this.
// Throws Error for an address that is not on this host.
FleetSelection selectForFleet(const Inventory &inventory, const FleetRequest &request,
                              const std::map<PciAddress, std::string> &held);

} // namespace vfioctl

#include "fleet_selection.h"

#include "eligibility.h"
#include "error.h"

#include <algorithm>
#include <set>

namespace vfioctl {

namespace {

constexpr uint8_t displayClass = 0x03;
constexpr uint8_t networkClass = 0x02;
constexpr uint32_t nvmeClass = 0x010802; // mass storage, non-volatile memory, NVM Express

bool selected(const PciDevice &device, const FleetRequest &request)
{
    if (std::find(request.addresses.begin(), request.addresses.end(), device.address) != request.addresses.end())
        return true;
    if (std::find(request.ids.begin(), request.ids.end(), PciId{device.vendorId, device.deviceId}) != request.ids.end())
        return true;
    if (std::any_of(request.classes.begin(), request.classes.end(),
                    [&](DeviceClass deviceClass) { return inClass(device, deviceClass); }))
        return true;
    // --eligible alone selects every device.
    return request.eligibleOnly && request.addresses.empty() && request.ids.empty() && request.classes.empty();
}

// Why this endpoint cannot go, or empty.
std::string refusalOf(const Inventory &inventory, const PciDevice &device,
                      const std::map<PciAddress, std::string> &held)
{
    const Eligibility eligibility = assessEligibility(inventory, device);
    if (!eligibility.eligible())
        return eligibility.reasons.front().detail;
    // A scheduler cannot stop a desktop's display manager: only a VM's own policy hands the host console over.
    if (eligibility.handoff)
        return "its IOMMU group holds " + eligibility.handoff->gpu.str() +
               ", the boot VGA device showing the host console (only a VM's console hand-off can take it)";
    if (auto holder = held.find(device.address); holder != held.end())
        return "held by " + holder->second;
    return {};
}

// Why the device, with its group, cannot go; empty when it can.
std::string groupRefusal(const Inventory &inventory, const PciDevice &device,
                         const std::map<PciAddress, std::string> &held, std::vector<PciAddress> &endpoints)
{
    if (device.isBridge())
        return "bridge (class 0x06) stays with the host";
    if (std::string own = refusalOf(inventory, device, held); !own.empty())
        return own;
    endpoints = inventory.groupEndpoints(device.address);
    for (const auto &address : endpoints) {
        if (address == device.address)
            continue;
        if (std::string companion = refusalOf(inventory, inventory.requirePci(address), held); !companion.empty())
            return "its IOMMU group companion " + address.str() + " cannot go with it: " + companion;
    }
    return {};
}

} // namespace

std::optional<DeviceClass> parseDeviceClass(std::string_view text)
{
    if (text == "gpu")
        return DeviceClass::Gpu;
    if (text == "nic")
        return DeviceClass::Nic;
    if (text == "vf")
        return DeviceClass::Vf;
    if (text == "nvme")
        return DeviceClass::Nvme;
    return std::nullopt;
}

bool inClass(const PciDevice &device, DeviceClass deviceClass)
{
    switch (deviceClass) {
    case DeviceClass::Gpu: return device.baseClass() == displayClass;
    case DeviceClass::Nic: return device.baseClass() == networkClass;
    case DeviceClass::Vf: return device.physicalFunction.has_value();
    case DeviceClass::Nvme: return device.classCode == nvmeClass;
    }
    return false;
}

FleetSelection selectForFleet(const Inventory &inventory, const FleetRequest &request,
                              const std::map<PciAddress, std::string> &held)
{
    for (const auto &address : request.addresses)
        inventory.requirePci(address);
    FleetSelection selection;
    std::set<PciAddress> exported;
    for (const auto &device : inventory.pci) {
        if (!selected(device, request) || exported.count(device.address))
            continue;
        std::vector<PciAddress> endpoints;
        std::string refusal = groupRefusal(inventory, device, held, endpoints);
        if (refusal.empty())
            exported.insert(endpoints.begin(), endpoints.end());
        else if (!request.eligibleOnly) // --eligible leaves the others out without naming them
            selection.leftOut.push_back({device.address, std::move(refusal)});
    }
    for (const auto &address : exported)
        selection.devices.push_back(&inventory.requirePci(address));
    return selection;
}

} // namespace vfioctl

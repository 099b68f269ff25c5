#include "pci_scanner.h"

#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

namespace {

uint32_t hexAttribute(const HostRoot &host, const std::string &device, const char *name)
{
    auto text = host.read(joinPath(device, name));
    if (!text)
        return 0;
    return parseHex(*text).value_or(0);
}

std::optional<int> linkedNumber(const HostRoot &host, const std::string &link)
{
    auto target = host.readLink(link);
    if (!target)
        return std::nullopt;
    auto number = parseDecimal(baseName(*target));
    if (!number)
        return std::nullopt;
    return static_cast<int>(*number);
}

std::optional<PciAddress> linkedAddress(const HostRoot &host, const std::string &link)
{
    auto target = host.readLink(link);
    if (!target)
        return std::nullopt;
    return PciAddress::tryParse(baseName(*target));
}

} // namespace

std::string pciDevicePath(const PciAddress &address)
{
    return joinPath(layout::pciDevices, address.str());
}

std::string currentDriver(const HostRoot &host, const PciAddress &address)
{
    auto target = host.readLink(joinPath(pciDevicePath(address), "driver"));
    return target ? baseName(*target) : std::string();
}

std::optional<PciDevice> readPciDevice(const HostRoot &host, const HardwareNames &names, const PciAddress &address)
{
    const std::string path = pciDevicePath(address);
    if (!host.exists(path))
        return std::nullopt;

    PciDevice device;
    device.address = address;
    device.sysfsPath = host.canonical(path);
    device.classCode = hexAttribute(host, path, "class");
    device.vendorId = static_cast<uint16_t>(hexAttribute(host, path, "vendor"));
    device.deviceId = static_cast<uint16_t>(hexAttribute(host, path, "device"));
    device.subsystemVendorId = static_cast<uint16_t>(hexAttribute(host, path, "subsystem_vendor"));
    device.subsystemDeviceId = static_cast<uint16_t>(hexAttribute(host, path, "subsystem_device"));
    device.revision = static_cast<uint8_t>(hexAttribute(host, path, "revision"));
    device.driver = currentDriver(host, address);
    if (auto text = host.read(joinPath(path, "driver_override")))
        device.driverOverride = parseDriverOverride(*text);
    device.iommuGroup = linkedNumber(host, joinPath(path, "iommu_group"));
    if (auto text = host.read(joinPath(path, "numa_node"))) {
        auto node = parseDecimal(*text);
        if (node && *node >= 0)
            device.numaNode = static_cast<int>(*node);
    }
    device.parentBridge = nearestPciAncestor(device.sysfsPath, 1);
    device.physicalFunction = linkedAddress(host, joinPath(path, "physfn"));
    for (const auto &entry : host.list(path)) {
        if (entry.starts_with("virtfn") && parseDecimal(entry.substr(6)))
            if (auto vf = linkedAddress(host, joinPath(path, entry)))
                device.virtualFunctions.push_back(*vf);
    }
    std::sort(device.virtualFunctions.begin(), device.virtualFunctions.end());
    if (auto text = host.read(joinPath(path, "reset_method")))
        device.resetMethods = splitWords(*text);
    if (auto text = host.read(joinPath(path, "boot_vga")))
        device.bootVga = trimmed(*text) == "1";

    PciNames found = names.pci(device.vendorId, device.deviceId, device.subsystemVendorId, device.subsystemDeviceId,
                               device.classCode);
    device.vendorName = std::move(found.vendor);
    device.deviceName = std::move(found.device);
    device.subsystemName = std::move(found.subsystem);
    device.className = std::move(found.className);
    return device;
}

std::vector<PciDevice> scanPciDevices(const HostRoot &host, const HardwareNames &names)
{
    std::vector<PciDevice> devices;
    for (const auto &entry : host.list(std::string(layout::pciDevices))) {
        auto address = PciAddress::tryParse(entry);
        if (!address)
            continue; // not a device the kernel would name; never followed
        if (auto device = readPciDevice(host, names, *address))
            devices.push_back(std::move(*device));
    }
    std::sort(devices.begin(), devices.end(),
              [](const PciDevice &a, const PciDevice &b) { return a.address < b.address; });
    return devices;
}

} // namespace vfioctl

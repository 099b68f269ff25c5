#include "json_views.h"

#include <ostream>

#include <cstdio>

namespace vfioctl::cli {

namespace {

Json optionalAddress(const std::optional<PciAddress> &address)
{
    return address ? Json(address->str()) : Json(nullptr);
}

template <typename T> Json optionalNumber(const std::optional<T> &value)
{
    return value ? Json(*value) : Json(nullptr);
}

Json nullIfEmpty(const std::string &text)
{
    return text.empty() ? Json(nullptr) : Json(text);
}

} // namespace

std::string jsonText(const Json &value, int indent)
{
    return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string hexId(uint32_t value, int digits)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%0*x", digits, value);
    return buffer;
}

Json toJson(const Holder &holder)
{
    return {{"vm", holder.vm},
            {"state", vmStateName(holder.state)},
            {"in_config", holder.inConfig},
            {"in_live", holder.inLive}};
}

Json toJson(const PciDevice &device, const Eligibility &eligibility, const std::vector<Holder> *holders,
            bool holdersKnown)
{
    Json holderArray = holdersKnown ? Json::array() : Json(nullptr);
    if (holders)
        for (const auto &holder : *holders)
            holderArray.push_back(toJson(holder));
    Json reasons = Json::array();
    for (const auto &reason : eligibility.reasons)
        reasons.push_back({{"kind", kindName(reason.kind)}, {"detail", reason.detail}});
    Json vfs = Json::array();
    for (const auto &vf : device.virtualFunctions)
        vfs.push_back(vf.str());
    return {
        {"address", device.address.str()},
        {"class", hexId(device.classCode, 6)},
        {"class_name", nullIfEmpty(device.className)},
        {"vendor_id", hexId(device.vendorId, 4)},
        {"device_id", hexId(device.deviceId, 4)},
        {"vendor_name", nullIfEmpty(device.vendorName)},
        {"device_name", nullIfEmpty(device.deviceName)},
        {"subsystem_vendor_id", hexId(device.subsystemVendorId, 4)},
        {"subsystem_device_id", hexId(device.subsystemDeviceId, 4)},
        {"subsystem_name", nullIfEmpty(device.subsystemName)},
        {"revision", hexId(device.revision, 2)},
        {"driver", nullIfEmpty(device.driver)},
        {"driver_override", nullIfEmpty(device.driverOverride)},
        {"iommu_group", optionalNumber(device.iommuGroup)},
        {"numa_node", optionalNumber(device.numaNode)},
        {"parent", optionalAddress(device.parentBridge)},
        {"bridge", device.isBridge()},
        {"physical_function", optionalAddress(device.physicalFunction)},
        {"virtual_functions", vfs},
        {"sriov", device.sriov ? Json{{"total_vfs", device.sriov->total}, {"enabled_vfs", device.sriov->enabled}}
                               : Json(nullptr)},
        {"reset_methods", device.resetMethods},
        {"boot_vga", device.bootVga},
        {"eligible", eligibility.eligible()},
        {"ineligible_reasons", reasons},
        {"notes", eligibility.notes},
        {"holders", holderArray},
    };
}

Json toJson(const UsbDevice &device)
{
    return {
        {"name", device.name},
        {"bus", device.busNumber},
        {"device", device.deviceNumber},
        {"vendor_id", hexId(device.vendorId, 4)},
        {"product_id", hexId(device.productId, 4)},
        {"vendor_name", nullIfEmpty(device.vendorName)},
        {"product_name", nullIfEmpty(device.productName)},
        {"pci_controller", optionalAddress(device.controller)},
    };
}

Json toJson(const ScsiDevice &device)
{
    return {
        {"hctl", device.hctl},
        {"type", device.typeName()},
        {"vendor", device.vendor},
        {"model", device.model},
        {"block_devices", device.blockDevices},
        {"pci_hba", optionalAddress(device.hba)},
    };
}

Json toJson(const NetInterface &interface)
{
    return {
        {"name", interface.name},
        {"mac", nullIfEmpty(interface.mac)},
        {"addresses", interface.addresses},
        {"default_route", interface.defaultRoute},
        {"master", nullIfEmpty(interface.master)},
        {"pci_device", optionalAddress(interface.pciDevice)},
    };
}

Json toJson(const BlockDevice &disk)
{
    Json uses = Json::array();
    for (const auto &use : disk.uses)
        uses.push_back({{"device", use.device}, {"detail", use.description}});
    return {
        {"name", disk.name},
        {"dev", disk.majorMinor},
        {"partitions", disk.partitions},
        {"mount_points", disk.mountPoints},
        {"host_uses", uses},
        {"pci_device", optionalAddress(disk.pciDevice)},
    };
}

Json toJson(const IommuGroup &group, const Inventory &inventory)
{
    Json devices = Json::array();
    for (const auto &address : group.devices) {
        const PciDevice *device = inventory.findPci(address);
        devices.push_back({
            {"address", address.str()},
            {"class", device ? Json(hexId(device->classCode, 6)) : Json(nullptr)},
            {"vendor_id", device ? Json(hexId(device->vendorId, 4)) : Json(nullptr)},
            {"device_id", device ? Json(hexId(device->deviceId, 4)) : Json(nullptr)},
            {"driver", device ? nullIfEmpty(device->driver) : Json(nullptr)},
            {"bridge", device && device->isBridge()},
        });
    }
    return {{"group", group.number}, {"devices", devices}};
}

Json toJson(const AffectedDevices &affected, const Inventory &inventory)
{
    auto addresses = [](const std::vector<const PciDevice *> &devices) {
        Json list = Json::array();
        for (const PciDevice *device : devices)
            list.push_back({{"address", device->address.str()}, {"driver", nullIfEmpty(device->driver)}});
        return list;
    };
    Json usb = Json::array(), scsi = Json::array(), net = Json::array(), block = Json::array();
    for (const auto *device : affected.usb)
        usb.push_back(toJson(*device));
    for (const auto *device : affected.scsi)
        scsi.push_back(toJson(*device));
    for (const auto *interface : affected.net)
        net.push_back(toJson(*interface));
    for (const auto *disk : affected.block)
        block.push_back(toJson(*disk));
    const PciDevice &requested = inventory.requirePci(affected.requested);
    Eligibility eligibility = assessEligibility(inventory, requested);
    Json reasons = Json::array();
    for (const auto &reason : eligibility.reasons)
        reasons.push_back({{"kind", kindName(reason.kind)}, {"detail", reason.detail}});
    return {
        {"device", affected.requested.str()},
        {"iommu_group", optionalNumber(affected.group)},
        {"eligible", eligibility.eligible()},
        {"ineligible_reasons", reasons},
        {"endpoints", addresses(affected.endpoints)},
        {"bridges", addresses(affected.bridges)},
        {"virtual_functions", addresses(affected.virtualFunctions)},
        {"usb", usb},
        {"scsi", scsi},
        {"net", net},
        {"block", block},
    };
}

void JsonArrayWriter::closeArray()
{
    if (anyArray_)
        out_ << (anyItem_ ? "\n  ]" : "]");
}

void JsonArrayWriter::begin(const char *key)
{
    closeArray();
    out_ << (anyArray_ ? ",\n  " : "{\n  ") << jsonText(Json(key), -1) << ": [";
    anyArray_ = true;
    anyItem_ = false;
}

void JsonArrayWriter::item(const Json &value)
{
    out_ << (anyItem_ ? ",\n    " : "\n    ") << jsonText(value, -1);
    anyItem_ = true;
}

void JsonArrayWriter::finish()
{
    closeArray();
    out_ << (anyArray_ ? "\n}\n" : "{}\n");
}

} // namespace vfioctl::cli

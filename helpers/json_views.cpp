#include "json_views.h"

#include <ostream>

#include <cstdio>

namespace vfioctl::cli {

namespace {

JsonWriter &addressOrNull(JsonWriter &out, const std::optional<PciAddress> &address)
{
    return address ? out.string(address->str()) : out.null();
}

void writeReasons(JsonWriter &out, const Eligibility &eligibility)
{
    out.beginArray();
    for (const auto &reason : eligibility.reasons)
        out.beginObject().key("kind").string(kindName(reason.kind)).key("detail").string(reason.detail).endObject();
    out.endArray();
}

// null, or {"gpu": ..., "host_loses": [...]}: the device goes only through a console hand-off.
void writeHandoff(JsonWriter &out, const Eligibility &eligibility)
{
    if (!eligibility.handoff) {
        out.null();
        return;
    }
    out.beginObject().key("gpu").string(eligibility.handoff->gpu.str());
    out.key("host_loses").strings(eligibility.handoff->hostLoses).endObject();
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

void writeJson(JsonWriter &out, const Holder &holder)
{
    out.beginObject();
    out.key("vm").string(holder.vm);
    out.key("state").string(vmStateName(holder.state));
    out.key("in_config").boolean(holder.inConfig);
    out.key("in_live").boolean(holder.inLive);
    out.endObject();
}

PciFacts pciFactsShowing(const JsonWriter::MemberNames *shown)
{
    PciFacts facts = PciFacts::all;
    if (!shown)
        return facts;
    facts.revision = shown->contains("revision");
    facts.numaNode = shown->contains("numa_node");
    facts.parent = shown->contains("parent");
    facts.driverOverride = shown->contains("driver_override");
    return facts;
}

void writeJson(JsonWriter &out, const PciDevice &device, const Eligibility &eligibility,
               const std::vector<Holder> *holders, bool holdersKnown)
{
    out.beginObject();
    out.key("address").string(device.address.str());
    out.key("class").hex(device.classCode, 6);
    out.key("class_name").stringOrNull(device.className());
    out.key("vendor_id").hex(device.vendorId, 4);
    out.key("device_id").hex(device.deviceId, 4);
    out.key("vendor_name").stringOrNull(device.vendorName());
    out.key("device_name").stringOrNull(device.deviceName());
    out.key("subsystem_vendor_id").hex(device.subsystemVendorId, 4);
    out.key("subsystem_device_id").hex(device.subsystemDeviceId, 4);
    out.key("subsystem_name").stringOrNull(device.subsystemName());
    out.key("revision").hex(device.revision, 2);
    out.key("driver").stringOrNull(device.driver);
    out.key("driver_override").stringOrNull(device.driverOverride);
    out.key("iommu_group").numberOrNull(device.iommuGroup);
    out.key("numa_node").numberOrNull(device.numaNode);
    addressOrNull(out.key("parent"), device.parentBridge);
    out.key("bridge").boolean(device.isBridge());
    addressOrNull(out.key("physical_function"), device.physicalFunction);
    out.key("virtual_functions").beginArray();
    for (const auto &vf : device.virtualFunctions)
        out.string(vf.str());
    out.endArray();
    out.key("sriov");
    if (device.sriov)
        out.beginObject()
            .key("total_vfs")
            .number(device.sriov->total)
            .key("enabled_vfs")
            .number(device.sriov->enabled)
            .endObject();
    else
        out.null();
    out.key("reset_methods").strings(device.resetMethods);
    out.key("boot_vga").boolean(device.bootVga);
    out.key("eligible").boolean(eligibility.eligible());
    writeReasons(out.key("ineligible_reasons"), eligibility);
    writeHandoff(out.key("console_handoff"), eligibility);
    out.key("notes").strings(eligibility.notes);
    out.key("holders");
    if (holdersKnown) {
        out.beginArray();
        if (holders)
            for (const auto &holder : *holders)
                writeJson(out, holder);
        out.endArray();
    } else {
        out.null();
    }
    out.endObject();
}

void writeJson(JsonWriter &out, const UsbDevice &device)
{
    out.beginObject();
    out.key("name").string(device.name);
    out.key("bus").number(device.busNumber);
    out.key("device").number(device.deviceNumber);
    out.key("vendor_id").hex(device.vendorId, 4);
    out.key("product_id").hex(device.productId, 4);
    out.key("vendor_name").stringOrNull(device.vendorName);
    out.key("product_name").stringOrNull(device.productName);
    addressOrNull(out.key("pci_controller"), device.controller);
    out.endObject();
}

void writeJson(JsonWriter &out, const ScsiDevice &device)
{
    out.beginObject();
    out.key("hctl").string(device.hctl);
    out.key("type").string(device.typeName());
    out.key("vendor").string(device.vendor);
    out.key("model").string(device.model);
    out.key("block_devices").strings(device.blockDevices);
    addressOrNull(out.key("pci_hba"), device.hba);
    out.endObject();
}

void writeJson(JsonWriter &out, const NetInterface &interface)
{
    out.beginObject();
    out.key("name").string(interface.name);
    out.key("mac").stringOrNull(interface.mac);
    out.key("addresses").strings(interface.addresses);
    out.key("default_route").boolean(interface.defaultRoute);
    out.key("master").stringOrNull(interface.master);
    addressOrNull(out.key("pci_device"), interface.pciDevice);
    out.endObject();
}

void writeJson(JsonWriter &out, const BlockDevice &disk)
{
    out.beginObject();
    out.key("name").string(disk.name);
    out.key("dev").string(disk.majorMinor);
    out.key("partitions").strings(disk.partitions);
    out.key("mount_points").strings(disk.mountPoints);
    out.key("host_uses").beginArray();
    for (const auto &use : disk.uses)
        out.beginObject().key("device").string(use.device).key("detail").string(use.description).endObject();
    out.endArray();
    addressOrNull(out.key("pci_device"), disk.pciDevice);
    out.endObject();
}

void writeJson(JsonWriter &out, const IommuGroup &group, const Inventory &inventory)
{
    out.beginObject();
    out.key("group").number(group.number);
    out.key("devices").beginArray();
    for (const auto &address : group.devices) {
        const PciDevice *device = inventory.findPci(address);
        out.beginObject();
        out.key("address").string(address.str());
        if (device) {
            out.key("class").hex(device->classCode, 6);
            out.key("vendor_id").hex(device->vendorId, 4);
            out.key("device_id").hex(device->deviceId, 4);
            out.key("driver").stringOrNull(device->driver);
        } else {
            out.key("class").null().key("vendor_id").null().key("device_id").null().key("driver").null();
        }
        out.key("bridge").boolean(device && device->isBridge());
        out.endObject();
    }
    out.endArray();
    out.endObject();
}

void writeJson(JsonWriter &out, const AffectedDevices &affected, const Inventory &inventory)
{
    auto addresses = [&](const char *name, const std::vector<const PciDevice *> &devices) {
        out.key(name).beginArray();
        for (const PciDevice *device : devices)
            out.beginObject()
                .key("address")
                .string(device->address.str())
                .key("driver")
                .stringOrNull(device->driver)
                .key("reset_methods")
                .strings(device->resetMethods)
                .endObject();
        out.endArray();
    };
    auto children = [&](const char *name, const auto &devices) {
        out.key(name).beginArray();
        for (const auto *device : devices)
            writeJson(out, *device);
        out.endArray();
    };
    const PciDevice &requested = inventory.requirePci(affected.requested);
    const Eligibility eligibility = assessEligibility(inventory, requested);
    out.beginObject();
    out.key("device").string(affected.requested.str());
    out.key("iommu_group").numberOrNull(affected.group);
    out.key("eligible").boolean(eligibility.eligible());
    writeReasons(out.key("ineligible_reasons"), eligibility);
    writeHandoff(out.key("console_handoff"), eligibility);
    out.key("notes").strings(eligibility.notes);
    addresses("endpoints", affected.endpoints);
    addresses("bridges", affected.bridges);
    addresses("virtual_functions", affected.virtualFunctions);
    children("usb", affected.usb);
    children("scsi", affected.scsi);
    children("net", affected.net);
    children("block", affected.block);
    out.endObject();
}

void JsonArrayWriter::closeArray()
{
    if (anyArray_)
        writer_.raw(anyItem_ ? "\n  ]" : "]");
}

void JsonArrayWriter::begin(const char *key)
{
    closeArray();
    writer_.raw(anyArray_ ? ",\n  " : "{\n  ").string(key).raw(": [");
    anyArray_ = true;
    anyItem_ = false;
}

JsonWriter &JsonArrayWriter::item()
{
    writer_.raw(anyItem_ ? ",\n    " : "\n    ");
    anyItem_ = true;
    return writer_;
}

void JsonArrayWriter::finish()
{
    closeArray();
    writer_.raw(anyArray_ ? "\n}\n" : "{}\n");
    writer_.flush();
}

} // namespace vfioctl::cli

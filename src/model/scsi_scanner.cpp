#include "child_scanners.h"
#include "scan_notes.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

namespace vfioctl {

namespace {

// host:channel:target:lun, four decimal numbers; the bus also lists hosts and targets, which we skip.
bool isLunName(const std::string &name)
{
    int fields = 0;
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find(':', start);
        if (end == std::string::npos)
            end = name.size();
        if (!parseDecimal(name.substr(start, end - start)))
            return false;
        ++fields;
        start = end + 1;
    }
    return fields == 4;
}

} // namespace

std::string ScsiDevice::typeName() const
{
    // SCSI peripheral device types (SPC); the ones a host is likely to have.
    switch (type) {
    case 0x00: return "disk";
    case 0x01: return "tape";
    case 0x03: return "processor";
    case 0x05: return "cd/dvd";
    case 0x07: return "optical";
    case 0x08: return "changer";
    case 0x0c: return "raid";
    case 0x0d: return "enclosure";
    case 0x0e: return "disk (rbc)";
    default: return type < 0 ? "unknown" : "type " + std::to_string(type);
    }
}

std::vector<ScsiDevice> scanScsiDevices(const HostRoot &host, std::vector<std::string> &notes, const ScanScope &scope)
{
    std::vector<ScsiDevice> devices;
    forEachEntry(host, layout::scsiDevices, notes, [&](const std::string &entry) {
        if (!scope.wants(host, layout::scsiDevices, entry))
            return;
        if (!isLunName(entry))
            return;
        const std::string path = joinPath(layout::scsiDevices, entry);
        ScsiDevice device;
        device.hctl = entry;
        device.vendor = trimmed(host.read(joinPath(path, "vendor")).value_or(""));
        device.model = trimmed(host.read(joinPath(path, "model")).value_or(""));
        device.type = parseDecimalInRange(host.read(joinPath(path, "type")).value_or(""), 0, 0x1f).value_or(-1);
        device.blockDevices = host.list(joinPath(path, "block"));
        device.hba = nearestPciAncestor(host.canonical(path));
        devices.push_back(std::move(device));
    });
    return devices;
}

} // namespace vfioctl

#include "child_scanners.h"
#include "scan_notes.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

namespace vfioctl {

std::vector<UsbDevice> scanUsbDevices(const HostRoot &host, const HardwareNames &names, std::vector<std::string> &notes,
                                      const ScanScope &scope)
{
    std::vector<UsbDevice> devices;
    forEachEntry(host, layout::usbDevices, notes, [&](const std::string &entry) {
        if (!scope.wants(host, layout::usbDevices, entry))
            return;
        const std::string path = joinPath(layout::usbDevices, entry);
        auto vendor = host.read(joinPath(path, "idVendor"));
        if (!vendor)
            return; // an interface ("1-1:1.0"), not a device
        UsbDevice device;
        device.name = entry;
        device.vendorId = static_cast<uint16_t>(parseHexAtMost(*vendor, 0xffff).value_or(0));
        device.productId = static_cast<uint16_t>(
            parseHexAtMost(host.read(joinPath(path, "idProduct")).value_or(""), 0xffff).value_or(0));
        device.busNumber =
            parseDecimalInRange(host.read(joinPath(path, "busnum")).value_or(""), 0, INT32_MAX).value_or(0);
        device.deviceNumber =
            parseDecimalInRange(host.read(joinPath(path, "devnum")).value_or(""), 0, INT32_MAX).value_or(0);
        UsbNames found = names.usb(device.vendorId, device.productId);
        device.vendorName =
            !found.vendor.empty() ? found.vendor : trimmed(host.read(joinPath(path, "manufacturer")).value_or(""));
        device.productName =
            !found.product.empty() ? found.product : trimmed(host.read(joinPath(path, "product")).value_or(""));
        device.controller = nearestPciAncestor(host.canonical(path));
        devices.push_back(std::move(device));
    });
    return devices;
}

} // namespace vfioctl

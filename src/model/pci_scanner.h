// Reads every PCI function the kernel knows from /sys/bus/pci/devices.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"
#include "pci_facts.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// A device that cannot be read is skipped with a note in `notes`.
std::vector<PciDevice> scanPciDevices(const HostRoot &host, const HardwareNames &names, std::vector<std::string> &notes,
                                      PciFacts facts = PciFacts::all);
// One device, or nothing when the address is not on this host.
std::optional<PciDevice> readPciDevice(const HostRoot &host, const HardwareNames &names, const PciAddress &address,
                                       PciFacts facts = PciFacts::all);

// Reads the devices a targeted scan picks, one at a time: /sys/bus/pci/devices is opened once for all of them, and
// functions with the same ids share one copy of their names.
class PciDeviceReader {
public:
    PciDeviceReader(const HostRoot &host, const HardwareNames &names, PciFacts facts = PciFacts::all);
    ~PciDeviceReader();
    // Nothing when the address is not on this host.
    std::optional<PciDevice> read(const PciAddress &address);
    // For a scan: a device that cannot be read is a note ("/sys/bus/pci/devices/ENTRY skipped: ..."), not a failure
    // of the scan. `entry` is the name it was found under.
    std::optional<PciDevice> readOrNote(const PciAddress &address, std::string_view entry,
                                        std::vector<std::string> &notes);

private:
    struct Names;
    const HostRoot &host_;
    const HardwareNames &names_;
    const PciFacts facts_;
    std::unique_ptr<HostDirectory> devices_; // null when the host has no PCI bus
    std::unique_ptr<Names> cache_;
};
// The driver bound to a device now ("" for none): cheap enough to poll while binding.
std::string currentDriver(const HostRoot &host, const PciAddress &address);
std::string pciDevicePath(const PciAddress &address);

} // namespace vfioctl

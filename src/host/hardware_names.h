// Human names for PCI and USB ids and PCI classes, from the system's hardware database.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace vfioctl {

struct PciNames {
    std::string vendor;
    std::string device;
    std::string subsystem; // empty when the database has no name for the subsystem ids
    std::string className; // the most precise of subclass and class
    bool operator==(const PciNames &) const = default;
};

struct UsbNames {
    std::string vendor;
    std::string product;
};

class HardwareNames {
public:
    virtual ~HardwareNames() = default;
    virtual PciNames pci(uint16_t vendor, uint16_t device, uint16_t subVendor, uint16_t subDevice,
                         uint32_t classCode) const = 0;
    virtual UsbNames usb(uint16_t vendor, uint16_t product) const = 0;
};

// For hosts without a database and for tests that want ids only: every name is empty.
class NoHardwareNames : public HardwareNames {
public:
    PciNames pci(uint16_t, uint16_t, uint16_t, uint16_t, uint32_t) const override { return {}; }
    UsbNames usb(uint16_t, uint16_t) const override { return {}; }
};

// udev's hwdb (hwdb.bin, built from the pci.ids and usb.ids sources), through libudev.
// Falls back to empty names when the database is missing.
std::unique_ptr<HardwareNames> openHardwareDatabase();

} // namespace vfioctl

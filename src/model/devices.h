// What the host has: PCI functions and the USB, SCSI, network and block devices that hang below them.
#pragma once

#include "hardware_names.h"
#include "pci_address.h"
#include "pci_identity.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

inline constexpr uint8_t pciBridgeClass = 0x06;

// An SR-IOV physical function's counts (sriov_totalvfs, sriov_numvfs).
struct SriovCounts {
    int total = 0;   // what the device offers
    int enabled = 0; // VFs that exist now
    bool operator==(const SriovCounts &) const = default;
};

// A device's names from the hardware database, one copy shared by every function with the same ids: the 255 VFs of
// a NIC hold one (docs/PERFORMANCE.md, memory at 50,000 functions). Equal when the names are.
class SharedPciNames {
public:
    SharedPciNames() = default;
    explicit SharedPciNames(std::shared_ptr<const PciNames> names) : names_(std::move(names)) {}
    const PciNames &get() const;
    bool operator==(const SharedPciNames &other) const { return get() == other.get(); }

private:
    std::shared_ptr<const PciNames> names_;
};

struct PciDevice {
    PciAddress address;
    uint32_t classCode = 0; // 0xCCSSPP: class, subclass, programming interface
    uint16_t vendorId = 0;
    uint16_t deviceId = 0;
    uint16_t subsystemVendorId = 0;
    uint16_t subsystemDeviceId = 0;
    uint8_t revision = 0;
    SharedPciNames names;
    std::string driver;         // empty when no driver is bound
    std::string driverOverride; // empty when unset
    std::optional<int> iommuGroup;
    std::optional<int> numaNode;
    std::optional<PciAddress> parentBridge; // the PCI device above this one, if any
    std::optional<PciAddress> physicalFunction;
    std::vector<PciAddress> virtualFunctions;
    std::optional<SriovCounts> sriov;      // set for an SR-IOV physical function
    std::vector<std::string> resetMethods; // reset_method: "flr bus"
    bool resetMethodsKnown = false;        // the device has reset_method (maybe empty)
    bool bootVga = false;
    bool publishesNodes = false; // its directory has drm/ or graphics/: device nodes (card0, fb0) the host may hold

    const std::string &vendorName() const { return names.get().vendor; }
    const std::string &deviceName() const { return names.get().device; }
    const std::string &subsystemName() const { return names.get().subsystem; }
    const std::string &className() const { return names.get().className; }
    uint8_t baseClass() const { return static_cast<uint8_t>(classCode >> 16); }
    PciIdentity identity() const { return {vendorId, deviceId, subsystemVendorId, subsystemDeviceId, classCode}; }
    bool isBridge() const { return baseClass() == pciBridgeClass; }
    // A PF whose VFs exist: unbinding it destroys them, and vfio-pci refuses it.
    bool hasEnabledVfs() const { return (sriov && sriov->enabled > 0) || !virtualFunctions.empty(); }
    // The boot VGA device on a host driver: it shows the host console, and goes to a VM only through a hand-off.
    bool showsHostConsole() const { return bootVga && !driver.empty() && driver != "vfio-pci"; }
    bool operator==(const PciDevice &) const = default;
};

struct UsbDevice {
    std::string name; // the kernel's name, "1-2.3" or "usb1" for a root hub
    int busNumber = 0;
    int deviceNumber = 0;
    uint16_t vendorId = 0;
    uint16_t productId = 0;
    std::string vendorName;  // from the hardware database, else the device's own string
    std::string productName; // likewise
    std::optional<PciAddress> controller;
};

struct ScsiDevice {
    std::string hctl; // host:channel:target:lun
    std::string vendor;
    std::string model;
    int type = -1;
    std::vector<std::string> blockDevices;
    std::optional<PciAddress> hba;

    std::string typeName() const;
};

struct NetInterface {
    std::string name;
    std::string mac;
    std::vector<std::string> addresses; // "192.0.2.4/24", "2001:db8::1/64"; link-local ones left out
    bool defaultRoute = false;
    std::string master; // bridge or bond this interface is enslaved to
    std::optional<PciAddress> pciDevice;
};

// Why the host would miss a block device: "sda2 mounted at /", "sda3 used as swap", "sdb held by md0".
struct BlockUse {
    std::string device;
    std::string description;
};

// A virtio-9p or virtiofs device (a host sharing a folder with this machine) and where it is mounted.
struct SharedFilesystem {
    std::string tag;
    std::vector<std::string> mountPoints;
    std::optional<PciAddress> pciDevice;
};

struct BlockDevice {
    std::string name; // a whole disk, "nvme0n1"
    std::string majorMinor;
    std::vector<std::string> partitions;
    std::vector<std::string> mountPoints;
    std::vector<BlockUse> uses; // empty when the host does not use it
    std::optional<PciAddress> pciDevice;
};

} // namespace vfioctl

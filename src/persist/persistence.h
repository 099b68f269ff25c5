// Devices claimed for vfio-pci from early boot: one empty-named marker file per device address or vendor:device id
// in /etc/vfioctl/persist.d, which the udev rule tests for on every PCI add event.
#pragma once

#include "host_root.h"
#include "pci_address.h"
#include "sysfs_layout.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct PersistEntry {
    std::optional<PciAddress> address; // set for an address entry
    uint16_t vendor = 0;               // set with device for an id entry
    uint16_t device = 0;

    // "pci-0000:01:00.0" or "id-0x10de:0x1b80": the names the udev rule builds from $kernel and $attr{vendor/device}.
    std::string fileName() const;
    // "0000:01:00.0" or "10de:1b80"
    std::string text() const;
    bool matches(const PciAddress &at, uint16_t vendorId, uint16_t deviceId) const;
    bool operator==(const PersistEntry &) const = default;
};

// Accepts a PCI address (any form PciAddress takes) or VENDOR:DEVICE as four hex digits each ("10de:1b80").
// Throws Error naming both forms.
PersistEntry parsePersistTarget(std::string_view text);
std::optional<PersistEntry> entryOfFileName(std::string_view name);

// Where the markers live (/etc/vfioctl/persist.d), as HostRoot paths take it; persistence and SR-IOV persistence share
// it.
inline const std::string persistMarkerDirectory{layout::persistDirectory};

class PersistStore {
public:
    explicit PersistStore(HostRoot &host) : host_(host) {}
    std::vector<PersistEntry> list() const;
    // Returns false when it was there already / was not there.
    bool add(const PersistEntry &entry);
    bool remove(const PersistEntry &entry);

private:
    HostRoot &host_;
};

} // namespace vfioctl

// What a PCI function is, as opposed to where it sits: its vendor, device, subsystem ids and class. Recorded when a
// device is claimed (journal entries, persist markers) so that a different device found later at the same address
// (a card swapped, a dock, a hot-plug slot) is never moved in its place. docs/RELIABILITY.md "Identity".
#pragma once

#include "host_root.h"
#include "pci_address.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

struct PciIdentity {
    uint16_t vendor = 0, device = 0, subsystemVendor = 0, subsystemDevice = 0;
    uint32_t classCode = 0; // 0xCCSSPP
    bool operator==(const PciIdentity &) const = default;

    // "8086:10d3 (subsystem 8086:a01f, class 020000)", as messages and tables show it.
    std::string describe() const;
    // "0x8086:0x10d3:0x8086:0xa01f:0x020000": each id as the kernel prints its sysfs attribute, so that a udev rule
    // can build the same text from $attr{vendor}:$attr{device}:$attr{subsystem_vendor}:$attr{subsystem_device}:
    // $attr{class}.
    std::string sysfsForm() const;
    // The inverse of sysfsForm; nothing for any other text.
    static std::optional<PciIdentity> fromSysfsForm(std::string_view text);
};

// The identity of the device at `address` now, from its modalias (one read: the kernel prints it from the same
// fields), else from the five attributes; nothing when no device is there or its ids cannot be read.
std::optional<PciIdentity> readPciIdentity(const HostRoot &host, const PciAddress &address);

} // namespace vfioctl

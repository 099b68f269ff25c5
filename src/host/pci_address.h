// A PCI address (domain:bus:slot.function), parsed strictly so no user text ever reaches a path unchecked.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct PciAddress {
    uint32_t domain = 0;
    uint8_t bus = 0;
    uint8_t slot = 0;     // 0..31
    uint8_t function = 0; // 0..7

    // Accepts "0000:01:00.0", "01:00.0" (domain 0) and libvirt node-device names "pci_0000_01_00_0".
    static std::optional<PciAddress> tryParse(std::string_view text);
    // Only the kernel's own spelling, "0000:01:00.0": for names in sysfs and in the marker files udev builds from
    // $kernel, where another spelling of the same address is not the same file.
    static std::optional<PciAddress> fromKernelName(std::string_view text);
    // As tryParse, but throws an Error naming the accepted forms.
    static PciAddress parse(std::string_view text);

    // The kernel's form, "0000:01:00.0".
    std::string str() const;

    auto operator<=>(const PciAddress &) const = default;
};

// "0000:01:00.0, 0000:01:00.1": addresses in the kernel's form, as messages list them.
std::string joinAddresses(const std::vector<PciAddress> &addresses);

} // namespace vfioctl

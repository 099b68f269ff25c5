// Where the kernel publishes what we read and write: the only place host paths are spelled out.
#pragma once

#include <string_view>

namespace vfioctl::layout {

inline constexpr std::string_view pciDevices = "/sys/bus/pci/devices";
inline constexpr std::string_view pciDrivers = "/sys/bus/pci/drivers";
inline constexpr std::string_view pciDriversProbe = "/sys/bus/pci/drivers_probe";
inline constexpr std::string_view iommuGroups = "/sys/kernel/iommu_groups";
inline constexpr std::string_view usbDevices = "/sys/bus/usb/devices";
inline constexpr std::string_view scsiDevices = "/sys/bus/scsi/devices";
inline constexpr std::string_view netClass = "/sys/class/net";
inline constexpr std::string_view blockClass = "/sys/class/block";
inline constexpr std::string_view virtioDevices = "/sys/bus/virtio/devices";
inline constexpr std::string_view mountInfo = "/proc/self/mountinfo";
inline constexpr std::string_view swaps = "/proc/swaps";
inline constexpr std::string_view ipv4Routes = "/proc/net/route";
inline constexpr std::string_view ipv4FibTrie = "/proc/net/fib_trie";
inline constexpr std::string_view ipv6Addresses = "/proc/net/if_inet6";
inline constexpr std::string_view ipv6Routes = "/proc/net/ipv6_route";
inline constexpr std::string_view runDirectory = "/run/vfioctl";

} // namespace vfioctl::layout

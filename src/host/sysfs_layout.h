// Where the kernel publishes what we read and write, and where vfioctl keeps its state: the only place the paths the
// code opens are spelled out (messages may name them to the user).
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
inline constexpr std::string_view processes = "/proc";
inline constexpr std::string_view deviceNodes = "/dev";
inline constexpr std::string_view driNodes = "/dev/dri"; // the live host's own, read by LiveProcessTable
// Where a captured tree keeps the PCI id database (pciutils' and hwdata's places), for its own hardware names.
inline constexpr std::string_view pciIdsFiles[] = {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids"};
// The host console: virtual consoles' bindings to console drivers (fbcon: "(M) frame buffer device"), and the
// firmware's framebuffers on the platform bus (efi-framebuffer, simple-framebuffer, vesa-framebuffer).
inline constexpr std::string_view vtconsoleClass = "/sys/class/vtconsole";
inline constexpr std::string_view platformDevices = "/sys/bus/platform/devices";
inline constexpr std::string_view platformDrivers = "/sys/bus/platform/drivers";
inline constexpr std::string_view runDirectory = "/run/vfioctl";
// Devices claimed for vfio-pci from boot; read by udev-rules/40-vfioctl-persist.rules (the path is spelled there too).
inline constexpr std::string_view persistDirectory = "/etc/vfioctl/persist.d";

// What `vfioctl check` reads.
inline constexpr std::string_view cpuInfo = "/proc/cpuinfo";
inline constexpr std::string_view kernelCommandLine = "/proc/cmdline";
inline constexpr std::string_view kernelRelease = "/proc/sys/kernel/osrelease";
inline constexpr std::string_view modulesDisabled = "/proc/sys/kernel/modules_disabled";
inline constexpr std::string_view interrupts = "/proc/interrupts";
inline constexpr std::string_view iommuClass = "/sys/class/iommu";
inline constexpr std::string_view modules = "/sys/module";
inline constexpr std::string_view moduleTrees = "/lib/modules";
inline constexpr std::string_view modprobeConfig = "/etc/modprobe.d";
inline constexpr std::string_view kvmDevice = "/dev/kvm";
inline constexpr std::string_view vfioContainer = "/dev/vfio/vfio";
inline constexpr std::string_view iommufdDevice = "/dev/iommu";          // iommufd (Linux 6.2 and later)
inline constexpr std::string_view vfioDeviceCdevs = "/dev/vfio/devices"; // the VFIO device cdev (Linux 6.6 and later)
inline constexpr std::string_view vfioPciDriver = "/sys/bus/pci/drivers/vfio-pci";
inline constexpr std::string_view kernelConfigs = "/boot"; // Debian's config-RELEASE of each installed kernel
inline constexpr std::string_view libvirtDaemon = "/usr/sbin/libvirtd";
inline constexpr std::string_view qemuDaemon = "/usr/sbin/virtqemud"; // libvirt's modular daemon for QEMU
inline constexpr std::string_view libvirtQemuHooks = "/etc/libvirt/hooks/qemu.d";
inline constexpr std::string_view ourHook = "/etc/libvirt/hooks/qemu.d/vfioctl";
inline constexpr std::string_view unsafeInterruptsParameter =
    "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts";
// Where the dynamic loader looks for libvirt.so (multiarch directories under /usr/lib are found by listing it).
inline constexpr std::string_view libraryDirectories[] = {"/usr/lib64", "/usr/lib"};
inline constexpr std::string_view libraryDirectory = "/usr/lib";
// vfioctl's own state: journals of what each owner holds (src/binding/bind_journal.h).
inline constexpr std::string_view ownersDirectory = "/run/vfioctl/owners";

} // namespace vfioctl::layout

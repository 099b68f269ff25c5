// The facts about a host that decide whether PCI passthrough can work, read through the host root.
#pragma once

#include "host_root.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class CpuVendor { Intel, Amd, Other };

struct KernelVersion {
    int major = 0;
    int minor = 0;
    int patch = 0;
    auto operator<=>(const KernelVersion &) const = default;
};

enum class ModuleState { Missing, Available, Loaded, BuiltIn };

struct HostFacts {
    CpuVendor cpuVendor = CpuVendor::Other;
    bool vmx = false;
    bool svm = false;
    bool kvmDevice = false;
    std::string kernelRelease; // "6.1.0-26-amd64", "" when unknown
    std::optional<KernelVersion> kernelVersion;
    // Kernel parameters: name -> value ("" for a bare flag); the last occurrence wins, as in the kernel.
    std::map<std::string, std::string> commandLine;
    std::vector<std::string> iommus; // /sys/class/iommu entries (dmar0, ivhd0)
    int iommuGroups = 0;
    bool interruptRemapping = false; // "IR-" interrupt chips in /proc/interrupts
    bool unsafeInterruptsAllowed = false;
    std::map<std::string, ModuleState> modules; // vfio, vfio_iommu_type1, vfio_pci
    bool moduleIndex = false;                   // /lib/modules/RELEASE/modules.dep exists
    // Why the kernel will refuse to load a module, by module: "module_blacklist=vfio_pci on the kernel command
    // line", "module loading is disabled (kernel.modules_disabled = 1)". Only modules not loaded or built in.
    std::map<std::string, std::string> moduleRefusals;
    bool vfioContainer = false;
    bool driverOverride = false; // some PCI device has driver_override
    int pciDevices = 0;
    std::vector<std::string> vfioPciIds;       // from the command line and modprobe.d ("10de:1b80")
    std::optional<std::string> libvirtVersion; // the libvirt-daemon package's version, from dpkg
    bool hookInstalled = false;
    std::vector<std::string> corruptJournals; // journals vfioctl set aside under /run/vfioctl/owners
    bool legacyHookScript = false;            // a user's own /etc/libvirt/hooks/qemu
};

// Passthrough: only what decides whether binding can work at all (cheap enough for every bind and hook call).
enum class FactScope { All, Passthrough };
HostFacts gatherHostFacts(const HostRoot &host, FactScope scope = FactScope::All);

std::optional<KernelVersion> parseKernelVersion(const std::string &release);
// "vfio-pci.ids=10de:1b80,10de:10f0 quiet" -> {"vfio-pci.ids": "10de:1b80,10de:10f0", "quiet": ""}
std::map<std::string, std::string> parseKernelCommandLine(const std::string &text);
// The Version: of a package in a dpkg status file, if it is installed.
std::optional<std::string> dpkgVersion(const std::string &status, const std::string &package);

} // namespace vfioctl

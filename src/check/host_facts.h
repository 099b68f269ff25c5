// The facts about a host that decide whether PCI passthrough can work, read through the host root.
#pragma once

#include "host_root.h"
#include "kernel_version.h"
#include "pci_address.h"

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

enum class CpuVendor { Intel, Amd, Other };

enum class ModuleState { Missing, Available, Loaded, BuiltIn };

// Whether the running kernel was built with a feature, from its own evidence (its config, its module index, a device
// node it made); Unknown when nothing says, never a guess from the version.
enum class KernelFeature { Unknown, Present, Absent };

// The groups of HostFacts fields, each read by one reader (host_facts.cpp), so that a check declares what it needs
// and the freeze reads exactly that.
enum class Fact : unsigned {
    Kernel = 1u << 0,          // kernelRelease, kernelVersion
    CommandLine = 1u << 1,     // commandLine
    Cpu = 1u << 2,             // cpuVendor, vmx, svm
    KvmDevice = 1u << 3,       // kvmDevice
    Iommus = 1u << 4,          // iommus
    PciSupport = 1u << 5,      // iommuGroups, pciDevices, driverOverride
    Modules = 1u << 6,         // modules, moduleIndex, moduleRefusals
    Interrupts = 1u << 7,      // interruptRemapping, unsafeInterruptsAllowed
    VfioContainer = 1u << 8,   // vfioContainer
    VfioPciIds = 1u << 9,      // vfioPciIds
    Libvirt = 1u << 10,        // libvirtVersion, libvirtDaemon
    Hook = 1u << 11,           // hookInstalled
    Journals = 1u << 12,       // corruptJournals, journalsUnreadable
    GpuResets = 1u << 13,      // gpusWithoutReset, vendorResetLoaded
    VfioInterfaces = 1u << 14, // kernelConfig, iommufd*, vfioDeviceCdev*, vfioCdevs
};

class FactSet {
public:
    constexpr FactSet() = default;
    constexpr FactSet(Fact fact) : bits_(static_cast<unsigned>(fact)) {} // NOLINT: a fact is a set of one
    static constexpr FactSet all() { return FactSet((1u << 15) - 1); }
    constexpr bool contains(Fact fact) const { return (bits_ & static_cast<unsigned>(fact)) != 0; }
    constexpr bool covers(FactSet other) const { return (bits_ & other.bits_) == other.bits_; }
    constexpr FactSet operator|(FactSet other) const { return FactSet(bits_ | other.bits_); }
    constexpr FactSet &operator|=(FactSet other) { return *this = *this | other; }
    constexpr bool operator==(const FactSet &) const = default;

private:
    constexpr explicit FactSet(unsigned bits) : bits_(bits) {}
    unsigned bits_ = 0;
};
constexpr FactSet operator|(Fact a, Fact b)
{
    return FactSet(a) | FactSet(b);
}

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
    std::optional<std::string> libvirtVersion; // "9.0.0": libvirt's library (libvirtLibraryVersion, or virGetVersion)
    bool libvirtDaemon = false;                // libvirtd or virtqemud is installed
    bool hookInstalled = false;
    std::vector<std::string> corruptJournals;  // journals vfioctl set aside under /run/vfioctl/owners
    std::string journalsUnreadable;            // why that directory could not be read (another user's, say)
    std::vector<std::string> gpusWithoutReset; // display-class functions whose reset_method is empty ("0000:00:01.0")
    bool vendorResetLoaded = false;            // the out-of-tree vendor-reset module (AMD GPUs that cannot reset)
    // The interfaces newer kernels add beside the VFIO container: iommufd (/dev/iommu) and the VFIO device cdev
    // (/dev/vfio/devices/vfioN). kernelConfig: "/boot/config-RELEASE" when it was read, "" when there is none.
    std::string kernelConfig;
    bool iommufdDevice = false; // /dev/iommu
    ModuleState iommufdModule = ModuleState::Missing;
    KernelFeature iommufd = KernelFeature::Unknown;
    KernelFeature vfioDeviceCdev = KernelFeature::Unknown;
    std::vector<std::string> vfioCdevs; // /dev/vfio/devices entries ("vfio0")
    std::string vfioBoundDevice;        // a device on vfio-pci whose vfio-dev/ was looked at, "" when none is bound
};

// Reads the facts `wanted` names and those they are derived from; every other field keeps its default.
// `devices`: the devices about to be bound. When one of them has an IOMMU group and one has driver_override, they
// stand for the host in Fact::PciSupport (the IOMMU is on, the kernel has driver_override) and the host's own
// listings are not read: a VM start on a host of thousands of VFs must not list them all.
HostFacts gatherHostFacts(const HostRoot &host, FactSet wanted = FactSet::all(),
                          const std::vector<PciAddress> &devices = {});

// Where the kernel `kernelRelease` keeps its modules and their index: /lib/modules/RELEASE.
std::string moduleTreeOf(const std::string &kernelRelease);
// The state of each named module for the kernel `kernelRelease`: from its modules.dep and modules.builtin, and
// /sys/module for what is loaded.
std::map<std::string, ModuleState> moduleStatesOf(const HostRoot &host, const std::string &kernelRelease,
                                                  std::initializer_list<const char *> names);
// Fact::VfioInterfaces (vfio_interface_facts.cpp); needs kernelRelease and kernelVersion.
void readVfioInterfaces(const HostRoot &host, HostFacts &facts);
// "CONFIG_IOMMUFD=m" -> Present, "# CONFIG_IOMMUFD is not set" -> Absent, no line for it -> Unknown.
KernelFeature kernelConfigOption(const std::string &config, std::string_view option);

// "vfio-pci.ids=10de:1b80,10de:10f0 quiet" -> {"vfio-pci.ids": "10de:1b80,10de:10f0", "quiet": ""}
std::map<std::string, std::string> parseKernelCommandLine(const std::string &text);
// libvirt's version as the real name of its installed library says: libvirt.so.0.(MAJOR*1000+MINOR).MICRO, libvirt's
// own numbering of its ABI (9.0.0 is libvirt.so.0.9000.0), looked for where the dynamic loader looks (/usr/lib and
// its multiarch directories, /usr/lib64). For a captured tree; on the live host the CLI asks virGetVersion().
std::optional<std::string> libvirtLibraryVersion(const HostRoot &host);
// "libvirt.so.0.9000.0" -> "9.0.0"; nullopt for any other name.
std::optional<std::string> libvirtVersionOfLibraryName(std::string_view name);

} // namespace vfioctl

// The INFO checks of what newer kernels and libvirt may bring beside the VFIO container: iommufd and the VFIO device
// cdev. Neither is needed: vfioctl binds devices to vfio-pci the same way whichever one QEMU opens them through.
#include "host_check_parts.h"

namespace vfioctl::checks {

namespace {

std::string kernelName(const HostFacts &facts)
{
    return facts.kernelRelease.empty() ? "this kernel" : "this kernel (" + facts.kernelRelease + ")";
}

std::string libvirtFound(const HostFacts &facts)
{
    return facts.libvirtVersion ? "; libvirt " + *facts.libvirtVersion + " found" : "; no libvirt found";
}

// Why a feature is absent, in the kernel's own terms.
std::string absentBecause(const HostFacts &facts, const KernelVersion &since, std::string_view option)
{
    if (facts.kernelVersion && *facts.kernelVersion < since)
        return "Linux " + std::to_string(facts.kernelVersion->major) + "." +
               std::to_string(facts.kernelVersion->minor) + " predates it (Linux " + std::to_string(since.major) + "." +
               std::to_string(since.minor) + ")";
    if (!facts.kernelConfig.empty())
        return kernelName(facts) + " is built without it (" + std::string(option) + " is not set in " +
               facts.kernelConfig + ")";
    return kernelName(facts) + " is built without it";
}

} // namespace

Finding iommufd(const HostFacts &facts)
{
    const std::string container = "VMs open their devices through the VFIO container (/dev/vfio/vfio)";
    if (facts.iommufdDevice)
        return info("iommufd is there (/dev/iommu): QEMU may open devices through it instead of the VFIO container" +
                        libvirtFound(facts),
                    "");
    switch (facts.iommufd) {
    case KernelFeature::Present:
        if (facts.iommufdModule == ModuleState::Available)
            return info("iommufd is a module of " + kernelName(facts) + " that is not loaded (no /dev/iommu); " +
                            container + libvirtFound(facts),
                        "modprobe iommufd, if a VM's QEMU is to use it");
        // Built in (its config or index says so) and still no node: say what is there, not that a module waits.
        return info(kernelName(facts) + " has iommufd, but there is no /dev/iommu; " + container + libvirtFound(facts),
                    "");
    case KernelFeature::Absent:
        return info("no iommufd: " + absentBecause(facts, iommufdSince, "CONFIG_IOMMUFD") + "; " + container +
                        libvirtFound(facts),
                    "");
    case KernelFeature::Unknown: break;
    }
    return info("no /dev/iommu, and nothing on this host says whether " + kernelName(facts) +
                    " has iommufd (no /boot/config, no module index); " + container + libvirtFound(facts),
                "");
}

Finding vfioDeviceCdev(const HostFacts &facts)
{
    const std::string groups = "VMs open devices through their group (/dev/vfio/N)";
    if (!facts.vfioCdevs.empty())
        return info("the VFIO device cdev is there: /dev/vfio/devices holds " + std::to_string(facts.vfioCdevs.size()) +
                        " device(s) bound to vfio-pci, which QEMU may open with iommufd instead of their group",
                    "");
    switch (facts.vfioDeviceCdev) {
    case KernelFeature::Present:
        return info(kernelName(facts) + " has the VFIO device cdev: /dev/vfio/devices/vfioN appears for each device "
                                        "bound to vfio-pci",
                    "");
    case KernelFeature::Absent: {
        std::string why = absentBecause(facts, vfioDeviceCdevSince, "CONFIG_VFIO_DEVICE_CDEV");
        if (facts.iommufd == KernelFeature::Absent &&
            !(facts.kernelVersion && *facts.kernelVersion < vfioDeviceCdevSince))
            why = kernelName(facts) + " has no iommufd, which the cdev needs";
        else if (!facts.vfioBoundDevice.empty() && facts.kernelConfig.empty())
            why = facts.vfioBoundDevice + " is bound to vfio-pci and has no cdev under vfio-dev/";
        return info("no VFIO device cdev: " + why + "; " + groups, "");
    }
    case KernelFeature::Unknown: break;
    }
    return info("no device is bound to vfio-pci to show whether " + kernelName(facts) +
                    " has the VFIO device cdev (/dev/vfio/devices), and no /boot/config says; " + groups,
                "");
}

} // namespace vfioctl::checks

// What the running kernel has of iommufd and the VFIO device cdev, each from evidence the kernel leaves: the device
// node it made, its module index, its config in /boot, the vfio-dev/ of a device bound to vfio-pci. Debian 13's 6.12
// is built without CONFIG_IOMMUFD, so a kernel's version alone never says it has them.
#include "host_facts.h"

#include "sysfs_layout.h"
#include "sysfs_value.h"

namespace vfioctl {

KernelFeature kernelConfigOption(const std::string &config, std::string_view option)
{
    const std::string set = std::string(option) + "=";
    const std::string unset = "# " + std::string(option) + " is not set";
    for (const auto &line : splitLines(config)) {
        if (line.starts_with(set))
            return line.substr(set.size()) == "n" ? KernelFeature::Absent : KernelFeature::Present;
        if (line == unset)
            return KernelFeature::Absent;
    }
    return KernelFeature::Unknown;
}

namespace {

KernelFeature iommufdFeature(const HostRoot &host, const HostFacts &facts, const std::string &config)
{
    if (facts.iommufdDevice || facts.iommufdModule != ModuleState::Missing)
        return KernelFeature::Present;
    if (auto configured = kernelConfigOption(config, "CONFIG_IOMMUFD"); configured != KernelFeature::Unknown)
        return configured;
    if (facts.kernelVersion && *facts.kernelVersion < iommufdSince)
        return KernelFeature::Absent;
    // Neither built in nor a module, by the kernel's own index of both.
    const std::string tree = moduleTreeOf(facts.kernelRelease);
    if (!facts.kernelRelease.empty() && host.exists(joinPath(tree, "modules.dep")) &&
        host.exists(joinPath(tree, "modules.builtin")))
        return KernelFeature::Absent;
    return KernelFeature::Unknown;
}

// The first device on vfio-pci, and whether the kernel gave it a cdev (vfio-dev/vfioN/dev: a character device's
// numbers). vfio-dev/vfioN itself exists without the cdev since Linux 6.1.
std::pair<std::string, bool> boundDeviceCdev(const HostRoot &host)
{
    for (const auto &name : host.list(std::string(layout::vfioPciDriver))) {
        if (!PciAddress::fromKernelName(name))
            continue;
        const std::string vfioDev = joinPath(joinPath(std::string(layout::pciDevices), name), "vfio-dev");
        for (const auto &entry : host.list(vfioDev))
            if (host.exists(joinPath(joinPath(vfioDev, entry), "dev")))
                return {name, true};
        return {name, false};
    }
    return {"", false};
}

KernelFeature vfioDeviceCdevFeature(const HostFacts &facts, const std::string &config, bool boundHasCdev)
{
    if (!facts.vfioCdevs.empty() || boundHasCdev)
        return KernelFeature::Present;
    if (auto configured = kernelConfigOption(config, "CONFIG_VFIO_DEVICE_CDEV"); configured != KernelFeature::Unknown)
        return configured;
    if (facts.kernelVersion && *facts.kernelVersion < vfioDeviceCdevSince)
        return KernelFeature::Absent;
    if (facts.iommufd == KernelFeature::Absent || !facts.vfioBoundDevice.empty())
        return KernelFeature::Absent; // the cdev needs iommufd; a bound device without one shows there is none
    return KernelFeature::Unknown;
}

} // namespace

void readVfioInterfaces(const HostRoot &host, HostFacts &facts)
{
    std::string config;
    if (!facts.kernelRelease.empty()) {
        const std::string path = joinPath(std::string(layout::kernelConfigs), "config-" + facts.kernelRelease);
        if (auto text = host.read(path)) {
            config = std::move(*text);
            facts.kernelConfig = path;
        }
    }
    facts.iommufdDevice = host.exists(std::string(layout::iommufdDevice));
    facts.iommufdModule = moduleStatesOf(host, facts.kernelRelease, {"iommufd"}).at("iommufd");
    facts.iommufd = iommufdFeature(host, facts, config);
    facts.vfioCdevs = host.list(std::string(layout::vfioDeviceCdevs));
    auto [bound, boundHasCdev] = boundDeviceCdev(host);
    facts.vfioBoundDevice = bound;
    facts.vfioDeviceCdev = vfioDeviceCdevFeature(facts, config, boundHasCdev);
}

} // namespace vfioctl

// The checks of what is installed and what vfioctl left on this host: VFIO modules, libvirt, the hook, journals.
#include "host_check_parts.h"

#include "sysfs_value.h"

namespace vfioctl::checks {

namespace {

std::string moduleStateText(ModuleState state)
{
    switch (state) {
    case ModuleState::Missing: return "missing";
    case ModuleState::Available: return "available";
    case ModuleState::Loaded: return "loaded";
    case ModuleState::BuiltIn: return "built in";
    }
    return "";
}

} // namespace

Finding vfioModules(const HostFacts &facts)
{
    std::vector<std::string> states, missing;
    for (const auto &[name, state] : facts.modules) {
        states.push_back(name + " " + moduleStateText(state));
        if (state == ModuleState::Missing)
            missing.push_back(name);
    }
    if (!missing.empty())
        return fail(joinWith(states, ", ") + " for Linux " +
                        (facts.kernelRelease.empty() ? "(unknown)" : facts.kernelRelease) +
                        (facts.moduleIndex
                             ? ""
                             : " (there is no /lib/modules/" + facts.kernelRelease + "/modules.dep to load from)"),
                    "install this kernel's modules (the linux-image package of the running kernel) or boot a kernel "
                    "built with VFIO, VFIO_IOMMU_TYPE1 and VFIO_PCI");
    if (facts.moduleRefusals.empty())
        return pass(joinWith(states, ", "));
    // Present on disk is not loadable: say what the kernel will answer before bind or the hook ask it.
    std::vector<std::string> refused;
    for (const auto &[name, why] : facts.moduleRefusals)
        refused.push_back(name + " (" + why + ")");
    return fail("the kernel refuses to load " + joinWith(refused, ", "),
                facts.moduleRefusals.begin()->second.starts_with("module_blacklist")
                    ? "remove the VFIO modules from module_blacklist= on the kernel command line (in "
                      "/etc/default/grub, then update-grub) and reboot"
                    : "reboot without setting kernel.modules_disabled (it cannot be switched back on), or load "
                      "vfio-pci before it is set");
}

Finding libvirt(const HostFacts &facts)
{
    if (!facts.libvirtDaemon)
        return warn("libvirt's daemon is not installed (no /usr/sbin/libvirtd or /usr/sbin/virtqemud)",
                    "apt-get install libvirt-daemon-system");
    if (!facts.libvirtVersion)
        return warn("libvirt's daemon is installed, but not its library (libvirt.so.0)", "apt-get install libvirt0");
    auto version = parseKernelVersion(*facts.libvirtVersion); // "9.0.0": the same dotted form
    if (!version || *version < KernelVersion{6, 5, 0})
        return warn("libvirt " + *facts.libvirtVersion +
                        " runs no hooks from /etc/libvirt/hooks/qemu.d (libvirt 6.5 and later)",
                    "upgrade libvirt, or call the vfioctl hook from your /etc/libvirt/hooks/qemu script");
    return pass("libvirt " + *facts.libvirtVersion);
}

Finding hookInstalled(const HostFacts &facts)
{
    if (facts.hookInstalled)
        return pass("/etc/libvirt/hooks/qemu.d/vfioctl is installed");
    return warn("/etc/libvirt/hooks/qemu.d/vfioctl is not installed: VMs get no whole-group binding",
                "run ./install.sh, then systemctl restart libvirtd");
}

Finding journals(const HostFacts &facts)
{
    if (!facts.journalsUnreadable.empty())
        return info(facts.journalsUnreadable, "run 'vfioctl check' as root to see vfioctl's journals (a state "
                                              "directory that is not a directory: move it away)");
    if (facts.corruptJournals.empty())
        return pass("no journal is set aside as corrupt");
    return warn("set aside as corrupt: " + joinWith(facts.corruptJournals, ", ") +
                    "; devices on vfio-pci that no valid journal holds are refused until it is resolved",
                "read it, give back by hand what it held ('vfioctl unbind DEVICE'), then run "
                "'vfioctl recover --discard-corrupt'");
}

Finding gpuReset(const HostFacts &facts)
{
    if (facts.gpusWithoutReset.empty())
        return pass("every GPU the kernel can tell about has a reset method (reset_method)");
    return warn(joinWith(facts.gpusWithoutReset, ", ") +
                    (facts.gpusWithoutReset.size() == 1 ? " is a GPU" : " are GPUs") +
                    " with no reset method: it may not work on the host again after a VM used it; the vendor-reset "
                    "module is " +
                    (facts.vendorResetLoaded ? "loaded" : "not loaded"),
                facts.vendorResetLoaded
                    ? "vendor-reset knows only some AMD GPUs; for another, plan to reboot the host after the VM stops"
                    : "for an AMD GPU of the Polaris, Vega or Navi 10 families, build and load vendor-reset "
                      "(github.com/gnif/vendor-reset); otherwise plan to reboot the host after the VM stops");
}

} // namespace vfioctl::checks

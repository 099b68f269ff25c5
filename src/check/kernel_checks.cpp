// The checks of the hardware and the kernel: virtualization, the IOMMU and its arguments, interrupt remapping, VFIO's
// device node, driver_override, ACS override, boot-time vfio-pci claims.
#include "host_check_parts.h"

#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl::checks {

namespace {

// Where a kernel argument goes, for the two boot loaders Debian and Proxmox users have.
std::string addKernelArgument(const std::string &argument)
{
    return "add " + argument +
           " to the kernel command line (GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub; "
           "systemd-boot: /etc/kernel/cmdline, then kernel-install or proxmox-boot-tool refresh) and reboot";
}

std::string removeKernelArgument(const std::string &argument)
{
    return "remove " + argument +
           " from the kernel command line (GRUB: /etc/default/grub, then update-grub; systemd-boot: "
           "/etc/kernel/cmdline) and reboot";
}

bool has(const HostFacts &facts, const std::string &name, const std::string &value)
{
    auto found = facts.commandLine.find(name);
    if (found == facts.commandLine.end())
        return false;
    // intel_iommu=on,sm_on and amd_iommu=off,... take comma-separated options.
    std::string spaced = found->second;
    std::replace(spaced.begin(), spaced.end(), ',', ' ');
    const auto options = splitWords(spaced);
    return std::find(options.begin(), options.end(), value) != options.end();
}

std::string versionText(const KernelVersion &version)
{
    return std::to_string(version.major) + "." + std::to_string(version.minor);
}

bool iommuActive(const HostFacts &facts)
{
    return !facts.iommus.empty() && facts.iommuGroups > 0;
}

// How to turn the IOMMU on, from what the command line and the CPU vendor say.
std::string iommuFix(const HostFacts &facts)
{
    std::string fix;
    // An explicit "off" is the cause whatever the CPU vendor says (a VM's CPU may not match its emulated IOMMU).
    if (has(facts, "intel_iommu", "off"))
        fix = removeKernelArgument("intel_iommu=off") +
              (facts.cpuVendor == CpuVendor::Amd ? "" : "; then " + addKernelArgument("intel_iommu=on"));
    else if (has(facts, "amd_iommu", "off"))
        fix = removeKernelArgument("amd_iommu=off");
    else if (facts.cpuVendor == CpuVendor::Intel && !has(facts, "intel_iommu", "on"))
        fix = "enable VT-d in the firmware setup and " + addKernelArgument("intel_iommu=on");
    else if (facts.cpuVendor == CpuVendor::Intel)
        fix = "intel_iommu=on is set, so enable VT-d in the firmware setup (the firmware gives the kernel no DMAR "
              "table)";
    else if (facts.cpuVendor == CpuVendor::Amd)
        fix = "enable the IOMMU (AMD-Vi, often 'IOMMU' or 'SVM' in the setup menus) in the firmware setup; the "
              "kernel turns it on by itself";
    else
        fix = "enable the IOMMU in the firmware setup and on the kernel command line";
    if (facts.commandLine.count("iommu") && facts.commandLine.at("iommu") == "off")
        fix = removeKernelArgument("iommu=off") + "; then " + fix;
    return fix;
}

} // namespace

Finding cpuVirtualization(const HostFacts &facts)
{
    if (facts.vmx)
        return pass("the CPU has Intel VT-x (vmx)");
    if (facts.svm)
        return pass("the CPU has AMD-V (svm)");
    return warn("no vmx or svm flag in /proc/cpuinfo: VMs can only run emulated, very slowly",
                "enable Intel VT-x or AMD-V (SVM) in the firmware setup");
}

Finding kvmDevice(const HostFacts &facts)
{
    if (facts.kvmDevice)
        return pass("/dev/kvm exists");
    return warn("/dev/kvm is missing: VMs can only run emulated, very slowly",
                std::string("load the KVM module (modprobe ") +
                    (facts.cpuVendor == CpuVendor::Amd ? "kvm_amd" : "kvm_intel") +
                    ") after enabling virtualization in the firmware setup");
}

Finding kernelVersion(const HostFacts &facts)
{
    if (!facts.kernelVersion)
        return warn("cannot read the kernel version from /proc/sys/kernel/osrelease");
    const KernelVersion &version = *facts.kernelVersion;
    if (version < KernelVersion{3, 6, 0})
        return fail("Linux " + facts.kernelRelease +
                        " is too old for VFIO (Linux 3.6 and later); the legacy KVM device assignment through "
                        "pci-stub that such kernels offer is unsafe and not supported",
                    "boot a kernel of Linux 3.16 or later with VFIO (any current distribution kernel)");
    if (version < KernelVersion{3, 16, 0})
        return fail("Linux " + versionText(version) + " has VFIO but no driver_override (Linux 3.16 and later)",
                    "boot a kernel of Linux 3.16 or later");
    return pass("Linux " + facts.kernelRelease);
}

Finding iommu(const HostFacts &facts)
{
    if (iommuActive(facts))
        return pass(std::to_string(facts.iommus.size()) + " IOMMU unit(s) (" + joinWith(facts.iommus, ", ") + ") and " +
                    std::to_string(facts.iommuGroups) + " IOMMU groups");
    return fail(facts.iommus.empty() ? "no IOMMU is active (/sys/class/iommu is empty)"
                                     : "the IOMMU is present but /sys/kernel/iommu_groups is empty",
                iommuFix(facts));
}

Finding commandLine(const HostFacts &facts)
{
    for (const char *argument : {"intel_iommu", "amd_iommu"})
        if (has(facts, argument, "off"))
            return fail(std::string(argument) + "=off is set", removeKernelArgument(std::string(argument) + "=off"));
    if (facts.cpuVendor == CpuVendor::Amd)
        return pass("AMD-Vi needs no kernel argument (on by default)");
    if (facts.cpuVendor != CpuVendor::Intel)
        return info("the CPU vendor is neither Intel nor AMD: no vendor-specific argument to check");
    if (has(facts, "intel_iommu", "on"))
        return pass("intel_iommu=on is set");
    if (iommuActive(facts))
        return pass("intel_iommu=on is not set, but this kernel turns the IOMMU on by default");
    return fail("intel_iommu=on is not set on this Intel host", addKernelArgument("intel_iommu=on"));
}

Finding passthroughMode(const HostFacts &facts)
{
    if (facts.commandLine.count("iommu") && facts.commandLine.at("iommu") == "pt")
        return pass("iommu=pt is set: host devices skip DMA translation");
    return info("iommu=pt is not set: the host's own devices use DMA translation too",
                "optional: " + addKernelArgument("iommu=pt") + " for faster host I/O; VMs are not affected");
}

Finding interruptRemapping(const HostFacts &facts)
{
    if (facts.interruptRemapping)
        return pass("interrupts are remapped (IR- chips in /proc/interrupts)");
    if (facts.unsafeInterruptsAllowed)
        return warn("no interrupt remapping, and vfio_iommu_type1.allow_unsafe_interrupts is set: a VM can inject "
                    "interrupts into the host",
                    "enable interrupt remapping (x2APIC/VT-d or AMD-Vi in the firmware setup) and drop "
                    "allow_unsafe_interrupts");
    if (!iommuActive(facts))
        return warn("cannot tell: interrupt remapping needs an active IOMMU", "check again once the IOMMU is on");
    return fail("no interrupt remapping (no IR- chip in /proc/interrupts): vfio refuses to give devices to VMs",
                "enable interrupt remapping in the firmware setup (x2APIC, VT-d / AMD-Vi); only if that is "
                "impossible and the VMs are trusted, set vfio_iommu_type1.allow_unsafe_interrupts=1");
}

Finding vfioDevice(const HostFacts &facts)
{
    if (facts.vfioContainer)
        return pass("/dev/vfio/vfio exists");
    return warn("/dev/vfio/vfio is missing (vfio is not loaded)",
                "modprobe vfio-pci (vfioctl loads it at the first bind)");
}

Finding driverOverride(const HostFacts &facts)
{
    if (facts.pciDevices == 0)
        return warn("no PCI device under /sys/bus/pci/devices");
    if (facts.driverOverride)
        return pass("PCI devices have driver_override");
    return fail("no PCI device has driver_override (Linux 3.16 and later)", "boot a kernel of Linux 3.16 or later");
}

Finding acsOverride(const HostFacts &facts)
{
    auto found = facts.commandLine.find("pcie_acs_override");
    if (found == facts.commandLine.end())
        return pass("no ACS override: IOMMU groups are what the hardware isolates");
    return warn("pcie_acs_override=" + found->second +
                    " is set: IOMMU groups are split by a patched kernel, not isolated by the hardware, so a VM may "
                    "reach other devices' memory",
                "use it only with trusted VMs, or move the device to a slot with its own group");
}

Finding vfioPciIds(const HostFacts &facts)
{
    if (facts.vfioPciIds.empty())
        return info("none (no vfio-pci.ids= argument or modprobe option)");
    return info("vfio-pci claims " + joinWith(facts.vfioPciIds, ", ") +
                " at boot (kernel command line or /etc/modprobe.d); vfioctl leaves such devices on vfio-pci after a "
                "VM stops");
}

} // namespace vfioctl::checks

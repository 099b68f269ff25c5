#include "host_check.h"

#include "host_check_parts.h"

#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

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
    for (const auto &option : splitWords([&] {
             std::string spaced = found->second;
             std::replace(spaced.begin(), spaced.end(), ',', ' ');
             return spaced;
         }()))
        if (option == value)
            return true;
    return false;
}

std::string versionText(const KernelVersion &version)
{
    return std::to_string(version.major) + "." + std::to_string(version.minor);
}

bool iommuActive(const HostFacts &facts)
{
    return !facts.iommus.empty() && facts.iommuGroups > 0;
}

CheckResult cpuVirtualization(const HostFacts &facts)
{
    CheckResult result{"cpu-virtualization", "CPU virtualization", Verdict::Pass, "", "", false};
    if (facts.vmx)
        result.evidence = "the CPU has Intel VT-x (vmx)";
    else if (facts.svm)
        result.evidence = "the CPU has AMD-V (svm)";
    else {
        result.verdict = Verdict::Warn;
        result.evidence = "no vmx or svm flag in /proc/cpuinfo: VMs can only run emulated, very slowly";
        result.fix = "enable Intel VT-x or AMD-V (SVM) in the firmware setup";
    }
    return result;
}

CheckResult kvmDevice(const HostFacts &facts)
{
    CheckResult result{"kvm-device", "/dev/kvm", Verdict::Pass, "/dev/kvm exists", "", false};
    if (!facts.kvmDevice) {
        result.verdict = Verdict::Warn;
        result.evidence = "/dev/kvm is missing: VMs can only run emulated, very slowly";
        result.fix = std::string("load the KVM module (modprobe ") +
                     (facts.cpuVendor == CpuVendor::Amd ? "kvm_amd" : "kvm_intel") +
                     ") after enabling virtualization in the firmware setup";
    }
    return result;
}

CheckResult kernelVersion(const HostFacts &facts)
{
    CheckResult result{"kernel-version", "Kernel version", Verdict::Pass, "", "", false};
    if (!facts.kernelVersion) {
        result.verdict = Verdict::Warn;
        result.evidence = "cannot read the kernel version from /proc/sys/kernel/osrelease";
        return result;
    }
    const KernelVersion &version = *facts.kernelVersion;
    result.evidence = "Linux " + facts.kernelRelease;
    if (version < KernelVersion{3, 6, 0}) {
        result.verdict = Verdict::Fail;
        result.blocksPassthrough = true;
        result.evidence = "Linux " + facts.kernelRelease +
                          " is too old for VFIO (Linux 3.6 and later); the legacy KVM device assignment through "
                          "pci-stub that such kernels offer is unsafe and not supported";
        result.fix = "boot a kernel of Linux 3.16 or later with VFIO (any current distribution kernel)";
    } else if (version < KernelVersion{3, 16, 0}) {
        result.verdict = Verdict::Fail;
        result.blocksPassthrough = true;
        result.evidence = "Linux " + versionText(version) + " has VFIO but no driver_override (Linux 3.16 and later)";
        result.fix = "boot a kernel of Linux 3.16 or later";
    }
    return result;
}

CheckResult iommu(const HostFacts &facts)
{
    CheckResult result{"iommu", "IOMMU enabled", Verdict::Pass, "", "", false};
    if (iommuActive(facts)) {
        result.evidence = std::to_string(facts.iommus.size()) + " IOMMU unit(s) (" + joinWith(facts.iommus, ", ") +
                          ") and " + std::to_string(facts.iommuGroups) + " IOMMU groups";
        return result;
    }
    result.verdict = Verdict::Fail;
    result.blocksPassthrough = true;
    result.evidence = facts.iommus.empty() ? "no IOMMU is active (/sys/class/iommu is empty)"
                                           : "the IOMMU is present but /sys/kernel/iommu_groups is empty";
    // An explicit "off" is the cause whatever the CPU vendor says (a VM's CPU may not match its emulated IOMMU).
    if (has(facts, "intel_iommu", "off"))
        result.fix = removeKernelArgument("intel_iommu=off") +
                     (facts.cpuVendor == CpuVendor::Amd ? "" : "; then " + addKernelArgument("intel_iommu=on"));
    else if (has(facts, "amd_iommu", "off"))
        result.fix = removeKernelArgument("amd_iommu=off");
    else if (facts.cpuVendor == CpuVendor::Intel && !has(facts, "intel_iommu", "on"))
        result.fix = "enable VT-d in the firmware setup and " + addKernelArgument("intel_iommu=on");
    else if (facts.cpuVendor == CpuVendor::Intel)
        result.fix = "intel_iommu=on is set, so enable VT-d in the firmware setup (the firmware gives the kernel no "
                     "DMAR table)";
    else if (facts.cpuVendor == CpuVendor::Amd)
        result.fix = "enable the IOMMU (AMD-Vi, often 'IOMMU' or 'SVM' in the setup menus) in the firmware setup; "
                     "the kernel turns it on by itself";
    else
        result.fix = "enable the IOMMU in the firmware setup and on the kernel command line";
    if (facts.commandLine.count("iommu") && facts.commandLine.at("iommu") == "off")
        result.fix = removeKernelArgument("iommu=off") + "; then " + result.fix;
    return result;
}

CheckResult commandLine(const HostFacts &facts)
{
    CheckResult result{"kernel-command-line", "IOMMU kernel arguments", Verdict::Pass, "", "", false};
    for (const char *argument : {"intel_iommu", "amd_iommu"}) {
        if (has(facts, argument, "off")) {
            result.verdict = Verdict::Fail;
            result.evidence = std::string(argument) + "=off is set";
            result.fix = removeKernelArgument(std::string(argument) + "=off");
            return result;
        }
    }
    if (facts.cpuVendor == CpuVendor::Intel) {
        if (has(facts, "intel_iommu", "on"))
            result.evidence = "intel_iommu=on is set";
        else if (iommuActive(facts))
            result.evidence = "intel_iommu=on is not set, but this kernel turns the IOMMU on by default";
        else {
            result.verdict = Verdict::Fail;
            result.evidence = "intel_iommu=on is not set on this Intel host";
            result.fix = addKernelArgument("intel_iommu=on");
        }
    } else if (facts.cpuVendor == CpuVendor::Amd) {
        result.evidence = "AMD-Vi needs no kernel argument (on by default)";
    } else {
        result.verdict = Verdict::Info;
        result.evidence = "the CPU vendor is neither Intel nor AMD: no vendor-specific argument to check";
    }
    return result;
}

CheckResult passthroughMode(const HostFacts &facts)
{
    CheckResult result{"iommu-pt", "IOMMU passthrough mode for host devices", Verdict::Info, "", "", false};
    if (facts.commandLine.count("iommu") && facts.commandLine.at("iommu") == "pt") {
        result.verdict = Verdict::Pass;
        result.evidence = "iommu=pt is set: host devices skip DMA translation";
    } else {
        result.evidence = "iommu=pt is not set: the host's own devices use DMA translation too";
        result.fix = "optional: " + addKernelArgument("iommu=pt") + " for faster host I/O; VMs are not affected";
    }
    return result;
}

CheckResult interruptRemapping(const HostFacts &facts)
{
    CheckResult result{"interrupt-remapping", "Interrupt remapping", Verdict::Pass, "", "", false};
    if (facts.interruptRemapping) {
        result.evidence = "interrupts are remapped (IR- chips in /proc/interrupts)";
    } else if (facts.unsafeInterruptsAllowed) {
        result.verdict = Verdict::Warn;
        result.evidence = "no interrupt remapping, and vfio_iommu_type1.allow_unsafe_interrupts is set: a VM can "
                          "inject interrupts into the host";
        result.fix = "enable interrupt remapping (x2APIC/VT-d or AMD-Vi in the firmware setup) and drop "
                     "allow_unsafe_interrupts";
    } else if (!iommuActive(facts)) {
        result.verdict = Verdict::Warn;
        result.evidence = "cannot tell: interrupt remapping needs an active IOMMU";
        result.fix = "check again once the IOMMU is on";
    } else {
        result.verdict = Verdict::Fail;
        result.evidence = "no interrupt remapping (no IR- chip in /proc/interrupts): vfio refuses to give devices "
                          "to VMs";
        result.fix = "enable interrupt remapping in the firmware setup (x2APIC, VT-d / AMD-Vi); only if that is "
                     "impossible and the VMs are trusted, set vfio_iommu_type1.allow_unsafe_interrupts=1";
    }
    return result;
}

CheckResult vfioDevice(const HostFacts &facts)
{
    CheckResult result{"vfio-device", "/dev/vfio/vfio", Verdict::Pass, "/dev/vfio/vfio exists", "", false};
    if (!facts.vfioContainer) {
        result.verdict = Verdict::Warn;
        result.evidence = "/dev/vfio/vfio is missing (vfio is not loaded)";
        result.fix = "modprobe vfio-pci (vfioctl loads it at the first bind)";
    }
    return result;
}

CheckResult driverOverride(const HostFacts &facts)
{
    CheckResult result{"driver-override", "driver_override support", Verdict::Pass, "", "", false};
    if (facts.pciDevices == 0) {
        result.verdict = Verdict::Warn;
        result.evidence = "no PCI device under /sys/bus/pci/devices";
    } else if (facts.driverOverride) {
        result.evidence = "PCI devices have driver_override";
    } else {
        result.verdict = Verdict::Fail;
        result.blocksPassthrough = true;
        result.evidence = "no PCI device has driver_override (Linux 3.16 and later)";
        result.fix = "boot a kernel of Linux 3.16 or later";
    }
    return result;
}

CheckResult acsOverride(const HostFacts &facts)
{
    CheckResult result{"acs-override",
                       "Real IOMMU isolation",
                       Verdict::Pass,
                       "no ACS override: IOMMU groups are what the hardware isolates",
                       "",
                       false};
    if (auto found = facts.commandLine.find("pcie_acs_override"); found != facts.commandLine.end()) {
        result.verdict = Verdict::Warn;
        result.evidence = "pcie_acs_override=" + found->second +
                          " is set: IOMMU groups are split by a patched kernel, not isolated by the hardware, so a "
                          "VM may reach other devices' memory";
        result.fix = "use it only with trusted VMs, or move the device to a slot with its own group";
    }
    return result;
}

CheckResult vfioPciIds(const HostFacts &facts)
{
    CheckResult result{"vfio-pci-ids", "Devices claimed by vfio-pci at boot", Verdict::Info, "", "", false};
    if (facts.vfioPciIds.empty())
        result.evidence = "none (no vfio-pci.ids= argument or modprobe option)";
    else
        result.evidence = "vfio-pci claims " + joinWith(facts.vfioPciIds, ", ") +
                          " at boot (kernel command line or /etc/modprobe.d); vfioctl leaves such devices on "
                          "vfio-pci after a VM stops";
    return result;
}

} // namespace

std::vector<CheckResult> checkHost(const HostFacts &facts)
{
    return {cpuVirtualization(facts),  kvmDevice(facts),
            kernelVersion(facts),      iommu(facts),
            commandLine(facts),        passthroughMode(facts),
            interruptRemapping(facts), checks::vfioModules(facts),
            vfioDevice(facts),         driverOverride(facts),
            acsOverride(facts),        vfioPciIds(facts),
            checks::libvirt(facts),    checks::hookInstalled(facts),
            checks::journals(facts)};
}

std::string verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass: return "PASS";
    case Verdict::Info: return "INFO";
    case Verdict::Warn: return "WARN";
    case Verdict::Fail: return "FAIL";
    }
    return "";
}

Verdict overallVerdict(const std::vector<CheckResult> &results)
{
    Verdict worst = Verdict::Pass;
    for (const auto &result : results)
        if (result.verdict > worst && result.verdict != Verdict::Info)
            worst = result.verdict;
    return worst;
}

std::optional<std::string> passthroughBlocker(const HostRoot &host, const std::vector<PciAddress> &devices)
{
    for (const auto &result : checkHost(gatherHostFacts(host, FactScope::Passthrough, devices)))
        if (result.blocksPassthrough && result.verdict == Verdict::Fail)
            return "PCI passthrough cannot work on this host: " + result.evidence + "; " + result.fix;
    return std::nullopt;
}

} // namespace vfioctl

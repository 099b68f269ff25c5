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

CheckResult vfioModules(const HostFacts &facts)
{
    CheckResult result{"vfio-modules", "VFIO modules", Verdict::Pass, "", "", false};
    std::vector<std::string> states, missing;
    for (const auto &[name, state] : facts.modules) {
        states.push_back(name + " " + moduleStateText(state));
        if (state == ModuleState::Missing)
            missing.push_back(name);
    }
    result.evidence = joinWith(states, ", ");
    if (!missing.empty()) {
        result.verdict = Verdict::Fail;
        result.blocksPassthrough = true;
        result.evidence += " for Linux " + (facts.kernelRelease.empty() ? "(unknown)" : facts.kernelRelease);
        if (!facts.moduleIndex)
            result.evidence += " (there is no /lib/modules/" + facts.kernelRelease + "/modules.dep to load from)";
        result.fix = "install this kernel's modules (the linux-image package of the running kernel) or boot a "
                     "kernel built with VFIO, VFIO_IOMMU_TYPE1 and VFIO_PCI";
        return result;
    }
    if (!facts.moduleRefusals.empty()) {
        // Present on disk is not loadable: say what the kernel will answer before bind or the hook ask it.
        std::vector<std::string> refused;
        for (const auto &[name, why] : facts.moduleRefusals)
            refused.push_back(name + " (" + why + ")");
        result.verdict = Verdict::Fail;
        result.blocksPassthrough = true;
        result.evidence = "the kernel refuses to load " + joinWith(refused, ", ");
        result.fix = facts.moduleRefusals.begin()->second.starts_with("module_blacklist")
                         ? "remove the VFIO modules from module_blacklist= on the kernel command line (in "
                           "/etc/default/grub, then update-grub) and reboot"
                         : "reboot without setting kernel.modules_disabled (it cannot be switched back on), or load "
                           "vfio-pci before it is set";
    }
    return result;
}

CheckResult libvirt(const HostFacts &facts)
{
    CheckResult result{"libvirt", "libvirt with qemu.d hooks", Verdict::Pass, "", "", false};
    if (!facts.libvirtDaemon) {
        result.verdict = Verdict::Warn;
        result.evidence = "libvirt's daemon is not installed (no /usr/sbin/libvirtd or /usr/sbin/virtqemud)";
        result.fix = "apt-get install libvirt-daemon-system";
        return result;
    }
    if (!facts.libvirtVersion) {
        result.verdict = Verdict::Warn;
        result.evidence = "libvirt's daemon is installed, but not its library (libvirt.so.0)";
        result.fix = "apt-get install libvirt0";
        return result;
    }
    auto version = parseKernelVersion(*facts.libvirtVersion); // "9.0.0": the same dotted form
    result.evidence = "libvirt " + *facts.libvirtVersion;
    if (!version || *version < KernelVersion{6, 5, 0}) {
        result.verdict = Verdict::Warn;
        result.evidence += " runs no hooks from /etc/libvirt/hooks/qemu.d (libvirt 6.5 and later)";
        result.fix = "upgrade libvirt, or call the vfioctl hook from your /etc/libvirt/hooks/qemu script";
    }
    return result;
}

CheckResult hookInstalled(const HostFacts &facts)
{
    CheckResult result{"hook", "vfioctl qemu hook", Verdict::Pass, "/etc/libvirt/hooks/qemu.d/vfioctl is installed", "",
                       false};
    if (!facts.hookInstalled) {
        result.verdict = Verdict::Warn;
        result.evidence = "/etc/libvirt/hooks/qemu.d/vfioctl is not installed: VMs get no whole-group binding";
        result.fix = "run ./install.sh, then systemctl restart libvirtd";
    }
    return result;
}

CheckResult journals(const HostFacts &facts)
{
    CheckResult result{"journals", "vfioctl journals", Verdict::Pass, "no journal is set aside as corrupt", "", false};
    if (!facts.journalsUnreadable.empty()) {
        result.verdict = Verdict::Info;
        result.evidence = facts.journalsUnreadable;
        result.fix = "run 'vfioctl check' as root to see vfioctl's journals";
    } else if (!facts.corruptJournals.empty()) {
        result.verdict = Verdict::Warn;
        result.evidence = "set aside as corrupt: " + joinWith(facts.corruptJournals, ", ") +
                          "; devices on vfio-pci that no valid journal holds are refused until it is resolved";
        result.fix = "read it, give back by hand what it held ('vfioctl unbind DEVICE'), then run "
                     "'vfioctl recover --discard-corrupt'";
    }
    return result;
}

} // namespace vfioctl::checks

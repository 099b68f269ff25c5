// The table of checks `vfioctl check` runs, and the freeze built from the ones that can block.
#include "host_check.h"

#include "host_check_parts.h"

namespace vfioctl {

Finding pass(std::string evidence)
{
    return {Verdict::Pass, std::move(evidence), ""};
}

Finding info(std::string evidence, std::string fix)
{
    return {Verdict::Info, std::move(evidence), std::move(fix)};
}

Finding warn(std::string evidence, std::string fix)
{
    return {Verdict::Warn, std::move(evidence), std::move(fix)};
}

Finding fail(std::string evidence, std::string fix)
{
    return {Verdict::Fail, std::move(evidence), std::move(fix)};
}

std::span<const HostCheck> hostChecks()
{
    using enum Fact;
    using enum CanBlock;
    static const HostCheck table[] = {
        {"cpu-virtualization", "CPU virtualization", Cpu, No, checks::cpuVirtualization},
        {"kvm-device", "/dev/kvm", KvmDevice | Cpu, No, checks::kvmDevice},
        {"kernel-version", "Kernel version", Kernel, Yes, checks::kernelVersion},
        {"iommu", "IOMMU enabled", Iommus | PciSupport | CommandLine | Cpu, Yes, checks::iommu},
        {"kernel-command-line", "IOMMU kernel arguments", CommandLine | Cpu | Iommus | PciSupport, No,
         checks::commandLine},
        {"iommu-pt", "IOMMU passthrough mode for host devices", CommandLine, No, checks::passthroughMode},
        {"interrupt-remapping", "Interrupt remapping", Interrupts | Iommus | PciSupport, No,
         checks::interruptRemapping},
        {"vfio-modules", "VFIO modules", Modules | Kernel, Yes, checks::vfioModules},
        {"vfio-device", "/dev/vfio/vfio", VfioContainer, No, checks::vfioDevice},
        {"driver-override", "driver_override support", PciSupport, Yes, checks::driverOverride},
        {"acs-override", "Real IOMMU isolation", CommandLine, No, checks::acsOverride},
        {"vfio-pci-ids", "Devices claimed by vfio-pci at boot", VfioPciIds, No, checks::vfioPciIds},
        {"libvirt", "libvirt with qemu.d hooks", Libvirt, No, checks::libvirt},
        {"hook", "vfioctl qemu hook", Hook, No, checks::hookInstalled},
        {"journals", "vfioctl journals", Journals, No, checks::journals},
        {"gpu-reset", "GPU reset", GpuResets | Kernel, No, checks::gpuReset},
        {"iommufd", "iommufd (/dev/iommu)", VfioInterfaces | Kernel | Libvirt, No, checks::iommufd},
        {"vfio-cdev", "VFIO device cdev", VfioInterfaces | Kernel, No, checks::vfioDeviceCdev},
    };
    return table;
}

CheckResult runCheck(const HostCheck &check, const HostFacts &facts)
{
    Finding found = check.run(facts);
    const bool blocks = check.canBlock == CanBlock::Yes && found.verdict == Verdict::Fail;
    return {std::string(check.id),     std::string(check.title), found.verdict,
            std::move(found.evidence), std::move(found.fix),     blocks};
}

std::vector<CheckResult> checkHost(const HostFacts &facts)
{
    std::vector<CheckResult> results;
    for (const auto &check : hostChecks())
        results.push_back(runCheck(check, facts));
    return results;
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

std::string blockerSentence(const CheckResult &result)
{
    return "PCI passthrough cannot work on this host: " + result.evidence + "; " + result.fix;
}

std::optional<std::string> firstBlocker(const std::vector<CheckResult> &results)
{
    for (const auto &result : results)
        if (result.blocksPassthrough)
            return blockerSentence(result);
    return std::nullopt;
}

FactSet factsToBlock()
{
    FactSet needed;
    for (const auto &check : hostChecks())
        if (check.canBlock == CanBlock::Yes)
            needed |= check.needs;
    return needed;
}

std::optional<std::string> passthroughBlocker(const HostRoot &host, const std::vector<PciAddress> &devices)
{
    const HostFacts facts = gatherHostFacts(host, factsToBlock(), devices);
    std::vector<CheckResult> results;
    for (const auto &check : hostChecks())
        if (check.canBlock == CanBlock::Yes)
            results.push_back(runCheck(check, facts));
    return firstBlocker(results);
}

} // namespace vfioctl

// gatherHostFacts: one reader per Fact, each filling its fields of HostFacts, run for exactly the facts asked for
// (and those they are derived from).
#include "host_facts.h"

#include "error.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <span>

namespace vfioctl {

namespace {

// Module names use '-' and '_' interchangeably; sysfs uses '_'.
std::string canonicalModuleName(std::string name)
{
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

// "kernel/drivers/vfio/pci/vfio-pci.ko.zst" -> "vfio_pci"
std::string moduleNameOfPath(std::string_view path)
{
    path = path.substr(path.rfind('/') + 1);
    path = path.substr(0, path.find(".ko"));
    return canonicalModuleName(std::string(path));
}

std::map<std::string, ModuleState> moduleStates(const HostRoot &host, const HostFacts &facts)
{
    return moduleStatesOf(host, facts.kernelRelease, {"vfio", "vfio_iommu_type1", "vfio_pci"});
}

} // namespace

std::string moduleTreeOf(const std::string &kernelRelease)
{
    return joinPath(std::string(layout::moduleTrees), kernelRelease);
}

std::map<std::string, ModuleState> moduleStatesOf(const HostRoot &host, const std::string &kernelRelease,
                                                  std::initializer_list<const char *> names)
{
    std::map<std::string, ModuleState> states;
    for (const char *name : names)
        states[name] = ModuleState::Missing;
    if (!kernelRelease.empty()) {
        const std::string tree = moduleTreeOf(kernelRelease);
        for (const auto &line : splitLines(host.read(joinPath(tree, "modules.dep")).value_or("")))
            if (auto known = states.find(moduleNameOfPath(line.substr(0, line.find(':')))); known != states.end())
                known->second = ModuleState::Available;
        for (const auto &line : splitLines(host.read(joinPath(tree, "modules.builtin")).value_or("")))
            if (auto known = states.find(moduleNameOfPath(trimmed(line))); known != states.end())
                known->second = ModuleState::BuiltIn;
    }
    for (auto &[name, state] : states)
        if (state != ModuleState::BuiltIn && host.exists(joinPath(std::string(layout::modules), name)))
            state = ModuleState::Loaded;
    return states;
}

namespace {

// What makes the kernel refuse to load a module that is neither loaded nor built in: its name in module_blacklist=
// (the kernel compares the name exactly, as it spells it: vfio_pci), or module loading switched off for good.
std::map<std::string, std::string> moduleRefusals(const HostRoot &host, const HostFacts &facts)
{
    std::map<std::string, std::string> refusals;
    const bool disabled = trimmed(host.read(std::string(layout::modulesDisabled)).value_or("0")) == "1";
    std::vector<std::string> blacklisted;
    if (auto list = facts.commandLine.find("module_blacklist"); list != facts.commandLine.end()) {
        std::string names = list->second;
        std::replace(names.begin(), names.end(), ',', ' ');
        blacklisted = splitWords(names);
    }
    for (const auto &[name, state] : facts.modules) {
        if (state == ModuleState::Loaded || state == ModuleState::BuiltIn)
            continue;
        if (std::find(blacklisted.begin(), blacklisted.end(), name) != blacklisted.end())
            refusals[name] =
                "module_blacklist=" + facts.commandLine.at("module_blacklist") + " on the kernel command line";
        else if (disabled)
            refusals[name] = "module loading is disabled (kernel.modules_disabled = 1)";
    }
    return refusals;
}

void addIds(std::vector<std::string> &ids, std::string_view list)
{
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string id = trimmed(list.substr(start, comma == std::string_view::npos ? list.npos : comma - start));
        if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
}

// "options vfio-pci ids=10de:1b80,10de:10f0 disable_vga=1" in any /etc/modprobe.d/*.conf
void addModprobeIds(const HostRoot &host, std::vector<std::string> &ids)
{
    for (const auto &file : host.list(std::string(layout::modprobeConfig))) {
        if (!file.ends_with(".conf"))
            continue;
        for (const auto &line :
             splitLines(host.read(joinPath(std::string(layout::modprobeConfig), file)).value_or(""))) {
            auto words = splitWords(line);
            if (words.size() < 3 || words[0] != "options" || canonicalModuleName(words[1]) != "vfio_pci")
                continue;
            for (size_t i = 2; i < words.size(); ++i)
                if (words[i].starts_with("ids="))
                    addIds(ids, std::string_view(words[i]).substr(4));
        }
    }
}

// What the devices about to be bound say of the host: the first with an IOMMU group and a driver_override answers
// for the host (the checks ask whether there are any), so a VM of 16 VFs asks no more than a VM of one. False when
// none says enough (no group, no override): the host is then listed.
bool sampleDevices(const HostRoot &host, const std::vector<PciAddress> &devices, HostFacts &facts)
{
    for (const auto &address : devices) {
        const std::string path = joinPath(layout::pciDevices, address.str());
        // The link and the group it names; the override file.
        if (host.exists(joinPath(path, "iommu_group")) && host.exists(joinPath(path, "driver_override"))) {
            facts.iommuGroups = 1;
            facts.pciDevices = 1;
            facts.driverOverride = true;
            return true;
        }
    }
    return false;
}

using Devices = std::vector<PciAddress>;

void readKernel(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.kernelRelease = trimmed(host.read(std::string(layout::kernelRelease)).value_or(""));
    facts.kernelVersion = parseKernelVersion(facts.kernelRelease);
}

void readCommandLine(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.commandLine = parseKernelCommandLine(host.read(std::string(layout::kernelCommandLine)).value_or(""));
}

void readCpu(const HostRoot &host, const Devices &, HostFacts &facts)
{
    for (const auto &line : splitLines(host.read(std::string(layout::cpuInfo)).value_or(""))) {
        size_t colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string key = trimmed(line.substr(0, colon));
        std::string value = trimmed(line.substr(colon + 1));
        if (key == "vendor_id")
            facts.cpuVendor = value == "GenuineIntel"                              ? CpuVendor::Intel
                              : value == "AuthenticAMD" || value == "HygonGenuine" ? CpuVendor::Amd
                                                                                   : CpuVendor::Other;
        if (key == "flags") {
            auto flags = splitWords(value);
            facts.vmx = std::find(flags.begin(), flags.end(), "vmx") != flags.end();
            facts.svm = std::find(flags.begin(), flags.end(), "svm") != flags.end();
            break; // every processor lists the same flags
        }
    }
}

void readKvmDevice(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.kvmDevice = host.exists(std::string(layout::kvmDevice));
}

void readIommus(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.iommus = host.list(std::string(layout::iommuClass));
}

void readPciSupport(const HostRoot &host, const Devices &devices, HostFacts &facts)
{
    if (sampleDevices(host, devices, facts))
        return;
    facts.iommuGroups = static_cast<int>(host.list(std::string(layout::iommuGroups)).size());
    auto listed = host.list(std::string(layout::pciDevices));
    facts.pciDevices = static_cast<int>(listed.size());
    facts.driverOverride = std::any_of(listed.begin(), listed.end(), [&](const std::string &device) {
        return host.exists(joinPath(joinPath(std::string(layout::pciDevices), device), "driver_override"));
    });
}

void readModules(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.modules = moduleStates(host, facts);
    facts.moduleIndex =
        !facts.kernelRelease.empty() && host.exists(joinPath(moduleTreeOf(facts.kernelRelease), "modules.dep"));
    facts.moduleRefusals = moduleRefusals(host, facts);
}

void readInterrupts(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.interruptRemapping = host.read(std::string(layout::interrupts)).value_or("").find("IR-") != std::string::npos;
    const std::string parameter = trimmed(host.read(std::string(layout::unsafeInterruptsParameter)).value_or(""));
    auto argument = facts.commandLine.find("vfio_iommu_type1.allow_unsafe_interrupts");
    facts.unsafeInterruptsAllowed =
        parameter == "Y" || (argument != facts.commandLine.end() && argument->second != "0");
}

void readVfioContainer(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.vfioContainer = host.exists(std::string(layout::vfioContainer));
}

void readVfioPciIds(const HostRoot &host, const Devices &, HostFacts &facts)
{
    if (auto ids = facts.commandLine.find("vfio_pci.ids"); ids != facts.commandLine.end())
        addIds(facts.vfioPciIds, ids->second);
    addModprobeIds(host, facts.vfioPciIds);
}

void readLibvirt(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.libvirtVersion = libvirtLibraryVersion(host);
    facts.libvirtDaemon =
        host.exists(std::string(layout::libvirtDaemon)) || host.exists(std::string(layout::qemuDaemon));
}

void readHook(const HostRoot &host, const Devices &, HostFacts &facts)
{
    facts.hookInstalled = host.exists(std::string(layout::ourHook));
}

// The journals set aside as corrupt; a state directory this user may not read is one line of the report, never the
// end of it.
void readJournals(const HostRoot &host, const Devices &, HostFacts &facts)
{
    const std::string owners(layout::ownersDirectory);
    try {
        // A state directory that is a file is state that cannot be read, never "nothing set aside".
        for (const std::string &path : {std::string(layout::runDirectory), owners})
            if (auto found = host.factsOf(path); found && found->kind != PathFacts::Kind::Directory)
                throw Error(host.shown(path) + " is not a directory, so vfioctl's journals cannot be read", ENOTDIR);
        for (const auto &name : host.list(owners))
            if (name.find(".journal.corrupt") != std::string::npos)
                facts.corruptJournals.push_back(host.shown(joinPath(owners, name)));
    } catch (const Error &error) {
        facts.journalsUnreadable = error.what();
    }
}

// Display-class functions (class 0x03xxxx) the kernel says it cannot reset.
void readGpuResets(const HostRoot &host, const Devices &, HostFacts &facts)
{
    const std::string devices(layout::pciDevices);
    for (const auto &name : host.list(devices)) {
        const std::string path = joinPath(devices, name);
        if (!trimmed(host.read(joinPath(path, "class")).value_or("")).starts_with("0x03"))
            continue;
        // Linux 5.15 and later hide reset_method from a device they cannot reset; an empty one says the same.
        const auto methods = host.read(joinPath(path, "reset_method"));
        if (methods ? trimmed(*methods).empty() : facts.kernelVersion >= resetMethodsPublishedSince)
            facts.gpusWithoutReset.push_back(name);
    }
    facts.vendorResetLoaded = host.exists(joinPath(std::string(layout::modules), "vendor_reset"));
}

struct FactReader {
    Fact fact;
    FactSet derivedFrom; // facts read earlier in the table that this one is computed from
    void (*read)(const HostRoot &host, const Devices &devices, HostFacts &facts);
};

// In an order where each fact comes after those it is derived from.
constexpr FactReader factReaders[] = {
    {Fact::Kernel, {}, readKernel},
    {Fact::CommandLine, {}, readCommandLine},
    {Fact::Cpu, {}, readCpu},
    {Fact::KvmDevice, {}, readKvmDevice},
    {Fact::Iommus, {}, readIommus},
    {Fact::PciSupport, {}, readPciSupport},
    {Fact::Modules, Fact::Kernel | Fact::CommandLine, readModules},
    {Fact::Interrupts, Fact::CommandLine, readInterrupts},
    {Fact::VfioContainer, {}, readVfioContainer},
    {Fact::VfioPciIds, Fact::CommandLine, readVfioPciIds},
    {Fact::Libvirt, {}, readLibvirt},
    {Fact::Hook, {}, readHook},
    {Fact::Journals, {}, readJournals},
    {Fact::GpuResets, Fact::Kernel, readGpuResets},
    {Fact::VfioInterfaces, Fact::Kernel,
     [](const HostRoot &host, const Devices &, HostFacts &facts) { readVfioInterfaces(host, facts); }},
};

} // namespace

HostFacts gatherHostFacts(const HostRoot &host, FactSet wanted, const std::vector<PciAddress> &devices)
{
    const std::span<const FactReader> readers(factReaders);
    for (auto reader = readers.rbegin(); reader != readers.rend(); ++reader)
        if (wanted.contains(reader->fact))
            wanted |= reader->derivedFrom;
    HostFacts facts;
    for (const auto &reader : readers)
        if (wanted.contains(reader.fact))
            reader.read(host, devices, facts);
    return facts;
}

} // namespace vfioctl

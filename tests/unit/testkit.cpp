#include "testkit.h"

#include "bind_journal.h"
#include <cstdio>

#include "pci_scanner.h"
#include "workstation.h"

#include <gtest/gtest.h>

namespace vfioctl::testing {

PciAddress at(const char *text)
{
    return PciAddress::parse(text);
}

void addGpuWithAudio(FakeHost &fake, const std::string &gpuDriver, int group)
{
    fake.addPci({.address = "0000:00:01.0",
                 .classCode = 0x060400,
                 .vendor = 0x8086,
                 .device = 0x1901,
                 .driver = "pcieport",
                 .group = group});
    fake.addPci({.address = "0000:01:00.0",
                 .classCode = 0x030000,
                 .vendor = 0x10de,
                 .device = 0x2204,
                 .subVendor = 0x1458,
                 .subDevice = 0x403b,
                 .revision = 0xa1,
                 .driver = gpuDriver,
                 .group = group,
                 .parent = "0000:00:01.0",
                 .resetMethod = "flr bus",
                 .numaNode = 0});
    fake.addPci({.address = "0000:01:00.1",
                 .classCode = 0x040300,
                 .vendor = 0x10de,
                 .device = 0x1aef,
                 .driver = "snd_hda_intel",
                 .group = group,
                 .parent = "0000:00:01.0"});
}

SimulatedWorkstation::SimulatedWorkstation()
{
    buildWorkstation(fake);
    fake.addDriver("vfio-pci");
    kernel = std::make_unique<SimulatedKernel>(fake);
    kernel->supports("vfio-pci", 0x10de, 0x2204);
    modules = std::make_unique<FakeModuleLoader>(*kernel);
}

std::string SimulatedWorkstation::driverOf(const char *address) const
{
    return currentDriver(*kernel, at(address));
}

const nlohmann::json &byKey(const nlohmann::json &array, const char *key, const std::string &value)
{
    static const nlohmann::json none;
    for (const auto &element : array)
        if (element.contains(key) && element[key] == value)
            return element;
    ADD_FAILURE() << "no element with " << key << " " << value << " in " << array.dump();
    return none;
}

const nlohmann::json &byAddress(const nlohmann::json &array, const std::string &address)
{
    return byKey(array, "address", address);
}

} // namespace vfioctl::testing

namespace vfioctl::testing {

std::string uuidFor(const std::string &vmName)
{
    // FNV-1a, twice with different seeds: 128 bits that depend on every byte of the name.
    auto hash = [&](uint64_t seed) {
        uint64_t value = seed;
        for (unsigned char c : vmName)
            value = (value ^ c) * 0x100000001b3ull;
        return value;
    };
    char text[40];
    const uint64_t high = hash(0xcbf29ce484222325ull), low = hash(0x84222325cbf29ce4ull);
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(low));
    return *canonicalUuid(text);
}

Owner vmOwner(const std::string &vmName)
{
    return Owner::vm(uuidFor(vmName), vmName);
}

std::string withVmIdentity(const std::string &xml, const std::string &vmName)
{
    std::string text = xml;
    if (const size_t name = text.find("<name>"); name != std::string::npos)
        text.replace(name + 6, text.find("</name>", name) - name - 6, vmName);
    const size_t open = text.find("<uuid>");
    if (open != std::string::npos) {
        const size_t close = text.find("</uuid>", open);
        return text.replace(open + 6, close - open - 6, uuidFor(vmName));
    }
    const size_t domain = text.find("<domain");
    if (domain == std::string::npos)
        return text;
    const size_t end = text.find('>', domain);
    if (end == std::string::npos || text[end - 1] == '/')
        return text;
    return text.insert(end + 1, "<uuid>" + uuidFor(vmName) + "</uuid>");
}

void saveJournal(HostRoot &host, const Journal &journal)
{
    BindJournal journals(host, liveProcesses());
    journals.save(journals.lock(std::chrono::seconds(5)), journal);
}

} // namespace vfioctl::testing

namespace vfioctl::testing {

namespace {

class DeadProcessTable : public ProcessTable {
public:
    ProcessStamp self() const override
    {
        ProcessStamp live = liveProcesses().self();
        return {live.pid, live.start + 1000003};
    }
    bool running(const ProcessStamp &process) const override { return liveProcesses().running(process); }
    std::string commandName(int pid) const override { return liveProcesses().commandName(pid); }
};

} // namespace

const ProcessTable &deadProcess()
{
    static DeadProcessTable table;
    return table;
}

} // namespace vfioctl::testing

namespace vfioctl::testing {

void rescanWorkstationVf(SimulatedWorkstation &host)
{
    host.fake.addPci({.address = "0000:04:00.3",
                      .classCode = 0x020000,
                      .vendor = 0x15b3,
                      .device = 0x1018,
                      .driver = "",
                      .group = 9,
                      .parent = "",
                      .physfn = "0000:04:00.0"});
    host.kernel->write("/sys/bus/pci/drivers_probe", "0000:04:00.3");
}

} // namespace vfioctl::testing

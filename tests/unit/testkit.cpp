#include "testkit.h"

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

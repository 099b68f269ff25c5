// The directory reads a scan is made of: only single entries, a listing that can be taken twice, and (in a tree
// whose devices have no modalias, as a capture made by hand may) the same device as from modalias.
#include "error.h"
#include "fake_host.h"
#include "pci_scanner.h"
#include "workstation.h"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

TEST(DescriptorDirectory, ReadsOnlySingleEntriesOfItself)
{
    FakeHost fake;
    fake.writeFile("/sys/devices/d/vendor", "0x8086\n");
    fake.writeFile("/sys/devices/secret", "x\n");
    auto directory = fake.host().openDirectory("/sys/devices/d");
    ASSERT_TRUE(directory);
    EXPECT_EQ(directory->readAttribute("vendor"), "0x8086\n");
    for (const char *name : {"../secret", "..", ".", "", "sub/vendor", "/sys/devices/secret"}) {
        EXPECT_THROW(directory->readAttribute(name), Error) << name;
        EXPECT_THROW(directory->readLink(name), Error) << name;
    }
}

TEST(DescriptorDirectory, ListsTheSameEntriesEveryTime)
{
    FakeHost fake;
    for (const char *name : {"a", "b", "c"})
        fake.writeFile(std::string("/sys/devices/d/") + name, "");
    auto directory = fake.host().openDirectory("/sys/devices/d");
    ASSERT_TRUE(directory);
    auto first = directory->list(), second = directory->list();
    std::sort(first.begin(), first.end());
    std::sort(second.begin(), second.end());
    EXPECT_EQ(first, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(second, first);
}

TEST(DescriptorDirectory, ATreeWithoutModaliasOrWithAnOddOneReadsTheSameDevices)
{
    FakeHost fake;
    vfioctl::testing::buildWorkstation(fake);
    std::vector<std::string> notes;
    const auto fromModalias = scanPciDevices(fake.host(), NoHardwareNames(), notes);
    ASSERT_GT(fromModalias.size(), 10u);
    bool odd = false;
    for (const auto &device : fromModalias) {
        const std::string modalias = fake.devicePath(device.address.str()) + "/modalias";
        if (odd) // not the kernel's form: each attribute is read instead
            fake.writeFile(modalias, "pci:v00001234d0000zzzz\n");
        else
            fake.removePath(modalias);
        odd = !odd;
    }
    const auto fromFiles = scanPciDevices(fake.host(), NoHardwareNames(), notes);
    EXPECT_EQ(fromFiles, fromModalias);
    EXPECT_TRUE(notes.empty());
}

#include "error.h"
#include "fake_host.h"
#include "hardware_names.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

TEST(DirectoryHostRoot, ResolvesRelativeLinksToHostPaths)
{
    FakeHost fake;
    fake.addPci({.address = "0000:00:01.0", .classCode = 0x060400, .group = 1});
    fake.addPci({.address = "0000:01:00.0", .classCode = 0x030000, .group = 1, .parent = "0000:00:01.0"});
    EXPECT_EQ(fake.host().canonical("/sys/bus/pci/devices/0000:01:00.0"),
              "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
    EXPECT_EQ(fake.host().canonical("/sys/bus/pci/devices/0000:01:00.0/iommu_group/devices/0000:00:01.0"),
              "/sys/devices/pci0000:00/0000:00:01.0");
}

TEST(DirectoryHostRoot, KeepsAbsoluteLinksInsideTheRoot)
{
    FakeHost fake;
    fake.makeDirectory("/sys/devices/x");
    std::filesystem::create_symlink("/sys/devices/x", fake.root() + "/sys/abs");
    EXPECT_EQ(fake.host().canonical("/sys/abs"), "/sys/devices/x");
    EXPECT_EQ(fake.host().canonical("/../../sys/abs/../x"), "/sys/devices/x");
}

TEST(DirectoryHostRoot, RefusesLinkLoops)
{
    FakeHost fake;
    std::filesystem::create_symlink("b", fake.root() + "/a");
    std::filesystem::create_symlink("a", fake.root() + "/b");
    EXPECT_THROW(fake.host().canonical("/a"), Error);
}

TEST(DirectoryHostRoot, ReportsWriteErrorsWithTheErrnoText)
{
    FakeHost fake;
    try {
        fake.host().write("/sys/bus/pci/nonexistent", "1");
        FAIL();
    } catch (const Error &error) {
        // The path as it is under the root, so the user finds the file.
        EXPECT_EQ(error.what(), "cannot open " + fake.root() + "/sys/bus/pci/nonexistent: No such file or directory");
        EXPECT_EQ(error.errorNumber(), ENOENT);
    }
}

TEST(DirectoryHostRoot, ReplacesFilesAtomicallyWithTheGivenMode)
{
    FakeHost fake;
    fake.host().makeDirectories("/run/vfioctl", 0700);
    fake.host().replaceAtomically("/run/vfioctl/state", "one", 0600);
    fake.host().replaceAtomically("/run/vfioctl/state", "two", 0600);
    EXPECT_EQ(fake.host().read("/run/vfioctl/state"), "two");
    EXPECT_EQ(fake.host().list("/run/vfioctl"), std::vector<std::string>{"state"}); // no temporary left
    auto status = std::filesystem::status(fake.root() + "/run/vfioctl");
    EXPECT_EQ(status.permissions() & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

TEST(HardwareNames, ComeFromTheSystemDatabase)
{
    // The hwdb ships with udev, which the test packages install; a missing database is a failure here.
    auto names = openHardwareDatabase();
    PciNames pci = names->pci(0x8086, 0x100e, 0x8086, 0x001e, 0x020000);
    EXPECT_EQ(pci.vendor, "Intel Corporation");
    EXPECT_EQ(pci.device, "82540EM Gigabit Ethernet Controller");
    EXPECT_EQ(pci.className, "Ethernet controller");
    UsbNames usb = names->usb(0x1d6b, 0x0002);
    EXPECT_EQ(usb.vendor, "Linux Foundation");
    EXPECT_EQ(usb.product, "2.0 root hub");
}

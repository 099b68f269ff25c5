#include "affected.h"
#include "eligibility.h"
#include "error.h"
#include "inventory.h"
#include "workstation.h"

#include <gtest/gtest.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

namespace {

class InventoryTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        vfioctl::testing::buildWorkstation(fake);
        inventory = scanInventory(fake.host(), names);
    }
    const PciDevice &pci(const char *address) { return inventory.requirePci(PciAddress::parse(address)); }
    std::vector<std::string> reasonsOf(const char *address)
    {
        std::vector<std::string> details;
        for (const auto &reason : assessEligibility(inventory, pci(address)).reasons)
            details.push_back(kindName(reason.kind) + ": " + reason.detail);
        return details;
    }

    FakeHost fake;
    NoHardwareNames names;
    Inventory inventory;
};

} // namespace

TEST_F(InventoryTest, ReadsEveryPciFunctionWithItsAttributes)
{
    ASSERT_EQ(inventory.pci.size(), 15u);
    const PciDevice &gpu = pci("0000:01:00.0");
    EXPECT_EQ(gpu.classCode, 0x030000u);
    EXPECT_EQ(gpu.vendorId, 0x10de);
    EXPECT_EQ(gpu.deviceId, 0x2204);
    EXPECT_EQ(gpu.subsystemVendorId, 0x1458);
    EXPECT_EQ(gpu.subsystemDeviceId, 0x403b);
    EXPECT_EQ(gpu.revision, 0xa1);
    EXPECT_EQ(gpu.driver, "nvidia");
    EXPECT_EQ(gpu.driverOverride, "");
    EXPECT_EQ(gpu.iommuGroup, 1);
    EXPECT_EQ(gpu.numaNode, 0);
    EXPECT_EQ(gpu.parentBridge, PciAddress::parse("0000:00:01.0"));
    EXPECT_EQ(gpu.resetMethods, (std::vector<std::string>{"flr", "bus"}));
    EXPECT_FALSE(gpu.bootVga);
    EXPECT_TRUE(pci("0000:00:02.0").bootVga);
    EXPECT_FALSE(pci("0000:00:00.0").parentBridge);
    EXPECT_EQ(pci("0000:00:00.0").driver, "");
    EXPECT_FALSE(pci("0000:06:00.0").iommuGroup);
    EXPECT_FALSE(pci("0000:00:14.0").numaNode);
}

TEST_F(InventoryTest, ReadsSriovLinksBothWays)
{
    EXPECT_EQ(pci("0000:04:00.0").virtualFunctions,
              (std::vector<PciAddress>{PciAddress::parse("0000:04:00.2"), PciAddress::parse("0000:04:00.3")}));
    EXPECT_EQ(pci("0000:04:00.3").physicalFunction, PciAddress::parse("0000:04:00.0"));
    EXPECT_FALSE(pci("0000:04:00.0").physicalFunction);
}

TEST_F(InventoryTest, ReadsIommuGroupsFromTheKernelDirectory)
{
    ASSERT_EQ(inventory.groups.size(), 11u);
    const IommuGroup *group = inventory.findGroup(1);
    ASSERT_TRUE(group);
    EXPECT_EQ(group->devices,
              (std::vector<PciAddress>{PciAddress::parse("0000:00:01.0"), PciAddress::parse("0000:01:00.0"),
                                       PciAddress::parse("0000:01:00.1")}));
}

TEST_F(InventoryTest, FindsUsbDevicesBelowTheirController)
{
    auto usb = inventory.usbBelow(PciAddress::parse("0000:00:14.0"));
    ASSERT_EQ(usb.size(), 2u);
    EXPECT_EQ(usb[0]->name, "1-1");
    EXPECT_EQ(usb[0]->vendorId, 0x046d);
    EXPECT_EQ(usb[0]->productId, 0xc31c);
    EXPECT_EQ(usb[0]->busNumber, 1);
    EXPECT_EQ(usb[0]->deviceNumber, 2);
    EXPECT_EQ(usb[0]->productName, "Fake USB 1-1"); // the device's own string when the database has none
    EXPECT_EQ(usb[1]->name, "usb1");
}

TEST_F(InventoryTest, FindsScsiLunsAndTheirDisksBelowTheHba)
{
    ASSERT_EQ(inventory.scsi.size(), 1u); // host0 is listed on the bus but is not a LUN
    const ScsiDevice &disk = inventory.scsi[0];
    EXPECT_EQ(disk.hctl, "0:0:0:0");
    EXPECT_EQ(disk.vendor, "ATA");
    EXPECT_EQ(disk.model, "Samsung SSD 860");
    EXPECT_EQ(disk.typeName(), "disk");
    EXPECT_EQ(disk.blockDevices, std::vector<std::string>{"sda"});
    EXPECT_EQ(disk.hba, PciAddress::parse("0000:00:17.0"));
}

TEST_F(InventoryTest, FindsBlockDevicesWithPartitionsMountsAndSwap)
{
    auto disks = inventory.blockBelow(PciAddress::parse("0000:00:17.0"));
    ASSERT_EQ(disks.size(), 1u);
    EXPECT_EQ(disks[0]->name, "sda");
    EXPECT_EQ(disks[0]->partitions, (std::vector<std::string>{"sda1", "sda2"}));
    EXPECT_EQ(disks[0]->mountPoints, std::vector<std::string>{"/"});
    ASSERT_EQ(disks[0]->uses.size(), 2u);
    EXPECT_EQ(disks[0]->uses[0].description, "sda1 mounted at /");
    EXPECT_EQ(disks[0]->uses[1].description, "sda2 used as swap");

    auto nvme = inventory.blockBelow(PciAddress::parse("0000:02:00.0"));
    ASSERT_EQ(nvme.size(), 1u);
    EXPECT_EQ(nvme[0]->name, "nvme0n1");
    EXPECT_EQ(nvme[0]->majorMinor, "259:0");
    EXPECT_TRUE(nvme[0]->uses.empty());
}

TEST_F(InventoryTest, FindsNetworkInterfacesWithAddressesRoutesAndMasters)
{
    const NetInterface *eno1 = inventory.findNet("eno1");
    ASSERT_TRUE(eno1);
    EXPECT_EQ(eno1->mac, "00:1b:21:aa:bb:01");
    EXPECT_EQ(eno1->addresses, std::vector<std::string>{"192.168.1.10/24"});
    EXPECT_TRUE(eno1->defaultRoute);
    EXPECT_EQ(eno1->pciDevice, PciAddress::parse("0000:03:00.0"));
    const NetInterface *bridge = inventory.findNet("br0");
    ASSERT_TRUE(bridge);
    EXPECT_FALSE(bridge->pciDevice);
    EXPECT_EQ(inventory.findNet("enp5s0")->master, "br0");
}

TEST_F(InventoryTest, ABridgeIsNeverEligible)
{
    EXPECT_EQ(reasonsOf("0000:00:01.0"), std::vector<std::string>{"bridge: bridge (class 0x06) stays with the host"});
}

TEST_F(InventoryTest, AGpuAndItsAudioFunctionAreEligible)
{
    EXPECT_TRUE(reasonsOf("0000:01:00.0").empty());
    EXPECT_TRUE(reasonsOf("0000:01:00.1").empty());
}

TEST_F(InventoryTest, TheBootGpuShowingTheConsoleGoesOnlyThroughAHandoffThatSaysWhatTheHostLoses)
{
    EXPECT_TRUE(reasonsOf("0000:00:02.0").empty());
    const auto eligibility = assessEligibility(inventory, pci("0000:00:02.0"));
    ASSERT_TRUE(eligibility.handoff);
    EXPECT_EQ(eligibility.handoff->gpu, PciAddress::parse("0000:00:02.0"));
    EXPECT_EQ(eligibility.handoff->hostLoses.front(), "the host console on 0000:00:02.0 (driver i915)");
    EXPECT_FALSE(assessEligibility(inventory, pci("0000:01:00.0")).handoff);
    // What the host loses is what persist (the console, forever) still refuses.
    EXPECT_EQ(hostLosses(inventory, pci("0000:00:02.0")),
              std::vector<std::string>{"boot VGA device showing the host console (driver i915)"});
}

TEST_F(InventoryTest, AControllerOfTheRootDiskIsNotEligibleAndSaysWhatTheHostWouldLose)
{
    EXPECT_EQ(reasonsOf("0000:00:17.0"),
              (std::vector<std::string>{"used-by-host: sda1 mounted at /", "used-by-host: sda2 used as swap"}));
    EXPECT_TRUE(reasonsOf("0000:02:00.0").empty()); // the unused NVMe
}

TEST_F(InventoryTest, ANicWithTheHostAddressIsNotEligibleNorIsItsGroupCompanion)
{
    EXPECT_EQ(reasonsOf("0000:03:00.0"),
              (std::vector<std::string>{"used-by-host: network interface eno1 has address 192.168.1.10/24",
                                        "used-by-host: network interface eno1 carries the default route"}));
    EXPECT_EQ(reasonsOf("0000:03:00.1"),
              std::vector<std::string>{"group-member-used-by-host: shares IOMMU group 6 with 0000:03:00.0, which the "
                                       "host uses: network interface eno1 has address 192.168.1.10/24, network "
                                       "interface eno1 carries the default route"});
}

TEST_F(InventoryTest, ANicInABridgeWithAnAddressIsNotEligible)
{
    EXPECT_EQ(reasonsOf("0000:05:00.0"),
              std::vector<std::string>{
                  "used-by-host: network interface enp5s0 is part of br0, which has address 10.0.0.1/24"});
}

TEST_F(InventoryTest, SriovVirtualFunctionsAreEligibleButNotTheirPhysicalFunction)
{
    EXPECT_TRUE(reasonsOf("0000:04:00.2").empty());
    // Unbinding the PF destroys its VFs, and vfio-pci refuses a PF whose VFs exist (issue 17).
    EXPECT_EQ(reasonsOf("0000:04:00.0"),
              std::vector<std::string>{"sriov-pf-with-vfs: SR-IOV physical function with 2 virtual functions enabled "
                                       "(0000:04:00.2, 0000:04:00.3), which go away with it; set its VF count to 0 "
                                       "first ('vfioctl sriov 0000:04:00.0 0')"});
    const AffectedDevices affected = affectedDevices(inventory, PciAddress::parse("04:00.0"));
    ASSERT_EQ(affected.virtualFunctions.size(), 2u);
    EXPECT_EQ(affected.virtualFunctions[0]->address.str(), "0000:04:00.2");
}

TEST_F(InventoryTest, ADeviceWithoutIommuGroupIsNotEligible)
{
    EXPECT_EQ(reasonsOf("0000:06:00.0"),
              std::vector<std::string>{"no-iommu-group: no IOMMU group (the IOMMU is off or not supported)"});
}

TEST_F(InventoryTest, AffectedDevicesOfAGpuAreItsWholeGroupLessTheBridge)
{
    AffectedDevices affected = affectedDevices(inventory, PciAddress::parse("01:00.1"));
    EXPECT_EQ(affected.group, 1);
    ASSERT_EQ(affected.endpoints.size(), 2u);
    EXPECT_EQ(affected.endpoints[0]->address.str(), "0000:01:00.0");
    EXPECT_EQ(affected.endpoints[1]->address.str(), "0000:01:00.1");
    ASSERT_EQ(affected.bridges.size(), 1u);
    EXPECT_EQ(affected.bridges[0]->address.str(), "0000:00:01.0");
}

TEST_F(InventoryTest, AffectedDevicesIncludeTheChildrenOfEveryEndpoint)
{
    AffectedDevices usb = affectedDevices(inventory, PciAddress::parse("0000:00:14.0"));
    EXPECT_EQ(usb.usb.size(), 2u);
    AffectedDevices sata = affectedDevices(inventory, PciAddress::parse("0000:00:17.0"));
    ASSERT_EQ(sata.scsi.size(), 1u);
    ASSERT_EQ(sata.block.size(), 1u);
    EXPECT_EQ(sata.block[0]->name, "sda");
    AffectedDevices nics = affectedDevices(inventory, PciAddress::parse("0000:03:00.1"));
    ASSERT_EQ(nics.net.size(), 2u);
    EXPECT_EQ(nics.net[0]->name, "eno1");
    EXPECT_EQ(nics.net[1]->name, "eno2");
}

TEST_F(InventoryTest, AffectedOfAnUnknownDeviceIsAClearError)
{
    try {
        affectedDevices(inventory, PciAddress::parse("0000:09:00.0"));
        FAIL();
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(), "no PCI device 0000:09:00.0 on this host");
    }
}

TEST_F(InventoryTest, AnEmptyHostHasNothingAndDoesNotFail)
{
    FakeHost empty;
    Inventory nothing = scanInventory(empty.host(), names);
    EXPECT_TRUE(nothing.pci.empty());
    EXPECT_TRUE(nothing.groups.empty());
}

TEST(SharedFilesystems, AVirtio9pDeviceWhoseShareIsMountedIsUsedByTheHost)
{
    FakeHost fake;
    fake.addPci({.address = "0000:00:05.0",
                 .classCode = 0x000200,
                 .vendor = 0x1af4,
                 .device = 0x1009,
                 .driver = "virtio-pci",
                 .group = 5});
    const std::string virtio = fake.devicePath("0000:00:05.0") + "/virtio3";
    fake.writeFile(virtio + "/mount_tag", std::string("hostroot\0", 9));
    fake.link("/sys/bus/virtio/devices/virtio3", virtio);
    fake.writeFile("/proc/self/mountinfo", "22 1 0:21 / /lower ro,relatime - 9p hostroot ro,trans=virtio\n");
    NoHardwareNames names;
    Inventory inventory = scanInventory(fake.host(), names);
    auto reasons = assessEligibility(inventory, inventory.requirePci(PciAddress::parse("00:05.0"))).reasons;
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons[0].detail, "shared filesystem hostroot mounted at /lower");
}

// The iommufd and vfio-cdev checks: what the kernel has, from its own evidence, on the kernels users run (Debian 12's
// 6.1, Debian 13's 6.12 built without iommufd, a kernel that has both), never a guess from the version alone.
#include "host_check.h"
#include "testkit.h"
#include "workstation.h"

#include <gtest/gtest.h>

using namespace vfioctl;

namespace {

class VfioInterfacesTest : public ::testing::Test {
protected:
    void SetUp() override { vfioctl::testing::buildWorkstation(fake); }

    CheckResult result(const std::string &id)
    {
        for (auto &one : checkHost(gatherHostFacts(fake.host())))
            if (one.id == id)
                return one;
        throw std::runtime_error("no check " + id);
    }
    // A kernel RELEASE whose module index lists `modules` (and builds in `builtin`), as depmod writes them.
    void kernel(const std::string &release, const std::string &modules, const std::string &builtin = "")
    {
        fake.writeFile("/proc/sys/kernel/osrelease", release + "\n");
        fake.writeFile("/lib/modules/" + release + "/modules.dep", modules);
        fake.writeFile("/lib/modules/" + release + "/modules.builtin", builtin);
    }
    void libvirt(const std::string &libraryName)
    {
        fake.removePath("/usr/lib/x86_64-linux-gnu");
        fake.writeFile("/usr/lib/x86_64-linux-gnu/" + libraryName, "");
    }
    // A device on vfio-pci: vfio-dev/vfio0 as every kernel since 6.1 makes it, with `dev` only where the cdev is.
    void boundToVfio(const std::string &address, bool cdev)
    {
        fake.makeDirectory("/sys/bus/pci/drivers/vfio-pci/" + address);
        fake.makeDirectory(fake.devicePath(address) + "/vfio-dev/vfio0");
        if (cdev)
            fake.writeFile(fake.devicePath(address) + "/vfio-dev/vfio0/dev", "511:0\n");
    }

    vfioctl::testing::FakeHost fake;
};

} // namespace

TEST_F(VfioInterfacesTest, Debian12sKernelPredatesBoth)
{
    libvirt("libvirt.so.0.9000.0");
    const CheckResult iommufd = result("iommufd");
    EXPECT_EQ(iommufd.verdict, Verdict::Info);
    EXPECT_EQ(iommufd.evidence, "no iommufd: Linux 6.1 predates it (Linux 6.2); VMs open their devices through the "
                                "VFIO container (/dev/vfio/vfio); libvirt 9.0.0 found");
    EXPECT_FALSE(iommufd.blocksPassthrough);
    EXPECT_EQ(result("vfio-cdev").evidence, "no VFIO device cdev: Linux 6.1 predates it (Linux 6.6); VMs open devices "
                                            "through their group (/dev/vfio/N)");
}

// Debian 13's 6.12 is new enough for both and has neither: its module index lists no iommufd and builds none in.
TEST_F(VfioInterfacesTest, AKernelBuiltWithoutIommufdSaysSoFromItsModuleIndexOrConfig)
{
    kernel("6.12.57+deb13-amd64", "kernel/drivers/vfio/vfio.ko.xz:\nkernel/drivers/vfio/pci/vfio-pci.ko.xz:\n");
    libvirt("libvirt.so.0.11003.0");
    EXPECT_EQ(result("iommufd").evidence, "no iommufd: this kernel (6.12.57+deb13-amd64) is built without it; VMs open "
                                          "their devices through the VFIO container (/dev/vfio/vfio); libvirt 11.3.0 "
                                          "found");
    EXPECT_EQ(result("vfio-cdev").evidence,
              "no VFIO device cdev: this kernel (6.12.57+deb13-amd64) has no iommufd, which the cdev needs; VMs open "
              "devices through their group (/dev/vfio/N)");

    fake.writeFile("/boot/config-6.12.57+deb13-amd64", "CONFIG_VFIO=m\n# CONFIG_IOMMUFD is not set\n");
    EXPECT_EQ(result("iommufd").evidence,
              "no iommufd: this kernel (6.12.57+deb13-amd64) is built without it (CONFIG_IOMMUFD is not set in "
              "/boot/config-6.12.57+deb13-amd64); VMs open their devices through the VFIO container (/dev/vfio/vfio); "
              "libvirt 11.3.0 found");
}

TEST_F(VfioInterfacesTest, AKernelWithIommufdAsAModuleAndTheCdevSaysWhatItHas)
{
    kernel("6.14.0-1-amd64", "kernel/drivers/iommu/iommufd/iommufd.ko.xz:\nkernel/drivers/vfio/vfio.ko.xz:\n");
    EXPECT_EQ(result("iommufd").evidence, "iommufd is a module of this kernel (6.14.0-1-amd64) that is not loaded (no "
                                          "/dev/iommu); VMs open their devices through the VFIO container "
                                          "(/dev/vfio/vfio); no libvirt found");
    EXPECT_EQ(result("iommufd").fix, "modprobe iommufd, if a VM's QEMU is to use it");
    EXPECT_NE(result("vfio-cdev").evidence.find("no device is bound to vfio-pci to show whether"), std::string::npos)
        << "nothing says yet";

    boundToVfio("0000:02:00.0", false);
    EXPECT_EQ(result("vfio-cdev").evidence, "no VFIO device cdev: 0000:02:00.0 is bound to vfio-pci and has no cdev "
                                            "under vfio-dev/; VMs open devices through their group (/dev/vfio/N)");

    fake.writeFile(fake.devicePath("0000:02:00.0") + "/vfio-dev/vfio0/dev", "511:0\n");
    fake.writeFile("/dev/iommu", "");
    fake.writeFile("/dev/vfio/devices/vfio0", "");
    EXPECT_EQ(result("iommufd").evidence, "iommufd is there (/dev/iommu): QEMU may open devices through it instead of "
                                          "the VFIO container; no libvirt found");
    EXPECT_EQ(result("vfio-cdev").evidence,
              "the VFIO device cdev is there: /dev/vfio/devices holds 1 device(s) bound to "
              "vfio-pci, which QEMU may open with iommufd instead of their group");
    EXPECT_EQ(result("iommufd").verdict, Verdict::Info);
    EXPECT_EQ(result("vfio-cdev").verdict, Verdict::Info);
}

// A captured tree with no module index and no config: nothing is claimed.
TEST_F(VfioInterfacesTest, WithoutEvidenceNothingIsClaimed)
{
    fake.writeFile("/proc/sys/kernel/osrelease", "6.12.0-custom\n");
    const CheckResult iommufd = result("iommufd");
    EXPECT_NE(iommufd.evidence.find("nothing on this host says whether this kernel (6.12.0-custom) has iommufd"),
              std::string::npos)
        << iommufd.evidence;
    EXPECT_NE(result("vfio-cdev").evidence.find("no device is bound to vfio-pci"), std::string::npos);
}

// Built in (the index's modules.builtin) yet no node: the check says so, and asks no modprobe of a built-in module.
TEST_F(VfioInterfacesTest, ABuiltInIommufdWithoutItsNodeIsNotCalledAModule)
{
    kernel("6.14.0-1-amd64", "kernel/drivers/vfio/vfio.ko.xz:\n", "kernel/drivers/iommu/iommufd/iommufd.ko\n");
    const CheckResult iommufd = result("iommufd");
    EXPECT_EQ(iommufd.evidence, "this kernel (6.14.0-1-amd64) has iommufd, but there is no /dev/iommu; VMs open their "
                                "devices through the VFIO container (/dev/vfio/vfio); no libvirt found");
    EXPECT_EQ(iommufd.fix, "");
}

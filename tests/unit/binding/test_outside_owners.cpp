// Every decision about what may move is made under the host lock, and libvirt is an owner too (issue 40, classes 2
// and 3): a VM that starts between a give-back's decision and its move finds the device taken, never loses it
// afterwards; a device a running VM holds by libvirt's own record (virsh attach-device, no journal of ours) is refused
// by unbind, restore, bind and persist unless forced, naming the VM; where libvirt was not asked, a note says so.
#include "cli.h"
#include "qemu_hook.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::KernelStep;
using vfioctl::testing::uuidFor;

namespace {

class OutsideOwners : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    int hook(const char *operation, const char *sub)
    {
        const std::string xml = "<domain type='kvm'><name>win11</name><uuid>" + uuidFor("win11") + "</uuid><devices>" +
                                vfioctl::testing::pciHostdevXml("0000:02:00.0") + "</devices></domain>";
        userError.str("");
        hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
        return qemuHook.run({"win11", operation, sub, "-"}, [&] { return xml; }, userError);
    }
    // libvirt's test driver: VM "linux" runs with the NVMe controller, given to it by libvirt alone.
    std::string libvirtWithNvmeInLinux()
    {
        fake.writeFile("/node.xml",
                       "<node><domain type='test'><name>linux</name><uuid>" + uuidFor("linux") +
                           "</uuid><memory>1048576</memory><os><type>hvm</type></os><devices><hostdev "
                           "mode='subsystem' type='pci' managed='no'><source><address domain='0' bus='2' slot='0' "
                           "function='0'/></source></hostdev></devices></domain></node>");
        return "test://" + fake.root() + "/node.xml";
    }

    NoHardwareNames names;
    hook::RecordingHookLog log;
    std::ostringstream userError, out, err;
};

} // namespace

TEST_F(OutsideOwners, AStartBetweenAGiveBacksDecisionAndItsMoveFindsTheDeviceTaken)
{
    // On vfio-pci with no owner (bound by another tool): unbind gives it to the kernel's default driver.
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    fake.removePath("/run/vfioctl/owners/manual.journal");
    int started = -1;
    kernel->onWrite([&](KernelStep, const std::string &device) {
        if (device == "0000:02:00.0" && started == -1)
            started = hook("prepare", "begin");
    });
    ASSERT_EQ(run({"unbind", "02:00.0"}), 0) << err.str();
    kernel->onWrite(nullptr);
    EXPECT_NE(started, 0) << "the VM started on a device being given back";
    EXPECT_NE(userError.str().find("held by manual"), std::string::npos) << userError.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme") << "the kernel's default driver";
    EXPECT_TRUE(fake.host().list("/run/vfioctl/owners").empty()) << "no journal says the VM holds what it lost";
}

TEST_F(OutsideOwners, ADeviceARunningVmHoldsThroughLibvirtIsRefusedNamingTheVm)
{
    const std::string uri = libvirtWithNvmeInLinux();
    // Bound by hand, then attached to the running VM by libvirt alone (managed='no'): ours says manual holds it.
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    for (const std::vector<std::string> &command :
         {std::vector<std::string>{"unbind", "02:00.0"}, {"restore", "manual"}, {"unpersist", "02:00.0"}}) {
        auto args = command;
        args.insert(args.end(), {"--connect", uri});
        EXPECT_EQ(run(args), cli::exitFailure) << command[0];
        EXPECT_NE(err.str().find("0000:02:00.0 is held by running VM 'linux' through libvirt"), std::string::npos)
            << command[0] << ": " << err.str();
        EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci") << command[0];
    }
    ASSERT_EQ(run({"unbind", "02:00.0", "--force", "--connect", uri}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");

    // bind and persist: another owner may not take it while that VM runs with it.
    for (const std::vector<std::string> &command :
         {std::vector<std::string>{"bind", "02:00.0"}, {"persist", "02:00.0"}}) {
        auto args = command;
        args.insert(args.end(), {"--connect", uri});
        EXPECT_EQ(run(args), cli::exitFailure) << command[0];
        EXPECT_NE(err.str().find("held by running VM 'linux' through libvirt"), std::string::npos) << err.str();
        EXPECT_EQ(driverOf("0000:02:00.0"), "nvme") << command[0];
    }
    // That VM itself may: its own record decides.
    EXPECT_EQ(run({"bind", "02:00.0", "--owner", uuidFor("linux"), "--connect", uri}), 0) << err.str();
}

TEST_F(OutsideOwners, WhereLibvirtWasNotAskedANoteSaysSo)
{
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    EXPECT_NE(err.str().find("vfioctl: note: libvirt was not asked which devices its running VMs hold (under --root "
                             "it is asked only with --connect URI)"),
              std::string::npos)
        << err.str();
    ASSERT_EQ(run({"unbind", "02:00.0", "--connect", "test:///nonexistent/file.xml"}), 0) << err.str();
    EXPECT_NE(err.str().find("vfioctl: note: libvirt was not asked"), std::string::npos) << err.str();
}

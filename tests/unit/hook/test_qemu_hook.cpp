// The qemu hook's logic on the fake workstation and the simulated kernel, one libvirt step at a time.
#include "bind_journal.h"
#include "error.h"
#include "fake_console.h"
#include "fake_module_loader.h"
#include "pci_scanner.h"
#include "qemu_hook.h"
#include "simulated_kernel.h"
#include "sysfs_value.h"
#include "testkit.h"
#include "workstation.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <sstream>

using namespace vfioctl;
using vfioctl::hook::HookArguments;
using vfioctl::hook::QemuHook;
using vfioctl::hook::RecordingHookLog;
using vfioctl::testing::FakeHost;
using vfioctl::testing::FakeModuleLoader;
using vfioctl::testing::KernelStep;
using vfioctl::testing::SimulatedKernel;
using vfioctl::testing::vmOwner;

namespace {

std::string hostdev(const std::string &bus, const std::string &slot, const std::string &function,
                    const std::string &managed = "yes")
{
    return "<hostdev mode='subsystem' type='pci' managed='" + managed + "'><source><address domain='0x0000' bus='" +
           bus + "' slot='" + slot + "' function='" + function + "'/></source></hostdev>";
}

std::string domainXml(const std::string &devices, const std::string &metadata = "")
{
    return "<domain type='kvm'><name>win11</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
           "<metadata>" +
           metadata + "</metadata><memory>1048576</memory><devices><disk type='file' device='disk'/>" + devices +
           "</devices></domain>";
}

class QemuHookTest : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    void SetUp() override { hook = std::make_unique<QemuHook>(*kernel, *modules, log, std::chrono::milliseconds(500)); }

    int call(const std::string &vm, const std::string &operation, const std::string &sub, const std::string &xml)
    {
        userError.str("");
        xmlRead = false;
        return hook->run(
            HookArguments{vm, operation, sub, "-"},
            [&] {
                xmlRead = true;
                return vfioctl::testing::withVmIdentity(xml, vm);
            },
            userError);
    }

    std::string overrideOf(const char *address) { return fake.read(fake.devicePath(address) + "/driver_override"); }
    bool holds(const std::string &vm) { return BindJournal(*kernel, liveProcesses()).read(vmOwner(vm)).has_value(); }

    RecordingHookLog log;
    std::unique_ptr<QemuHook> hook;
    std::ostringstream userError;
    bool xmlRead = false;
};

const std::string gpuOnly = hostdev("0x01", "0x00", "0x0");

} // namespace

TEST_F(QemuHookTest, StepsOtherThanPrepareAndReleaseDoNothingAndDoNotReadTheXml)
{
    for (auto [operation, sub] : std::vector<std::pair<std::string, std::string>>{{"start", "begin"},
                                                                                  {"started", "begin"},
                                                                                  {"stopped", "end"},
                                                                                  {"migrate", "begin"},
                                                                                  {"restore", "begin"},
                                                                                  {"reconnect", "begin"},
                                                                                  {"attach", "begin"},
                                                                                  {"prepare", "end"}}) {
        EXPECT_EQ(call("win11", operation, sub, domainXml(gpuOnly)), 0) << operation;
        EXPECT_FALSE(xmlRead) << operation;
    }
    EXPECT_EQ(kernel->writes(), 0);
}

TEST_F(QemuHookTest, PrepareWithoutPciHostdevChangesNothing)
{
    std::string usbOnly = "<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/></source></hostdev>"
                          "<interface type='network'><source network='default'/></interface>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(usbOnly)), 0);
    EXPECT_TRUE(xmlRead);
    EXPECT_EQ(kernel->writes(), 0);
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, PrepareTakesTheWholeGroupAndReleaseGivesEveryDeviceBack)
{
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 0) << userError.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci"); // the audio function came along
    EXPECT_EQ(driverOf("0000:00:01.0"), "pcieport"); // the root port in the group stays
    EXPECT_TRUE(holds("win11"));
    EXPECT_TRUE(userError.str().empty());
    bool logged = false;
    for (const auto &line : log.lines)
        logged |= line.find("VM 'win11': 0000:01:00.1 on vfio-pci (had snd_hda_intel)") != std::string::npos;
    EXPECT_TRUE(logged);

    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_TRUE(xmlRead); // its <uuid> says whose devices these are
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
    EXPECT_EQ(overrideOf("0000:01:00.0"), "(null)\n");
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, ManagedNoDevicesAreBoundToo)
{
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(hostdev("0x02", "0x00", "0x0", "no"))), 0) << userError.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci");
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
}

TEST_F(QemuHookTest, SriovInterfaceOfTypeHostdevIsBound)
{
    std::string vf = "<interface type='hostdev' managed='yes'><mac address='52:54:00:6d:90:02'/><source>"
                     "<address type='pci' domain='0' bus='4' slot='0' function='3'/></source></interface>";
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(vf)), 0) << userError.str();
    EXPECT_EQ(driverOf("0000:04:00.3"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:04:00.0"), "mlx5_core"); // the PF is another group
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(driverOf("0000:04:00.3"), "mlx5_core");
}

TEST_F(QemuHookTest, ReleaseGivesBackTheOriginalDriverEvenAfterLibvirtReprobedTheDevice)
{
    // The audio function was on pci-stub by override; libvirt's reattach of a managed device reprobes it to the
    // kernel's default driver and clears the override before our release runs.
    kernel->write(fake.devicePath("0000:01:00.1") + "/driver_override", "pci-stub");
    fake.addDriver("pci-stub");
    kernel->loadDriver("pci-stub");
    kernel->write("/sys/bus/pci/drivers/snd_hda_intel/unbind", "0000:01:00.1");
    kernel->write("/sys/bus/pci/drivers_probe", "0000:01:00.1");
    ASSERT_EQ(driverOf("0000:01:00.1"), "pci-stub");

    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly + hostdev("0x01", "0x00", "0x1"))), 0)
        << userError.str();
    kernel->write(fake.devicePath("0000:01:00.1") + "/driver_override", "\n");
    kernel->write("/sys/bus/pci/drivers/vfio-pci/unbind", "0000:01:00.1");
    kernel->write("/sys/bus/pci/drivers_probe", "0000:01:00.1");
    ASSERT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");

    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(driverOf("0000:01:00.1"), "pci-stub");
    EXPECT_EQ(overrideOf("0000:01:00.1"), "pci-stub\n");
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
}

TEST_F(QemuHookTest, ADeviceTheHostUsesRefusesTheStartWithOneSentenceAndChangesNothing)
{
    // 03:00.1 is unused, but its group companion eno1 carries the host's address and default route.
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(hostdev("0x03", "0x00", "0x1"))), 1);
    std::string message = userError.str();
    EXPECT_EQ(message.find("vfioctl: VM 'win11' not started: refusing to bind 0000:03:00.0 (IOMMU group 6): the "
                           "host uses it: "),
              0u)
        << message;
    EXPECT_NE(message.find("eno1"), std::string::npos) << message;
    EXPECT_NE(message.find("leave its IOMMU group out of the VM"), std::string::npos) << message;
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1);
    EXPECT_EQ(message.find("--force"), std::string::npos);
    EXPECT_EQ(kernel->writes(), 0);
    EXPECT_FALSE(holds("win11"));
    EXPECT_EQ(log.lines.back().rfind("error: VM 'win11' not started: refusing to bind 0000:03:00.0", 0), 0u);
}

TEST_F(QemuHookTest, AGroupHeldByAnotherVmRefusesTheStart)
{
    ASSERT_EQ(call("linux", "prepare", "begin", domainXml(gpuOnly)), 0) << userError.str();
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(hostdev("0x01", "0x00", "0x1"))), 1);
    EXPECT_NE(userError.str().find("is held by VM 'linux'"), std::string::npos) << userError.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_FALSE(holds("win11"));
    // Stopping the VM that failed to start gives back nothing of the other VM's.
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci");
}

TEST_F(QemuHookTest, AKernelFailureRollsTheWholeGroupBack)
{
    kernel->failAt(KernelStep::Unbind, "0000:01:00.1", EBUSY);
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 1);
    EXPECT_NE(userError.str().find("cannot unbind 0000:01:00.1 from snd_hda_intel: Device or resource busy"),
              std::string::npos)
        << userError.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
    EXPECT_FALSE(holds("win11"));
}

// A display server holding the GPU's node: the start is refused in one sentence naming it, before anything moves
// (not an unbind that hangs until the hook's limit).
TEST_F(QemuHookTest, AStartWhoseGpuNodesAreOpenIsRefusedNamingTheHolder)
{
    fake.makeDirectory(fake.devicePath("0000:01:00.0") + "/drm/card0");
    vfioctl::testing::holdNodeOpen(fake, 812, "Xorg", "/dev/dri/card0");
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 1);
    EXPECT_EQ(userError.str().find('\n'), userError.str().size() - 1) << "one sentence: " << userError.str();
    EXPECT_NE(userError.str().find("Xorg (pid 812) has /dev/dri/card0 open"), std::string::npos) << userError.str();
    EXPECT_EQ(kernel->writes(), 0);
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, ReconnectKeepsWhatTheVmHolds)
{
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 0);
    EXPECT_EQ(call("win11", "reconnect", "begin", domainXml(gpuOnly)), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_TRUE(holds("win11"));
}

TEST_F(QemuHookTest, ReleaseWithoutPrepareIsANoOpAndReleaseIsIdempotent)
{
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(kernel->writes(), 0);
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 0);
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    int writes = kernel->writes();
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_EQ(kernel->writes(), writes);
}

TEST_F(QemuHookTest, AFailedReleaseDoesNotFailTheStopAndKeepsTheJournalForRecover)
{
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 0);
    kernel->failAt(KernelStep::Unbind, "0000:01:00.0", EIO);
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0);
    EXPECT_TRUE(holds("win11"));
    EXPECT_EQ(log.lines.back().rfind("error: VM 'win11' stopped, but its devices were not all given back", 0), 0u)
        << log.lines.back();
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");              // what could go back went back
    EXPECT_EQ(call("win11", "release", "end", domainXml(gpuOnly)), 0); // the cause is gone: the next try finishes
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, PolicyIgnoreLeavesTheVmAlone)
{
    std::string policy = "<vf:policy xmlns:vf='https://vfioctl.org/xmlns/domain/1' action='ignore'/>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly, policy)), 0);
    EXPECT_EQ(kernel->writes(), 0);
    // The same element in another namespace is not ours.
    std::string foreign = "<vf:policy xmlns:vf='https://example.org/other' action='ignore'/>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly, foreign)), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
}

TEST_F(QemuHookTest, PolicyRefusingCompanionsRefusesUnlistedOnesAndAcceptsAFullGroup)
{
    std::string policy = "<policy xmlns='https://vfioctl.org/xmlns/domain/1' companions='refuse'/>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly, policy)), 1);
    EXPECT_NE(userError.str().find("0000:01:00.0 shares IOMMU group 1 with 0000:01:00.1"), std::string::npos)
        << userError.str();
    EXPECT_EQ(kernel->writes(), 0);
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly + hostdev("0x01", "0x00", "0x1"), policy)), 0)
        << userError.str();
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci");
}

TEST_F(QemuHookTest, AnInvalidPolicyValueRefusesTheStart)
{
    std::string policy = "<vf:policy xmlns:vf='https://vfioctl.org/xmlns/domain/1' companions='maybe'/>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly, policy)), 1);
    EXPECT_NE(userError.str().find("companions='maybe' (expected 'take' or 'refuse')"), std::string::npos);
}

TEST_F(QemuHookTest, MalformedOrForeignXmlRefusesTheStart)
{
    for (const std::string &xml : {std::string("<domain><devices>"), std::string("<network/>"), std::string(""),
                                   domainXml(hostdev("0x01", "0x20", "0x0")), domainXml(hostdev("0x100", "0", "0")),
                                   domainXml(hostdev("0x01", "0x00", "0x8")), domainXml(hostdev("1x", "0", "0"))}) {
        EXPECT_EQ(call("win11", "prepare", "begin", xml), 1) << xml;
        EXPECT_EQ(userError.str().rfind("vfioctl: VM 'win11' not started: the domain XML of VM 'win11' ", 0), 0u)
            << userError.str();
    }
    EXPECT_EQ(kernel->writes(), 0);
}

TEST_F(QemuHookTest, AnUnknownDeviceRefusesTheStart)
{
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(hostdev("0x42", "0x00", "0x0"))), 1);
    EXPECT_NE(userError.str().find("no PCI device 0000:42:00.0 on this host"), std::string::npos) << userError.str();
}

TEST_F(QemuHookTest, AnXmlReadFailureRefusesTheStart)
{
    userError.str("");
    int code = hook->run(
        HookArguments{"win11", "prepare", "begin", "-"}, []() -> std::string { throw Error("stdin too large"); },
        userError);
    EXPECT_EQ(code, 1);
    EXPECT_EQ(userError.str(), "vfioctl: VM 'win11' not started: stdin too large\n");
}

TEST_F(QemuHookTest, OnAHostWherePassthroughCannotWorkTheStartIsRefusedWithTheCheckSentence)
{
    fake.removePath("/sys/class/iommu/dmar0");
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(gpuOnly)), 1);
    EXPECT_EQ(userError.str().rfind("vfioctl: VM 'win11' not started: PCI passthrough cannot work on this host: no "
                                    "IOMMU is active (/sys/class/iommu is empty); ",
                                    0),
              0u)
        << userError.str();
    EXPECT_EQ(kernel->writes(), 0);
    // A VM without PCI devices is not the hook's business, IOMMU or not.
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml("")), 0);
}

namespace {

const std::string bootGpu = hostdev("0x00", "0x02", "0x0");
const std::string handoffPolicy = "<vf:policy xmlns:vf='https://vfioctl.org/xmlns/domain/1' console='handoff'/>";

} // namespace

TEST_F(QemuHookTest, TheBootGpuIsRefusedWithoutTheVmsOptInInASentenceThatNamesIt)
{
    vfioctl::testing::addVtconsole(fake, "vtcon1", "(M) frame buffer device", true);
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(bootGpu)), 1);
    const std::string said = userError.str();
    EXPECT_NE(said.find("boot VGA device showing the host console"), std::string::npos) << said;
    EXPECT_NE(said.find("console=\"handoff\""), std::string::npos) << said;
    EXPECT_EQ(std::count(said.begin(), said.end(), '\n'), 1) << "one sentence: " << said;
    EXPECT_EQ(driverOf("0000:00:02.0"), "i915");
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, WithTheOptInTheVmsStartHandsTheConsoleOverAndItsStopGivesItBack)
{
    vfioctl::testing::addVtconsole(fake, "vtcon1", "(M) frame buffer device", true);
    vfioctl::testing::addPlatformFramebuffer(fake, "simple-framebuffer.0", "simple-framebuffer");
    ASSERT_EQ(call("win11", "prepare", "begin", domainXml(bootGpu, handoffPolicy)), 0) << userError.str();
    EXPECT_EQ(driverOf("0000:00:02.0"), "vfio-pci");
    EXPECT_EQ(trimmed(fake.read("/sys/class/vtconsole/vtcon1/bind")), "0");
    EXPECT_TRUE(std::any_of(log.lines.begin(), log.lines.end(), [](const std::string &line) {
        return line.find("the host console on 0000:00:02.0 handed over (vtcon1") != std::string::npos;
    }));
    ASSERT_EQ(call("win11", "release", "end", domainXml(bootGpu, handoffPolicy)), 0);
    EXPECT_EQ(driverOf("0000:00:02.0"), "i915");
    EXPECT_EQ(trimmed(fake.read("/sys/class/vtconsole/vtcon1/bind")), "1");
    EXPECT_TRUE(fake.host().readLink("/sys/bus/platform/devices/simple-framebuffer.0/driver"));
    EXPECT_FALSE(holds("win11"));
}

TEST_F(QemuHookTest, APolicyNamingUnitsIsRefusedWhereNoServiceManagerIsGivenAndNothingMoves)
{
    const std::string policy = "<vf:policy xmlns:vf='https://vfioctl.org/xmlns/domain/1' console='handoff'>"
                               "<vf:stop unit='display-manager.service'/></vf:policy>";
    EXPECT_EQ(call("win11", "prepare", "begin", domainXml(bootGpu, policy)), 1);
    EXPECT_NE(userError.str().find("display-manager.service"), std::string::npos) << userError.str();
    EXPECT_EQ(driverOf("0000:00:02.0"), "i915");
}

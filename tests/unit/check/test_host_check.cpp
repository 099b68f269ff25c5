// vfioctl check on fake roots shaped like the hosts users have, and the freeze it drives.
#include "bind_engine.h"
#include "eligibility.h"
#include "error.h"
#include "fake_module_loader.h"
#include "host_check.h"
#include "run_process.h"
#include "simulated_kernel.h"
#include "testkit.h"
#include "workstation.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

namespace {

class HostCheckTest : public ::testing::Test {
protected:
    void SetUp() override { vfioctl::testing::buildWorkstation(fake); }

    const CheckResult &result(const std::string &id)
    {
        results = checkHost(gatherHostFacts(fake.host()));
        for (const auto &one : results)
            if (one.id == id)
                return one;
        throw std::runtime_error("no check " + id);
    }
    Verdict overall()
    {
        results = checkHost(gatherHostFacts(fake.host()));
        return overallVerdict(results);
    }
    void iommuOff(const std::string &commandLine)
    {
        fake.removePath("/sys/class/iommu/dmar0");
        fake.removePath("/sys/kernel/iommu_groups");
        fake.makeDirectory("/sys/kernel/iommu_groups");
        fake.writeFile("/proc/cmdline", commandLine);
        fake.writeFile("/proc/interrupts", "           CPU0\n 24:   0   PCI-MSI 327680-edge   xhci_hcd\n");
    }
    // libvirt's library by its real name ("libvirt.so.0.9000.0" for 9.0.0) and its daemon, as Debian installs them.
    void libvirtInstalled(const std::string &libraryName)
    {
        fake.removePath("/usr/lib/x86_64-linux-gnu");
        fake.writeFile("/usr/lib/x86_64-linux-gnu/" + libraryName, "");
        fake.writeFile("/usr/sbin/libvirtd", "");
    }

    FakeHost fake;
    std::vector<CheckResult> results;
};

} // namespace

TEST_F(HostCheckTest, AModernIntelHostWithEverythingOnPasses)
{
    libvirtInstalled("libvirt.so.0.9000.0");
    fake.writeFile("/etc/libvirt/hooks/qemu.d/vfioctl", "");
    fake.writeFile("/dev/vfio/vfio", "");
    EXPECT_EQ(overall(), Verdict::Pass);
    for (const auto &one : results)
        EXPECT_TRUE(one.verdict == Verdict::Pass || one.verdict == Verdict::Info) << one.id << ": " << one.evidence;
    EXPECT_EQ(result("iommu").evidence, "1 IOMMU unit(s) (dmar0) and 11 IOMMU groups");
    EXPECT_EQ(result("cpu-virtualization").evidence, "the CPU has Intel VT-x (vmx)");
    EXPECT_EQ(result("kernel-command-line").evidence, "intel_iommu=on is set");
    EXPECT_EQ(result("vfio-modules").evidence, "vfio available, vfio_iommu_type1 available, vfio_pci available");
    EXPECT_EQ(result("iommu-pt").verdict, Verdict::Info);
    EXPECT_FALSE(passthroughBlocker(fake.host()));
}

TEST_F(HostCheckTest, AnAmdHostNeedsNoKernelArgument)
{
    fake.writeFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm sse4a\n");
    fake.writeFile("/proc/cmdline", "root=/dev/sda1 iommu=pt\n");
    EXPECT_EQ(result("cpu-virtualization").evidence, "the CPU has AMD-V (svm)");
    EXPECT_EQ(result("kernel-command-line").verdict, Verdict::Pass);
    EXPECT_EQ(result("kernel-command-line").evidence, "AMD-Vi needs no kernel argument (on by default)");
    EXPECT_EQ(result("iommu-pt").verdict, Verdict::Pass);
}

TEST_F(HostCheckTest, IntelIommuOffFailsWithTheKernelArgumentToAddAndFreezesBinding)
{
    iommuOff("BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n");
    const CheckResult &iommu = result("iommu");
    EXPECT_EQ(iommu.verdict, Verdict::Fail);
    EXPECT_TRUE(iommu.blocksPassthrough);
    EXPECT_EQ(iommu.evidence, "no IOMMU is active (/sys/class/iommu is empty)");
    EXPECT_EQ(iommu.fix.rfind("enable VT-d in the firmware setup and add intel_iommu=on to the kernel command line "
                              "(GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then update-grub; systemd-boot: "
                              "/etc/kernel/cmdline",
                              0),
              0u)
        << iommu.fix;
    EXPECT_EQ(result("kernel-command-line").verdict, Verdict::Fail);
    EXPECT_EQ(result("interrupt-remapping").verdict, Verdict::Warn);
    EXPECT_EQ(overall(), Verdict::Fail);

    auto blocker = passthroughBlocker(fake.host());
    ASSERT_TRUE(blocker);
    EXPECT_EQ(blocker->rfind("PCI passthrough cannot work on this host: no IOMMU is active", 0), 0u);
}

TEST_F(HostCheckTest, AnExplicitIntelIommuOffIsNamedInTheFix)
{
    iommuOff("root=/dev/sda1 intel_iommu=off\n");
    EXPECT_EQ(result("iommu").fix.rfind("remove intel_iommu=off from the kernel command line", 0), 0u);
    EXPECT_EQ(result("kernel-command-line").evidence, "intel_iommu=off is set");
    // Whatever the CPU vendor (a VM's CPU need not match its emulated IOMMU), an explicit off is the cause.
    fake.writeFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n");
    EXPECT_EQ(result("iommu").fix.rfind("remove intel_iommu=off from the kernel command line", 0), 0u);
    EXPECT_EQ(result("kernel-command-line").verdict, Verdict::Fail);
}

TEST_F(HostCheckTest, IntelIommuOnWithoutAnIommuPointsAtTheFirmware)
{
    iommuOff("root=/dev/sda1 intel_iommu=on\n");
    EXPECT_NE(result("iommu").fix.find("enable VT-d in the firmware setup (the firmware gives the kernel no DMAR"),
              std::string::npos);
}

TEST_F(HostCheckTest, AnAmdHostWithAmdIommuOffSaysToRemoveIt)
{
    fake.writeFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n");
    iommuOff("root=/dev/sda1 amd_iommu=off\n");
    EXPECT_EQ(result("iommu").fix.rfind("remove amd_iommu=off", 0), 0u);
    EXPECT_EQ(result("kernel-command-line").verdict, Verdict::Fail);
}

TEST_F(HostCheckTest, ARhel65LikeHostFailsOnTheKernelWithTheLegacyAssignmentExplained)
{
    // 2.6.32: no vfio, no sysfs IOMMU groups, no driver_override.
    fake.writeFile("/proc/sys/kernel/osrelease", "2.6.32-431.el6.x86_64\n");
    fake.removePath("/lib/modules/6.1.0-26-amd64");
    fake.writeFile("/lib/modules/2.6.32-431.el6.x86_64/modules.dep",
                   "kernel/drivers/pci/pci-stub.ko:\nkernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko\n");
    fake.removePath("/sys/kernel/iommu_groups");
    for (const auto &device : fake.host().list("/sys/bus/pci/devices"))
        fake.removePath(fake.devicePath(device) + "/driver_override");
    const CheckResult &kernel = result("kernel-version");
    EXPECT_EQ(kernel.verdict, Verdict::Fail);
    EXPECT_NE(kernel.evidence.find("Linux 2.6.32-431.el6.x86_64 is too old for VFIO (Linux 3.6 and later); the legacy "
                                   "KVM device assignment through pci-stub that such kernels offer is unsafe and not "
                                   "supported"),
              std::string::npos);
    EXPECT_EQ(result("vfio-modules").verdict, Verdict::Fail);
    EXPECT_EQ(result("driver-override").verdict, Verdict::Fail);
    EXPECT_EQ(result("iommu").verdict, Verdict::Fail);
    auto blocker = passthroughBlocker(fake.host());
    ASSERT_TRUE(blocker);
    EXPECT_NE(blocker->find("too old for VFIO"), std::string::npos); // the root cause comes first
}

TEST_F(HostCheckTest, MissingVfioModulesFail)
{
    fake.writeFile("/lib/modules/6.1.0-26-amd64/modules.dep", "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko:\n");
    const CheckResult &modules = result("vfio-modules");
    EXPECT_EQ(modules.verdict, Verdict::Fail);
    EXPECT_EQ(modules.evidence, "vfio missing, vfio_iommu_type1 missing, vfio_pci missing for Linux 6.1.0-26-amd64");
    EXPECT_TRUE(passthroughBlocker(fake.host()));
}

TEST_F(HostCheckTest, BuiltInOrLoadedVfioCounts)
{
    fake.writeFile("/lib/modules/6.1.0-26-amd64/modules.dep", "");
    fake.writeFile("/lib/modules/6.1.0-26-amd64/modules.builtin",
                   "kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio_iommu_type1.ko\n");
    fake.makeDirectory("/sys/module/vfio_pci");
    EXPECT_EQ(result("vfio-modules").evidence, "vfio built in, vfio_iommu_type1 built in, vfio_pci loaded");
}

TEST_F(HostCheckTest, AnAcsOverrideWarns)
{
    fake.writeFile("/proc/cmdline", "root=/dev/sda1 intel_iommu=on pcie_acs_override=downstream,multifunction\n");
    const CheckResult &acs = result("acs-override");
    EXPECT_EQ(acs.verdict, Verdict::Warn);
    EXPECT_NE(acs.evidence.find("pcie_acs_override=downstream,multifunction is set"), std::string::npos);
}

TEST_F(HostCheckTest, NoInterruptRemappingFailsUnlessUnsafeInterruptsAreAllowed)
{
    fake.writeFile("/proc/interrupts", "           CPU0\n 24:   0   PCI-MSI 327680-edge   xhci_hcd\n");
    EXPECT_EQ(result("interrupt-remapping").verdict, Verdict::Fail);
    EXPECT_NE(result("interrupt-remapping").fix.find("allow_unsafe_interrupts=1"), std::string::npos);
    fake.writeFile("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
    EXPECT_EQ(result("interrupt-remapping").verdict, Verdict::Warn);
}

TEST_F(HostCheckTest, AMissingKvmDeviceWarns)
{
    fake.removePath("/dev/kvm");
    EXPECT_EQ(result("kvm-device").verdict, Verdict::Warn);
    EXPECT_NE(result("kvm-device").fix.find("modprobe kvm_intel"), std::string::npos);
}

TEST_F(HostCheckTest, VfioPciIdsFromTheCommandLineAndModprobeAreListed)
{
    fake.writeFile("/proc/cmdline", "intel_iommu=on vfio-pci.ids=10de:1b80,10de:10f0\n");
    fake.writeFile("/etc/modprobe.d/vfio.conf", "# GPU\noptions vfio_pci ids=1002:67df disable_vga=1\n");
    fake.writeFile("/etc/modprobe.d/other.conf.disabled", "options vfio-pci ids=dead:beef\n");
    const CheckResult &ids = result("vfio-pci-ids");
    EXPECT_EQ(ids.verdict, Verdict::Info);
    EXPECT_EQ(ids.evidence.rfind("vfio-pci claims 10de:1b80, 10de:10f0, 1002:67df at boot", 0), 0u) << ids.evidence;
}

TEST_F(HostCheckTest, LibvirtTooOldForQemuDHooksOrMissingWarns)
{
    EXPECT_EQ(result("libvirt").verdict, Verdict::Warn);
    EXPECT_EQ(result("libvirt").evidence,
              "libvirt's daemon is not installed (no /usr/sbin/libvirtd or /usr/sbin/virtqemud)");
    libvirtInstalled("libvirt.so.0.6000.0");
    EXPECT_EQ(result("libvirt").verdict, Verdict::Warn);
    EXPECT_EQ(result("libvirt").evidence,
              "libvirt 6.0.0 runs no hooks from /etc/libvirt/hooks/qemu.d (libvirt 6.5 and later)");
    libvirtInstalled("libvirt.so.0.7000.0");
    EXPECT_EQ(result("libvirt").verdict, Verdict::Pass);
    EXPECT_EQ(result("libvirt").evidence, "libvirt 7.0.0");
}

TEST(HostFacts, ParsesKernelVersionsAndCommandLines)
{
    EXPECT_EQ(parseKernelVersion("6.1.0-26-amd64"), (KernelVersion{6, 1, 0}));
    EXPECT_EQ(parseKernelVersion("2.6.32-431.el6.x86_64"), (KernelVersion{2, 6, 32}));
    EXPECT_EQ(parseKernelVersion("5.15"), (KernelVersion{5, 15, 0}));
    EXPECT_FALSE(parseKernelVersion("garbage"));
    EXPECT_FALSE(parseKernelVersion(""));
    auto line = parseKernelCommandLine("quiet intel-iommu=on vfio-pci.ids=a:b iommu=pt iommu=off\n");
    EXPECT_EQ(line["intel_iommu"], "on");
    EXPECT_EQ(line["vfio_pci.ids"], "a:b");
    EXPECT_EQ(line["iommu"], "off"); // the last one wins
    EXPECT_EQ(line["quiet"], "");
    EXPECT_EQ(libvirtVersionOfLibraryName("libvirt.so.0.9000.0"), "9.0.0");
    EXPECT_EQ(libvirtVersionOfLibraryName("libvirt.so.0.10010.2"), "10.10.2");
    for (const char *other : {"libvirt.so.0", "libvirt.so.0.9000", "libvirt-qemu.so.0.9000.0", "libvirt.so.0.x.0"})
        EXPECT_FALSE(libvirtVersionOfLibraryName(other)) << other;
}

TEST_F(HostCheckTest, TheFreezeStopsBindBeforeAnyWrite)
{
    iommuOff("root=/dev/sda1\n");
    vfioctl::testing::SimulatedKernel kernel(fake);
    vfioctl::testing::FakeModuleLoader modules(kernel);
    BindEngine engine(kernel, modules, std::chrono::milliseconds(100));
    try {
        engine.bind({Owner::manual(), {PciAddress::parse("0000:02:00.0")}});
        FAIL() << "bind went ahead on a host without an IOMMU";
    } catch (const Error &error) {
        EXPECT_EQ(std::string(error.what()).rfind("PCI passthrough cannot work on this host: no IOMMU is active", 0),
                  0u);
    }
    EXPECT_EQ(kernel.writes(), 0);
    EXPECT_TRUE(modules.loaded.empty());
}

TEST_F(HostCheckTest, CliCheckExitCodesAndJson)
{
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {VFIOCTL_BINARY, "--root", fake.root(), "check"});
        return vfioctl::testing::runProcess(args);
    };
    auto warnings = run({});
    EXPECT_EQ(warnings.exitCode, 1) << warnings.out; // libvirt and the hook are missing
    EXPECT_NE(warnings.out.find("WARN  vfioctl qemu hook"), std::string::npos) << warnings.out;
    EXPECT_NE(warnings.out.find("PCI passthrough can work on this host; see the notes above."), std::string::npos);

    libvirtInstalled("libvirt.so.0.9000.0");
    fake.writeFile("/etc/libvirt/hooks/qemu.d/vfioctl", "");
    fake.writeFile("/dev/vfio/vfio", "");
    EXPECT_EQ(run({}).exitCode, 0);

    iommuOff("root=/dev/sda1\n");
    auto failed = run({"--json"});
    EXPECT_EQ(failed.exitCode, 2);
    auto document = nlohmann::json::parse(failed.out);
    EXPECT_EQ(document["verdict"], "fail");
    EXPECT_EQ(document["passthrough_possible"], false);
    bool found = false;
    for (const auto &check : document["checks"])
        if (check["id"] == "iommu") {
            found = true;
            EXPECT_EQ(check["verdict"], "fail");
            EXPECT_EQ(check["blocks_passthrough"], true);
            EXPECT_TRUE(check["fix"].is_string());
        }
    EXPECT_TRUE(found);

    auto bind = vfioctl::testing::runProcess({VFIOCTL_BINARY, "--root", fake.root(), "bind", "0000:02:00.0"});
    EXPECT_EQ(bind.exitCode, 1);
    EXPECT_EQ(bind.err.rfind("vfioctl: error: PCI passthrough cannot work on this host: no IOMMU is active", 0), 0u)
        << bind.err;
}

TEST_F(HostCheckTest, AKernelThatWillRefuseTheVfioModulesIsAFailureAndStopsBind)
{
    fake.writeFile("/proc/cmdline", "root=/dev/sda1 intel_iommu=on module_blacklist=vfio_pci,nouveau\n");
    const CheckResult &blacklisted = result("vfio-modules");
    EXPECT_EQ(blacklisted.verdict, Verdict::Fail);
    EXPECT_EQ(blacklisted.evidence, "the kernel refuses to load vfio_pci (module_blacklist=vfio_pci,nouveau on the "
                                    "kernel command line)");
    EXPECT_NE(blacklisted.fix.find("remove the VFIO modules from module_blacklist="), std::string::npos);

    vfioctl::testing::SimulatedKernel kernel(fake);
    vfioctl::testing::FakeModuleLoader modules(kernel);
    BindEngine engine(kernel, modules, std::chrono::milliseconds(100));
    EXPECT_THROW(engine.bind({Owner::manual(), {PciAddress::parse("0000:02:00.0")}}), Error);
    EXPECT_EQ(kernel.writes(), 0);
    EXPECT_TRUE(modules.loaded.empty()) << "asked the kernel anyway";

    fake.makeDirectory("/sys/module/vfio_pci"); // loaded before: nothing to refuse
    EXPECT_EQ(result("vfio-modules").verdict, Verdict::Pass);

    fake.removePath("/sys/module/vfio_pci");
    fake.writeFile("/proc/cmdline", "root=/dev/sda1 intel_iommu=on\n");
    fake.writeFile("/proc/sys/kernel/modules_disabled", "1\n");
    EXPECT_EQ(result("vfio-modules").verdict, Verdict::Fail);
    EXPECT_NE(result("vfio-modules").evidence.find("module loading is disabled"), std::string::npos);
}

// A GPU the kernel cannot reset (reset_method published, empty: QEMU's std VGA, many AMD GPUs) warns, saying whether
// vendor-reset is there; list and affected carry the same note for the device.
TEST_F(HostCheckTest, AGpuWithoutAResetMethodWarnsAndSaysWhetherVendorResetIsLoaded)
{
    EXPECT_EQ(result("gpu-reset").verdict, Verdict::Pass);
    fake.writeFile(fake.devicePath("0000:01:00.0") + "/reset_method", "\n");
    const CheckResult &reset = result("gpu-reset");
    EXPECT_EQ(reset.verdict, Verdict::Warn);
    EXPECT_EQ(reset.evidence, "0000:01:00.0 is a GPU with no reset method: it may not work on the host again after a "
                              "VM used it; the vendor-reset module is not loaded");
    EXPECT_FALSE(reset.blocksPassthrough);
    fake.makeDirectory("/sys/module/vendor_reset");
    EXPECT_NE(result("gpu-reset").evidence.find("the vendor-reset module is loaded"), std::string::npos);

    auto listed = nlohmann::json::parse(
        vfioctl::testing::runProcess({VFIOCTL_BINARY, "--root", fake.root(), "list", "--json"}).out);
    const auto &gpu = vfioctl::testing::byAddress(listed["pci"], "0000:01:00.0");
    EXPECT_EQ(gpu["reset_methods"], nlohmann::json::array());
    EXPECT_EQ(gpu["notes"], nlohmann::json::array({std::string(noResetNote)}));
    auto affected = nlohmann::json::parse(
        vfioctl::testing::runProcess({VFIOCTL_BINARY, "--root", fake.root(), "affected", "01:00.0", "--json"}).out);
    EXPECT_EQ(affected["notes"], nlohmann::json::array({std::string(noResetNote)}));
    EXPECT_EQ(affected["endpoints"][1]["reset_methods"], nlohmann::json::array({"bus"}));
}

// Linux 5.15 and later hide reset_method from a device they cannot reset (QEMU's std VGA on Debian 12's kernel):
// no attribute says the same as an empty one there; before 5.15 it says nothing.
TEST_F(HostCheckTest, AHiddenResetMethodMeansNoneOnlyOnAKernelThatPublishesIt)
{
    fake.removePath(fake.devicePath("0000:01:00.0") + "/reset_method");
    EXPECT_EQ(result("gpu-reset").verdict, Verdict::Warn);
    auto listed = [&] {
        return vfioctl::testing::byAddress(
            nlohmann::json::parse(
                vfioctl::testing::runProcess({VFIOCTL_BINARY, "--root", fake.root(), "list", "--json"}).out)["pci"],
            "0000:01:00.0")["notes"];
    };
    EXPECT_EQ(listed(), nlohmann::json::array({std::string(noResetNote)}));
    fake.writeFile("/proc/sys/kernel/osrelease", "5.10.0-30-amd64\n");
    EXPECT_EQ(result("gpu-reset").verdict, Verdict::Pass);
    EXPECT_EQ(listed(), nlohmann::json::array());
}

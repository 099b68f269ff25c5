// Hostile or damaged state never leaves the host worse off: corrupt journals, VMs named like our own owners, a VM's
// devices taken by hand, numbers that would wrap (issue 13). In-process, on the simulated kernel.
#include "bind_journal.h"
#include "cli.h"
#include "eligibility.h"
#include "inventory.h"
#include "qemu_hook.h"
#include "testkit.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::vmOwner;

namespace {

const std::string gpuDomain = "<domain><name>x</name><devices><hostdev mode='subsystem' type='pci' managed='yes'>"
                              "<source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>"
                              "</hostdev></devices></domain>";

class Hardening : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    int hook(const std::string &vm, const char *operation, const char *sub, const std::string &xml = gpuDomain)
    {
        std::ostringstream userError;
        hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
        return qemuHook.run(
            {vm, operation, sub, "-"}, [&] { return vfioctl::testing::withVmIdentity(xml, vm); }, userError);
    }
    void plantJournal(const std::string &name, const std::string &text)
    {
        fake.makeDirectory("/run/vfioctl/owners");
        fake.writeFile("/run/vfioctl/owners/" + name, text);
    }

    NoHardwareNames names;
    hook::RecordingHookLog log;
    std::ostringstream out, err;
};

} // namespace

TEST_F(Hardening, ACorruptJournalIsSetAsideAndOnlyItsSuspectsAreRefused)
{
    // The NVMe (group 5) is on vfio-pci with no valid owner: the corrupt journal may be its.
    ASSERT_EQ(run({"bind", "0000:02:00.0"}), 0) << err.str();
    std::filesystem::remove(fake.root() + "/run/vfioctl/owners/manual.journal");
    for (const char *text : {"", "vfioctl-journal 1\n{\"owner\":", "vfioctl-journal 1\n{\"owner\": 7}"}) {
        plantJournal("vm-broken.journal", text);
        ASSERT_EQ(run({"status"}), 0) << err.str();
        // Named as the user finds it: inside the tree. A reader reports it and sets nothing aside (it holds no lock).
        EXPECT_NE(out.str().find("A corrupt journal, " + fake.root() + "/run/vfioctl/owners/vm-broken.journal"),
                  std::string::npos)
            << out.str();
        EXPECT_TRUE(std::filesystem::exists(fake.root() + "/run/vfioctl/owners/vm-broken.journal"));
        ASSERT_EQ(run({"recover", "--discard-corrupt"}), 0);
    }
    plantJournal("vm-broken.journal", "garbage");
    EXPECT_EQ(run({"bind", "0000:01:00.0"}), 0) << err.str(); // another group: works
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(run({"bind", "0000:02:00.0"}), 1);
    EXPECT_NE(err.str().find("0000:02:00.0 (IOMMU group 5) is on vfio-pci with no valid owner"), std::string::npos)
        << err.str();
    EXPECT_EQ(run({"status", "--json"}), 0);
    auto status = nlohmann::json::parse(out.str());
    EXPECT_EQ(status["corrupt_journals"][0]["path"], fake.root() + "/run/vfioctl/owners/vm-broken.journal.corrupt");
    EXPECT_EQ(status["state_directory"], fake.root() + "/run/vfioctl");
    EXPECT_EQ(run({"restore", "--all"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    ASSERT_EQ(run({"recover", "--discard-corrupt"}), 0);
    EXPECT_EQ(run({"bind", "0000:02:00.0"}), 0) << err.str();
}

TEST_F(Hardening, AJournalWhoseNameAndOwnerDisagreeOrThatRepeatsADeviceIsCorrupt)
{
    ASSERT_EQ(hook("vm-a", "prepare", "begin"), 0);
    const std::string owners = fake.root() + "/run/vfioctl/owners/";
    const std::string a = "vm-" + vfioctl::testing::uuidFor("vm-a") + ".journal";
    const std::string b = "vm-" + vfioctl::testing::uuidFor("vm-b") + ".journal";
    std::filesystem::rename(owners + a, owners + b);
    EXPECT_TRUE(BindJournal(*kernel, liveProcesses()).read().journals.empty());
    EXPECT_TRUE(std::filesystem::exists(owners + b)) << "a reader sets nothing aside";
    EXPECT_EQ(run({"recover", "--discard-corrupt"}), 0) << err.str();
    EXPECT_FALSE(std::filesystem::exists(owners + b));

    Journal twice{vmOwner("c"), 1, std::nullopt, {{at("01:00.0"), {"nvidia", ""}}}};
    twice.devices.push_back(twice.devices.front());
    plantJournal(journalFileName(twice.owner), serializeJournal(twice));
    EXPECT_TRUE(BindJournal(*kernel, liveProcesses()).read().journals.empty());
    EXPECT_EQ(BindJournal(*kernel, liveProcesses()).read().corrupt.size(), 1u);
}

TEST_F(Hardening, AVmNamedLikeOurOwnOwnersNeverSharesTheirJournal)
{
    ASSERT_EQ(run({"bind", "0000:02:00.0"}), 0) << err.str(); // manual
    ASSERT_EQ(hook("manual", "prepare", "begin"), 0);         // the VM called manual
    ASSERT_EQ(hook("manual", "release", "end"), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci") << "stopping the VM gave back what was bound by hand";
    ASSERT_EQ(run({"restore", "manual"}), 0);
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
}

TEST_F(Hardening, AJournalOfAnotherFormatIsCorruptWhateverItsFileIsCalled)
{
    // The format is told by the journal's version line, never by its file name: a format-1 journal is not obeyed.
    plantJournal("manual.journal", "vfioctl-journal 1\n{\"owner\": \"manual\", \"state\": \"bound\", \"since\": 1, "
                                   "\"pid\": 1, \"devices\": []}\n");
    EXPECT_EQ(run({"status", "--json"}), 0) << err.str();
    auto status = nlohmann::json::parse(out.str());
    ASSERT_EQ(status["corrupt_journals"].size(), 1u);
    EXPECT_NE(status["corrupt_journals"][0]["reason"].get<std::string>().find(
                  "format 1, not this release's format 4 (or 3, 2)"),
              std::string::npos);
}

TEST_F(Hardening, UnbindAndRestoreRefuseWhatAVmHoldsUnlessForced)
{
    ASSERT_EQ(hook("win11", "prepare", "begin"), 0);
    EXPECT_EQ(run({"unbind", "01:00.0"}), 1);
    EXPECT_EQ(err.str(), "vfioctl: error: 0000:01:00.0 is held by VM 'win11'; it goes back when the VM stops (or with "
                         "'vfioctl unassign'); use --force to take it now, and the VM loses it while it runs\n");
    EXPECT_EQ(run({"restore", "win11"}), 1);
    EXPECT_NE(err.str().find("VM 'win11' holds 0000:01:00.0, 0000:01:00.1"), std::string::npos) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci") << "the group was split";
    EXPECT_EQ(run({"restore", "win11", "--force"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
}

TEST_F(Hardening, WordsSayWhatHappened)
{
    EXPECT_EQ(run({"restore", "nobody"}), 0);
    EXPECT_EQ(out.str(), "nothing is held by VM 'nobody'\n");
    EXPECT_EQ(run({"unbind", "05:00.0"}), 1);
    EXPECT_EQ(err.str(),
              "vfioctl: error: 0000:05:00.0 is not bound to vfio-pci (driver: e1000e), nothing to give back\n");
    EXPECT_EQ(run({"unbind", "42:00.0"}), 1);
    EXPECT_EQ(err.str(), "vfioctl: error: no PCI device 0000:42:00.0 on this host\n");
}

TEST_F(Hardening, OptionsMayStandBeforeTheCommandAndDashDashEndsThem)
{
    EXPECT_EQ(run({"--json", "status"}), 0) << err.str();
    EXPECT_TRUE(nlohmann::json::parse(out.str()).contains("owners"));
    EXPECT_EQ(run({"--owner", vfioctl::testing::uuidFor("vm1"), "bind", "02:00.0"}), 0) << err.str();
    EXPECT_EQ(out.str(), "0000:02:00.0 bound to vfio-pci for " + vfioctl::testing::uuidFor("vm1") + "\n");
    EXPECT_EQ(run({"--all", "--force", "restore"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    EXPECT_EQ(run({"unbind", "--", "--force"}), 2);
    EXPECT_NE(err.str().find("'--force' is not a PCI address"), std::string::npos) << err.str();
}

TEST_F(Hardening, NumbersNeverWrapAndAMissingGroupIsAReason)
{
    fake.removePath(fake.devicePath("0000:02:00.0") + "/iommu_group");
    fake.makeDirectory("/sys/kernel/iommu_groups/4294967298/devices");
    fake.link(fake.devicePath("0000:02:00.0") + "/iommu_group", "/sys/kernel/iommu_groups/4294967298");
    fake.removePath(fake.devicePath("0000:04:00.3") + "/iommu_group");
    fake.link(fake.devicePath("0000:04:00.3") + "/iommu_group", "/sys/kernel/iommu_groups/77");
    const Inventory inventory = scanInventory(*kernel);
    EXPECT_FALSE(inventory.requirePci(at("02:00.0")).iommuGroup) << "4294967298 read as group 2";
    EXPECT_FALSE(assessEligibility(inventory, inventory.requirePci(at("02:00.0"))).eligible());
    const auto reasons = assessEligibility(inventory, inventory.requirePci(at("04:00.3"))).reasons;
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons.front().detail, "IOMMU group 77 does not exist under /sys/kernel/iommu_groups");
    EXPECT_EQ(run({"bind", "02:00.0"}), 1);
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    EXPECT_EQ(driverOf("0000:00:02.0"), "i915") << "group 2's device was taken";
}

TEST_F(Hardening, AnUnreadableEntrySkipsThatEntryAndBindRefusesToGuess)
{
    std::filesystem::create_symlink("loop", fake.root() + "/sys/class/block/loop");
    const Inventory inventory = scanInventory(*kernel);
    EXPECT_FALSE(inventory.pci.empty());
    ASSERT_EQ(inventory.notes.size(), 1u);
    EXPECT_EQ(inventory.notes[0].rfind("/sys/class/block/loop skipped: ", 0), 0u) << inventory.notes[0];
    EXPECT_EQ(run({"list", "--type", "pci"}), 0);
    EXPECT_NE(err.str().find("vfioctl: note: /sys/class/block/loop skipped"), std::string::npos);
    EXPECT_EQ(run({"bind", "01:00.0"}), 1);
    EXPECT_NE(err.str().find("what the host uses cannot be read in full"), std::string::npos) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
}

TEST_F(Hardening, ATimeNoCalendarShowsAndANameThatIsNotUtf8AreStillPrinted)
{
    Journal journal{vmOwner("odd\xff"), 67768036191676800, std::nullopt, {{at("02:00.0"), {"nvme", ""}}}};
    plantJournal(journalFileName(journal.owner), serializeJournal(journal));
    EXPECT_EQ(run({"status"}), 0) << err.str();
    EXPECT_NE(out.str().find("@67768036191676800"), std::string::npos) << out.str();
    EXPECT_EQ(run({"status", "--json"}), 0);
    EXPECT_EQ(nlohmann::json::parse(out.str())["owners"][0]["owner"], "odd\xef\xbf\xbd");
    EXPECT_EQ(hook("odd\xff", "release", "end"), 0);
    EXPECT_TRUE(BindJournal(*kernel, liveProcesses()).read().journals.empty());
}

TEST_F(Hardening, APhysicalFunctionWithVirtualFunctionsNeverMoves)
{
    ASSERT_EQ(hook("router", "prepare", "begin",
                   "<domain><name>router</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source>"
                   "<address domain='0x0000' bus='0x04' slot='0x00' function='0x3'/></source></hostdev></devices>"
                   "</domain>"),
              0);
    for (auto args : std::vector<std::vector<std::string>>{
             {"bind", "04:00.0"}, {"bind", "04:00.0", "--force"}, {"persist", "04:00.0", "--boot-only"}}) {
        EXPECT_EQ(run(args), 1) << args[0];
        EXPECT_NE(err.str().find("0000:04:00.0"), std::string::npos);
        EXPECT_NE(err.str().find("SR-IOV physical function with 2 virtual functions enabled"), std::string::npos)
            << err.str();
    }
    EXPECT_EQ(run({"bind", "04:00.0"}), 1);
    EXPECT_NE(err.str().find("0000:04:00.3 held by VM 'router'"), std::string::npos) << err.str();
    EXPECT_EQ(driverOf("0000:04:00.0"), "mlx5_core");
    EXPECT_EQ(driverOf("0000:04:00.3"), "vfio-pci");
    EXPECT_EQ(run({"affected", "04:00.0"}), 0);
    EXPECT_NE(out.str().find("Virtual functions that go away with their physical function:\n    0000:04:00.2"),
              std::string::npos)
        << out.str();
}

TEST_F(Hardening, SriovShowsWhoHoldsEachVfAndRefusesToDestroyThem)
{
    fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_totalvfs", "8\n");
    fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_numvfs", "2\n");
    ASSERT_EQ(hook("router", "prepare", "begin",
                   "<domain><name>router</name><devices><hostdev mode='subsystem' type='pci' managed='yes'><source>"
                   "<address domain='0x0000' bus='0x04' slot='0x00' function='0x3'/></source></hostdev></devices>"
                   "</domain>"),
              0);
    ASSERT_EQ(run({"sriov", "04:00.0", "--json"}), 0) << err.str();
    auto state = nlohmann::json::parse(out.str());
    EXPECT_EQ(state["total_vfs"], 8);
    EXPECT_EQ(state["enabled_vfs"], 2);
    EXPECT_EQ(vfioctl::testing::byAddress(state["vfs"], "0000:04:00.3")["held_by"]["owner"], "router");
    EXPECT_EQ(vfioctl::testing::byAddress(state["vfs"], "0000:04:00.2")["held_by"], nullptr);

    EXPECT_EQ(run({"sriov", "04:00.0", "9"}), 1);
    EXPECT_EQ(err.str(), "vfioctl: error: cannot set 0000:04:00.0 to 9 VFs: it offers at most 8\n");
    EXPECT_EQ(run({"sriov", "04:00.0", "0"}), 1);
    EXPECT_NE(err.str().find("0000:04:00.3 is held by VM 'router'"), std::string::npos) << err.str();
    EXPECT_EQ(fake.read(fake.devicePath("0000:04:00.0") + "/sriov_numvfs"), "2\n") << "nothing was written";
    // A driver that cannot change the count: the kernel's own reason, and nothing changed.
    EXPECT_EQ(run({"sriov", "04:00.0", "0", "--force"}), 1);
    EXPECT_NE(err.str().find("the kernel refused to set 0000:04:00.0 to 0 VFs (driver mlx5_core)"), std::string::npos)
        << err.str();
    kernel->sriovDriver("mlx5_core", "mlx5_core", vfioctl::testing::SimulatedKernel::VfsAtUnbind::Removed);
    EXPECT_EQ(run({"sriov", "04:00.0", "0", "--force"}), 0) << err.str();
    EXPECT_NE(err.str().find("lost: 0000:04:00.3 is held by VM 'router'"), std::string::npos) << err.str();
    EXPECT_EQ(fake.read(fake.devicePath("0000:04:00.0") + "/sriov_numvfs"), "0\n");
    EXPECT_FALSE(fake.host().exists("/sys/bus/pci/devices/0000:04:00.3"));
    EXPECT_EQ(run({"sriov", "01:00.0"}), 1);
    EXPECT_EQ(err.str(),
              "vfioctl: error: 0000:01:00.0 is not an SR-IOV physical function (it has no sriov_totalvfs)\n");
}

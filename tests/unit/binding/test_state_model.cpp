// The state model's promises (issue 23, docs/RELIABILITY.md "The state model"), each class tried as an unlucky or
// hostile user would: owners whose names look alike, state writes that fail, a device that vanishes, a step killed
// after another finished, a slow stop beside a start, a reused pid, persist's pool lent to a VM.
#include "bind_journal.h"
#include "cli.h"
#include "error.h"
#include "qemu_hook.h"
#include "testkit.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::KernelStep;
using vfioctl::testing::uuidFor;
using vfioctl::testing::vmOwner;

namespace {

const std::string gpu = vfioctl::testing::pciHostdevXml("0000:01:00.0");
const std::string nvme = vfioctl::testing::pciHostdevXml("0000:02:00.0");

struct SimulatedDeath {}; // not an Error: the process "dies" there

class StateModel : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    // libvirt's call for VM `name`: its UUID is uuidFor(name) unless given.
    int hook(const std::string &name, const char *operation, const char *sub, const std::string &devices,
             const std::string &uuid = "")
    {
        const std::string xml = "<domain type='kvm'><name>" + name + "</name><uuid>" +
                                (uuid.empty() ? uuidFor(name) : uuid) + "</uuid><devices>" + devices +
                                "</devices></domain>";
        userError.str("");
        hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
        return qemuHook.run({name, operation, sub, "-"}, [&] { return xml; }, userError);
    }
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    bool logged(const std::string &text) const
    {
        for (const auto &line : log.lines)
            if (line.find(text) != std::string::npos)
                return true;
        return false;
    }
    std::vector<std::string> stateFiles() { return fake.host().list("/run/vfioctl/owners"); }

    NoHardwareNames names;
    hook::RecordingHookLog log;
    std::ostringstream userError, out, err;
};

} // namespace

TEST_F(StateModel, AnOwnerIsItsUuidNeverANameThatLooksLikeAnother)
{
    ASSERT_EQ(hook("foo", "prepare", "begin", gpu), 0) << userError.str();
    // "vm-foo" was foo's journal name once; "manual" is ours: neither stop touches foo's group.
    for (const char *alike : {"vm-foo", "manual", "foo.journal", "vm-foo.journal.corrupt"}) {
        ASSERT_EQ(hook(alike, "prepare", "begin", ""), 0);
        ASSERT_EQ(hook(alike, "release", "end", ""), 0);
        EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci") << "the stop of '" << alike << "' took foo's GPU";
    }
    // Same name, another VM (two hosts' VMs, or one deleted and made again): refused, never taken for foo.
    EXPECT_EQ(hook("foo", "release", "end", gpu, "11111111-2222-3333-4444-555555555555"), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    // Renamed while shut off (virsh domrename keeps the UUID): the stop of the renamed VM is foo's stop.
    EXPECT_EQ(hook("bar", "release", "end", gpu, uuidFor("foo")), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_TRUE(stateFiles().empty());
}

TEST_F(StateModel, AnyNameLibvirtAcceptsStartsAndStopsAndFileNamesStayShort)
{
    std::string chinese;
    for (int i = 0; i < 30; ++i)
        chinese += "\xe8\x99\x9a"; // 虚, 3 bytes
    for (const std::string &name : {chinese, std::string(245, 'a'), std::string("a/b c\t%2F"), std::string(".")}) {
        ASSERT_EQ(hook(name, "prepare", "begin", gpu), 0) << userError.str();
        ASSERT_EQ(stateFiles().size(), 1u);
        EXPECT_LE(stateFiles()[0].size(), 48u);
        EXPECT_EQ(BindJournal(*kernel, liveProcesses()).read().journals.at(0).owner.name(), name);
        ASSERT_EQ(hook(name, "release", "end", gpu), 0);
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
        EXPECT_TRUE(stateFiles().empty());
    }
}

TEST_F(StateModel, APrepareWhoseStateWriteFailsAtAnyPointLeavesTheHostAsBefore)
{
    for (int failing = 1;; ++failing) {
        int writes = 0;
        kernel->onStateWrite([&](const std::string &path) {
            if (path.find("/owners/") != std::string::npos && ++writes >= failing)
                throw Error("cannot write " + path + ": " + errnoText(ENOSPC), ENOSPC); // /run full from here on
        });
        const int code = hook("win11", "prepare", "begin", gpu);
        kernel->onStateWrite(nullptr);
        if (code == 0) {
            ASSERT_EQ(hook("win11", "release", "end", gpu), 0);
            break; // every write has had its failure
        }
        const std::string sentence = userError.str();
        EXPECT_EQ(std::count(sentence.begin(), sentence.end(), '\n'), 1) << sentence;
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia") << "failure at state write " << failing;
        EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel") << "failure at state write " << failing;
        // What the journal says may lag (it could not be written), but recover tidies it and moves nothing.
        EXPECT_EQ(run({"recover"}), 0) << err.str();
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
        EXPECT_TRUE(stateFiles().empty()) << "failure at state write " << failing;
    }
}

TEST_F(StateModel, AFullOrReadOnlyRunStillGivesEveryDeviceBack)
{
    for (int errorNumber : {ENOSPC, EIO, EROFS}) {
        ASSERT_EQ(hook("win11", "prepare", "begin", gpu), 0) << userError.str();
        kernel->onStateWrite([&](const std::string &path) {
            throw Error("cannot write " + path + ": " + errnoText(errorNumber), errorNumber);
        });
        ASSERT_EQ(hook("win11", "release", "end", gpu), 0);
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia") << errnoText(errorNumber);
        EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
        EXPECT_TRUE(logged("could not be recorded")) << "the stop says what it could not write";
        // The journal still lists the devices; once /run can be written again, recover reconciles with the kernel.
        kernel->onStateWrite(nullptr);
        EXPECT_EQ(run({"restore", "--force", "win11"}), 0) << err.str();
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
        EXPECT_TRUE(stateFiles().empty());
    }
}

TEST_F(StateModel, ADeviceThatVanishesWhileHeldIsAnOutcomeNotAnError)
{
    ASSERT_EQ(hook("win11", "prepare", "begin", gpu), 0) << userError.str();
    kernel->removeDevice("0000:01:00.1"); // hot-unplug of the audio function
    EXPECT_EQ(run({"status"}), 0);
    EXPECT_NE(out.str().find("0000:01:00.1 went away while VM 'win11' held it"), std::string::npos) << out.str();
    EXPECT_EQ(run({"status", "--json"}), 0);
    auto status = nlohmann::json::parse(out.str());
    EXPECT_EQ(vfioctl::testing::byAddress(status["owners"][0]["devices"], "0000:01:00.1")["present"], false);
    ASSERT_EQ(hook("win11", "release", "end", gpu), 0);
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia") << "the rest is finished";
    EXPECT_TRUE(logged("0000:01:00.1 went away while the VM held it"));
    EXPECT_TRUE(stateFiles().empty()) << "its entry ended";
    EXPECT_EQ(run({"recover"}), 0) << err.str();
    EXPECT_EQ(run({"status"}), 0);
    EXPECT_EQ(out.str(), "no device is held\n");
}

TEST_F(StateModel, RestoreAllAndRecoverDoEverythingElseThenReportEachFailure)
{
    ASSERT_EQ(hook("win11", "prepare", "begin", gpu), 0);
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    kernel->failAt(KernelStep::Probe, "0000:01:00.0", EIO, -1); // the GPU's driver will not take it back
    EXPECT_EQ(run({"restore", "--all", "--force"}), 1);
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme") << "the next owner was still given back";
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel") << "and the GPU's companion";
    EXPECT_NE(err.str().find("0000:01:00.0"), std::string::npos) << err.str();
    EXPECT_EQ(run({"status", "--json"}), 0);
    auto status = nlohmann::json::parse(out.str());
    ASSERT_EQ(status["owners"].size(), 1u);
    EXPECT_EQ(status["owners"][0]["devices"].size(), 1u) << "only what failed stays recorded";
    EXPECT_EQ(run({"recover"}), 1) << "still failing: said, and non-zero";
}

TEST_F(StateModel, RecoverUndoesOnlyTheStepThatDidNotFinish)
{
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str(); // manual, finished
    kernel->onWrite([](KernelStep step, const std::string &device) {
        if (step == KernelStep::Probe && device == "0000:01:00.0")
            throw SimulatedDeath{};
    });
    BindEngine dying(*kernel, *modules, std::chrono::milliseconds(300), vfioctl::testing::deadProcess());
    EXPECT_THROW(dying.bind({Owner::manual(), {at("01:00.0")}}), SimulatedDeath);
    kernel->onWrite(nullptr);
    EXPECT_EQ(run({"recover"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia") << "the killed bind is undone";
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci") << "the finished one is not";
    EXPECT_EQ(BindJournal(*kernel, liveProcesses()).read(Owner::manual())->devices.size(), 1u);
}

TEST_F(StateModel, AProcessIsRunningOnlyIfItsPidAndStartTimeBothMatch)
{
    // Our own pid, another start time: the process that wrote it is gone and the pid was reused.
    const ProcessStamp self = liveProcesses().self();
    vfioctl::testing::saveJournal(*kernel, {Owner::manual(),
                                            1,
                                            ProcessStamp{self.pid + 0, self.start + 1},
                                            {{at("02:00.0"), {"nvme", ""}, EntryState::Binding}}});
    BindEngine other(*kernel, *modules, std::chrono::milliseconds(300), vfioctl::testing::deadProcess());
    EXPECT_FALSE(other.runningElsewhere(other.status().at(0)));
    EXPECT_EQ(run({"recover"}), 0) << err.str();
    EXPECT_TRUE(stateFiles().empty());
}

TEST_F(StateModel, AnUnrelatedStartNeverWaitsOnAnotherVmsSlowStop)
{
    ASSERT_EQ(hook("slow", "prepare", "begin", gpu), 0);
    kernel->delayDevice("0000:01:00.0", std::chrono::milliseconds(600)); // each of its steps
    std::thread stop([&] { hook("slow", "release", "end", gpu); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto start = std::chrono::steady_clock::now();
    std::ostringstream otherError;
    hook::RecordingHookLog otherLog;
    hook::QemuHook other(*kernel, *modules, otherLog, std::chrono::milliseconds(500));
    const std::string xml =
        "<domain><name>fast</name><uuid>" + uuidFor("fast") + "</uuid><devices>" + nvme + "</devices></domain>";
    EXPECT_EQ(other.run({"fast", "prepare", "begin", "-"}, [&] { return xml; }, otherError), 0) << otherError.str();
    const auto took = std::chrono::steady_clock::now() - start;
    const bool stillStopping = driverOf("0000:01:00.0") != "nvidia";
    stop.join();
    // Ordering, not a timing figure: the start finished while the slow stop was still moving its GPU.
    EXPECT_TRUE(stillStopping) << "the start waited for the stop ("
                               << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms)";
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci");
}

TEST_F(StateModel, WaitingForTheLockIsBoundedAndNamesItsHolder)
{
    BindJournal journal(*kernel, liveProcesses());
    JournalLock held = journal.lock(std::chrono::seconds(1));
    BindEngine engine(*kernel, *modules, std::chrono::milliseconds(300));
    engine.setLockWait(std::chrono::milliseconds(200));
    try {
        engine.bind({Owner::manual(), {at("02:00.0")}});
        ADD_FAILURE() << "bound without the lock";
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("is held by process " + std::to_string(::getpid())), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
}

TEST_F(StateModel, APersistedDeviceIsAPoolAVmUsesAtOnce)
{
    ASSERT_EQ(run({"persist", "02:00.0"}), 0) << err.str();
    ASSERT_EQ(driverOf("0000:02:00.0"), "vfio-pci");
    ASSERT_EQ(hook("win11", "prepare", "begin", nvme), 0) << userError.str();
    EXPECT_EQ(run({"status", "--json"}), 0);
    auto status = nlohmann::json::parse(out.str());
    const auto &lent = vfioctl::testing::byKey(status["owners"], "owner_kind", "vm");
    EXPECT_EQ(vfioctl::testing::byAddress(lent["devices"], "0000:02:00.0")["from_pool"], true) << out.str();
    ASSERT_EQ(hook("win11", "release", "end", nvme), 0);
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci") << "back to vfio-pci, as after a reboot";
    ASSERT_TRUE(BindJournal(*kernel, liveProcesses()).read(Owner::persist()).has_value()) << "and to the pool";
    ASSERT_EQ(hook("win11", "prepare", "begin", nvme), 0) << "and usable again";
    // Unpersisted while lent: the VM keeps it; its stop gives it to its own driver.
    EXPECT_EQ(run({"unpersist", "02:00.0"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "vfio-pci");
    ASSERT_EQ(hook("win11", "release", "end", nvme), 0);
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    EXPECT_TRUE(stateFiles().empty());
}

TEST_F(StateModel, AReleaseWithXmlItCannotReadExitsZeroAndSaysWhy)
{
    ASSERT_EQ(hook("win11", "prepare", "begin", gpu), 0);
    hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
    EXPECT_EQ(qemuHook.run({"win11", "release", "end", "-"}, [] { return std::string("<domain"); }, userError), 0);
    EXPECT_TRUE(logged("not valid XML"));
    EXPECT_EQ(qemuHook.run(
                  {"win11", "prepare", "begin", "-"}, [] { return std::string("<domain><devices>"); }, userError),
              1);
}

TEST_F(StateModel, AHardLinkPlantedAsTheLockIsNeverWrittenThrough)
{
    const std::string outside = fake.root() + "/outside-secret";
    {
        std::ofstream(outside) << "secret\n";
    }
    std::filesystem::create_directories(fake.root() + "/run/vfioctl");
    std::filesystem::create_hard_link(outside, fake.root() + "/run/vfioctl/lock");
    EXPECT_EQ(run({"bind", "02:00.0"}), 1);
    EXPECT_NE(err.str().find("not a regular file with one link"), std::string::npos) << err.str();
    std::ifstream in(outside);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "secret\n");
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
}

// Found by the model test (seeds 6654 and 48): a device persist holds goes away and comes back on its own driver
// (a rescan); unpersist then left persist's journal naming it, as it only gave back devices still on vfio-pci.
TEST_F(StateModel, UnpersistForgetsADeviceThatWentAwayAndCameBackOnItsOwnDriver)
{
    ASSERT_EQ(run({"persist", "04:00.3"}), 0) << err.str();
    kernel->removeDevice("0000:04:00.3");
    vfioctl::testing::rescanWorkstationVf(*this);
    ASSERT_EQ(driverOf("0000:04:00.3"), "mlx5_core");
    EXPECT_EQ(run({"unpersist", "04:00.3"}), 0) << err.str();
    EXPECT_TRUE(stateFiles().empty());
}

// Found by the model test (seed 7008): a VM's stop decides under the lock that a device it borrowed goes back into
// persist's pool, then moves it without the lock; an unpersist between those steps leaves the device to the VM. The
// stop's record, under the lock again, sees the pool let go and sends the device to its own driver.
TEST_F(StateModel, AnUnpersistWhileAVmStopsReturnsItsBorrowedDeviceToItsOwnDriver)
{
    ASSERT_EQ(run({"persist", "02:00.0"}), 0) << err.str();
    ASSERT_EQ(hook("win11", "prepare", "begin", nvme), 0) << userError.str();
    // The way back into the pool then has a kernel write to make (the override), where the unpersist comes in.
    fake.writeFile(fake.devicePath("0000:02:00.0") + "/driver_override", "(null)\n");
    int unpersisted = -1;
    kernel->onWrite([&](KernelStep step, const std::string &device) {
        if (step == KernelStep::SetOverride && device == "0000:02:00.0" && unpersisted == -1)
            unpersisted = run({"unpersist", "02:00.0"});
    });
    ASSERT_EQ(hook("win11", "release", "end", nvme), 0);
    kernel->onWrite(nullptr);
    EXPECT_EQ(unpersisted, 0) << err.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    EXPECT_TRUE(stateFiles().empty());
}

// The other order: unpersist lists a device as borrowed, and the VM stops (back into the pool) before unpersist
// takes the lock to let go of it. Asked again under the lock, the device is the pool's, and goes back now.
TEST_F(StateModel, AVmStoppingWhileUnpersistListsItsDeviceLeavesNothingOnVfio)
{
    ASSERT_EQ(run({"persist", "02:00.0"}), 0) << err.str();
    ASSERT_EQ(run({"persist", "04:00.3"}), 0) << err.str();
    ASSERT_EQ(hook("win11", "prepare", "begin", nvme), 0) << userError.str();
    // Unpersist gives 04:00.3 back first (kernel writes, no lock held): the VM stops right then.
    int stopped = -1;
    kernel->onWrite([&](KernelStep, const std::string &device) {
        if (device == "0000:04:00.3" && stopped == -1)
            stopped = hook("win11", "release", "end", nvme);
    });
    EXPECT_EQ(run({"unpersist", "02:00.0", "04:00.3"}), 0) << err.str();
    kernel->onWrite(nullptr);
    EXPECT_EQ(stopped, 0) << userError.str();
    EXPECT_EQ(driverOf("0000:02:00.0"), "nvme");
    EXPECT_EQ(driverOf("0000:04:00.3"), "mlx5_core");
    EXPECT_TRUE(stateFiles().empty());
}

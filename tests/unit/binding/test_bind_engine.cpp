#include "bind_engine.h"
#include "error.h"
#include "fake_module_loader.h"
#include "simulated_kernel.h"
#include "workstation.h"

#include "testkit.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace vfioctl;
using vfioctl::testing::addGpuWithAudio;
using vfioctl::testing::at;
using vfioctl::testing::FakeHost;
using vfioctl::testing::FakeModuleLoader;
using vfioctl::testing::KernelStep;
using vfioctl::testing::SimulatedKernel;
using vfioctl::testing::vmOwner;

namespace {

std::string readProcStat(pid_t pid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    return std::string(std::istreambuf_iterator<char>(file), {});
}

struct SimulatedCrash {}; // not an Error: the process "dies" here, nothing is rolled back

// Three groups to prepare: a GPU with its audio companion behind a root port, a multi-function USB controller,
// and a single NVMe. One device starts on a non-default driver (pci-stub by override), one with no driver.
void buildThreeGroups(FakeHost &fake)
{
    addGpuWithAudio(fake, "nouveau", 1);
    fake.addPci({.address = "0000:02:00.0",
                 .classCode = 0x0c0330,
                 .vendor = 0x1b21,
                 .device = 0x2142,
                 .driver = "xhci_hcd",
                 .group = 2});
    fake.addPci({.address = "0000:02:00.1",
                 .classCode = 0x0c0330,
                 .vendor = 0x1b21,
                 .device = 0x2143,
                 .driver = "pci-stub",
                 .group = 2});
    fake.writeFile(fake.devicePath("0000:02:00.1") + "/driver_override", "pci-stub\n");
    fake.addPci({.address = "0000:03:00.0", .classCode = 0x010802, .vendor = 0x144d, .device = 0xa808, .group = 3});
    fake.addDriver("nvme");
}

class BindEngineTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        buildThreeGroups(fake);
        kernel = std::make_unique<SimulatedKernel>(fake);
        kernel->supports("nvme", 0x144d, 0xa808);
        loader = std::make_unique<FakeModuleLoader>(*kernel);
        engine = std::make_unique<BindEngine>(*kernel, *loader, std::chrono::milliseconds(300));
        original = snapshot();
    }
    std::map<std::string, DriverState> snapshot()
    {
        DriverBinder binder(*kernel, std::chrono::milliseconds(0));
        std::map<std::string, DriverState> states;
        for (const char *device : all)
            states[device] = binder.stateOf(at(device));
        return states;
    }
    BindRequest prepareRequest()
    {
        return {vmOwner("win10"), {at("0000:01:00.0"), at("0000:02:00.1"), at("0000:03:00.0")}, Force::No};
    }

    static constexpr const char *all[] = {"0000:00:01.0", "0000:01:00.0", "0000:01:00.1",
                                          "0000:02:00.0", "0000:02:00.1", "0000:03:00.0"};
    FakeHost fake;
    std::unique_ptr<SimulatedKernel> kernel;
    std::unique_ptr<FakeModuleLoader> loader;
    std::unique_ptr<BindEngine> engine;
    std::map<std::string, DriverState> original;
};

} // namespace

TEST_F(BindEngineTest, BindsEveryEndpointOfEveryGroupAndLeavesBridges)
{
    BindOutcome outcome = engine->bind(prepareRequest());
    EXPECT_EQ(outcome.groups, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(loader->loaded, std::vector<std::string>{"vfio-pci"});
    auto now = snapshot();
    for (const char *device : {"0000:01:00.0", "0000:01:00.1", "0000:02:00.0", "0000:02:00.1", "0000:03:00.0"})
        EXPECT_EQ(now[device], (DriverState{"vfio-pci", "vfio-pci"})) << device;
    EXPECT_EQ(now["0000:00:01.0"], original["0000:00:01.0"]);
    auto journals = engine->status();
    ASSERT_EQ(journals.size(), 1u);
    EXPECT_EQ(journals[0].owner, vmOwner("win10"));
    EXPECT_EQ(journals[0].state(), JournalState::Bound);
    EXPECT_EQ(journals[0].devices.size(), 5u);
}

TEST_F(BindEngineTest, RestoreGivesEachDeviceItsOriginalDriverAndOverride)
{
    engine->bind(prepareRequest());
    auto restored = engine->restoreOwner(vmOwner("win10"));
    EXPECT_EQ(restored.givenBack.size(), 5u);
    EXPECT_TRUE(restored.complete());
    EXPECT_EQ(snapshot(), original); // pci-stub by override came back to pci-stub; the NVMe stays without driver
    EXPECT_TRUE(engine->status().empty());
    EXPECT_TRUE(engine->restoreOwner(vmOwner("win10")).givenBack.empty()); // a second restore is a no-op
}

TEST_F(BindEngineTest, AFailureAtEveryStepLeavesEveryDeviceAsItWas)
{
    int writesInACleanRun = 0;
    {
        FakeHost cleanHost;
        buildThreeGroups(cleanHost);
        SimulatedKernel clean(cleanHost);
        FakeModuleLoader cleanLoader(clean);
        BindEngine(clean, cleanLoader, std::chrono::milliseconds(300)).bind(prepareRequest());
        writesInACleanRun = clean.writes();
    }
    ASSERT_GT(writesInACleanRun, 10);
    for (int failing = 1; failing <= writesInACleanRun; ++failing) {
        FakeHost host;
        buildThreeGroups(host);
        SimulatedKernel sim(host);
        sim.supports("nvme", 0x144d, 0xa808);
        FakeModuleLoader modules(sim);
        int count = 0;
        sim.onWrite([&](KernelStep, const std::string &) {
            if (++count == failing)
                throw Error("injected: " + errnoText(EBUSY), EBUSY);
        });
        BindEngine faulty(sim, modules, std::chrono::milliseconds(300));
        EXPECT_THROW(faulty.bind(prepareRequest()), Error) << "write " << failing;
        DriverBinder binder(sim, std::chrono::milliseconds(0));
        for (const char *device : all)
            EXPECT_EQ(binder.stateOf(at(device)), original[device])
                << device << " after a failure at write " << failing;
        EXPECT_TRUE(faulty.status().empty()) << "journal left after a failure at write " << failing;
    }
}

TEST_F(BindEngineTest, ACrashAtEveryStepIsUndoneByRecover)
{
    for (int crashing = 1;; ++crashing) {
        FakeHost host;
        buildThreeGroups(host);
        SimulatedKernel sim(host);
        sim.supports("nvme", 0x144d, 0xa808);
        FakeModuleLoader modules(sim);
        int count = 0;
        bool crashed = false;
        sim.onWrite([&](KernelStep, const std::string &) {
            if (++count == crashing && !crashed) {
                crashed = true;
                throw SimulatedCrash{};
            }
        });
        {
            BindEngine dying(sim, modules, std::chrono::milliseconds(300));
            try {
                dying.bind(prepareRequest());
            } catch (const SimulatedCrash &) {
            }
        }
        if (!crashed)
            break; // every write has had its crash
        sim.onWrite(nullptr);
        BindEngine afterReboot(sim, modules, std::chrono::milliseconds(300));
        ASSERT_EQ(afterReboot.status().size(), 1u) << "the unfinished transaction is visible";
        EXPECT_EQ(afterReboot.status()[0].state(), JournalState::Binding);
        EXPECT_EQ(afterReboot.recover().finished, std::vector<Owner>{vmOwner("win10")});
        DriverBinder binder(sim, std::chrono::milliseconds(0));
        for (const char *device : all)
            EXPECT_EQ(binder.stateOf(at(device)), original[device]) << device << " after a crash at write " << crashing;
        EXPECT_TRUE(afterReboot.status().empty());
    }
}

TEST_F(BindEngineTest, AKernelErrorIsOneSentenceNamingDeviceStepAndErrno)
{
    kernel->failAt(KernelStep::Unbind, "0000:01:00.1", EBUSY);
    try {
        engine->bind(prepareRequest());
        FAIL();
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(), "cannot unbind 0000:01:00.1 from snd_hda_intel: Device or resource busy");
    }
    EXPECT_EQ(snapshot(), original);
}

TEST_F(BindEngineTest, ADriverThatNeverBindsTimesOutAndRollsBack)
{
    kernel->neverBinds("vfio-pci");
    try {
        engine->bind(prepareRequest());
        FAIL();
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("did not bind to vfio-pci within 300 ms"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(snapshot(), original);
}

TEST_F(BindEngineTest, TwoOwnersNeverHoldTheSameGroup)
{
    std::vector<std::string> outcomes(2);
    {
        std::jthread first([&] {
            try {
                BindEngine(*kernel, *loader, std::chrono::milliseconds(300)).bind({vmOwner("vm-a"), {at("01:00.0")}});
                outcomes[0] = "bound";
            } catch (const Error &error) {
                outcomes[0] = error.what();
            }
        });
        std::jthread second([&] {
            try {
                BindEngine(*kernel, *loader, std::chrono::milliseconds(300)).bind({vmOwner("vm-b"), {at("01:00.1")}});
                outcomes[1] = "bound";
            } catch (const Error &error) {
                outcomes[1] = error.what();
            }
        });
    }
    int winners = std::count(outcomes.begin(), outcomes.end(), "bound");
    EXPECT_EQ(winners, 1) << outcomes[0] << " / " << outcomes[1];
    const std::string &loser = outcomes[0] == "bound" ? outcomes[1] : outcomes[0];
    EXPECT_NE(loser.find("is held by VM 'vm-"), std::string::npos) << loser;
}

TEST_F(BindEngineTest, RefusesBridgesAndDevicesWithoutAGroup)
{
    EXPECT_THROW(engine->bind({Owner::manual(), {at("00:01.0")}}), Error);
    fake.addPci({.address = "0000:05:00.0", .classCode = 0x020000, .driver = "e1000e"});
    try {
        engine->bind({Owner::manual(), {at("05:00.0")}});
        FAIL();
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("has no IOMMU group"), std::string::npos);
    }
    EXPECT_EQ(snapshot(), original);
}

TEST_F(BindEngineTest, RefusesWhatTheHostUsesUnlessForced)
{
    FakeHost host;
    vfioctl::testing::buildWorkstation(host);
    SimulatedKernel sim(host);
    FakeModuleLoader modules(sim);
    BindEngine workstation(sim, modules, std::chrono::milliseconds(300));
    try {
        workstation.bind({Owner::manual(), {at("0000:03:00.1")}});
        FAIL();
    } catch (const Error &error) {
        EXPECT_STREQ(error.what(), "refusing to bind 0000:03:00.0 (IOMMU group 6): the host uses it: network "
                                   "interface eno1 has address 192.168.1.10/24, network interface eno1 carries the "
                                   "default route; use --force to take it anyway");
    }
    EXPECT_EQ(DriverBinder(sim, std::chrono::milliseconds(0)).stateOf(at("03:00.1")).driver, "igb");
    workstation.bind({Owner::manual(), {at("0000:03:00.1")}, Force::Yes});
    EXPECT_EQ(DriverBinder(sim, std::chrono::milliseconds(0)).stateOf(at("03:00.0")).driver, "vfio-pci");
}

TEST_F(BindEngineTest, GiveBackReturnsSingleDevicesAndKeepsTheRest)
{
    engine->bind({Owner::manual(), {at("01:00.0")}});
    engine->giveBack({at("01:00.1")});
    auto now = snapshot();
    EXPECT_EQ(now["0000:01:00.1"], original["0000:01:00.1"]);
    EXPECT_EQ(now["0000:01:00.0"].driver, "vfio-pci");
    ASSERT_EQ(engine->status().size(), 1u);
    EXPECT_EQ(engine->status()[0].devices.size(), 1u);
    const GiveBackReport notBound = engine->giveBack({at("02:00.0")}); // not on vfio-pci
    ASSERT_EQ(notBound.failures.size(), 1u);
    EXPECT_NE(notBound.failures[0].find("is not bound to vfio-pci"), std::string::npos);
}

TEST_F(BindEngineTest, OwnerNamesCannotEscapeTheStateDirectory)
{
    // A name never reaches a file name: the journal is named by the VM's UUID alone, and keeps the name inside.
    engine->bind({vmOwner("../../etc/x y"), {at("03:00.0")}});
    EXPECT_EQ(fake.host().list("/run/vfioctl/owners"),
              std::vector<std::string>{"vm-" + vfioctl::testing::uuidFor("../../etc/x y") + ".journal"});
    EXPECT_EQ(engine->status()[0].owner, vmOwner("../../etc/x y"));
    EXPECT_EQ(engine->status()[0].owner.name(), "../../etc/x y");
}

TEST(BindJournal, RefusesTruncatedOrCorruptJournals)
{
    Journal journal{vmOwner("win10"), 1700000000, ProcessStamp{42, 7}, {{at("01:00.0"), {"nvidia", ""}}}};
    std::string text = serializeJournal(journal);
    Journal back = parseJournal(text, "test");
    EXPECT_EQ(back.owner, vmOwner("win10"));
    EXPECT_EQ(back.devices[0].original.driver, "nvidia");
    for (size_t cut = 0; cut < text.size() - 2; ++cut) // every truncation, byte by byte
        EXPECT_THROW(parseJournal(text.substr(0, cut), "test"), Error) << "accepted a journal cut at " << cut;
    EXPECT_THROW(parseJournal("vfioctl-journal 2\n{}", "test"), Error);
    // Found by fuzz_journal: a number too large for its field was converted with undefined behaviour.
    for (const char *number : {"3333333333333333333333333333333333333333", "1e300", "-1", "4.5", "\"42\""}) {
        std::string badPid = text;
        badPid.replace(badPid.find("\"pid\": 42") + 8, 2, number);
        EXPECT_THROW(parseJournal(badPid, "test"), Error) << number;
    }
    std::string pathDriver = text;
    pathDriver.replace(pathDriver.find("\"nvidia\""), 8, "\"../../x\"");
    EXPECT_THROW(parseJournal(pathDriver, "test"), Error);
    std::string badAddress = text;
    badAddress.replace(badAddress.find("0000:01:00.0"), 12, "../../../etc");
    EXPECT_THROW(parseJournal(badAddress, "test"), Error);
}

// Kernel work runs without the host lock (issue 14): a transaction whose process still runs is not a crash. recover
// leaves it alone, a give-back of its owner or of one of its devices (even forced) waits for it, and its owner cannot
// start a second one; once its process
// is gone, recover rolls it back.
TEST(BindEngineConcurrency, ATransactionRunningInAnotherProcessIsLeftAloneUntilItsProcessEnds)
{
    FakeHost host;
    buildThreeGroups(host);
    host.addDriver("vfio-pci");
    SimulatedKernel sim(host);
    FakeModuleLoader modules(sim);
    const pid_t other = ::fork();
    if (other == 0) {
        ::pause(); // a hook process in the middle of its unbinds
        ::_exit(0);
    }
    ASSERT_GT(other, 0);
    vfioctl::testing::saveJournal(sim, {vmOwner("busy"),
                                        1,
                                        ProcessStamp{other, *parseProcessStartTime(readProcStat(other))},
                                        {{PciAddress::parse("0000:03:00.0"), {"", ""}, EntryState::Binding}}});
    BindEngine engine(sim, modules, std::chrono::milliseconds(300));
    EXPECT_TRUE(engine.recover().finished.empty()) << "a live transaction is not rolled back";
    EXPECT_EQ(engine.status().size(), 1u);
    try {
        engine.restoreOwner(vmOwner("busy"));
        ADD_FAILURE() << "gave back devices its process is moving";
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("is being bound or given back by process " + std::to_string(other)),
                  std::string::npos)
            << error.what();
    }
    try {
        engine.giveBack({PciAddress::parse("0000:03:00.0")}, Force::Yes);
        ADD_FAILURE() << "unbind --force pulled a device out of a running transaction";
    } catch (const Error &error) {
        EXPECT_NE(std::string(error.what()).find("is being bound for VM 'busy' by process " + std::to_string(other)),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(engine.status().at(0).devices.size(), 1u) << "its journal is untouched";
    EXPECT_THROW(engine.bind({vmOwner("busy"), {PciAddress::parse("0000:02:00.0")}, Force::No}), Error)
        << "a second transaction of the same owner";
    EXPECT_THROW(engine.bind({vmOwner("other"), {PciAddress::parse("0000:03:00.0")}, Force::No}), Error)
        << "its group is held";
    EXPECT_EQ(engine.bind({vmOwner("other"), {PciAddress::parse("0000:01:00.0")}, Force::No}).endpoints.size(), 2u)
        << "another group binds meanwhile";

    ::kill(other, SIGKILL);
    ::waitpid(other, nullptr, 0);
    EXPECT_EQ(engine.recover().finished, std::vector<Owner>{vmOwner("busy")}) << "its process is gone: a crash";
}

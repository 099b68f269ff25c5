// The console hand-off of the boot GPU on the simulated kernel (which, like Linux, keeps the GPU while fbcon draws on
// it and the firmware framebuffer lies on its memory): opt-in only, units stopped and started again, every step
// journalled first and undone in reverse on failure, and the way back at a VM's stop, by hand and by recover.
#include "bind_engine.h"
#include "error.h"
#include "fake_console.h"
#include "fake_services.h"
#include "sysfs_value.h"
#include "testkit.h"

#include <gtest/gtest.h>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::KernelStep;

namespace {

struct SimulatedDeath {}; // not an Error: the process dies there

const char *const displayManager = "display-manager.service";

// The workstation as a desktop boots it: the Intel GPU 0000:00:02.0 shows the console (fbcon on vtcon1 over the
// firmware's framebuffer), its card0 has an HDMI connector, and Xorg (run by the display manager) has card0 open.
class Handoff : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    void SetUp() override
    {
        vfioctl::testing::addUefiDesktopConsole(fake);
        vfioctl::testing::addDrmCard(fake, "0000:00:02.0", "card0", {"HDMI-A-1"});
        vfioctl::testing::holdNodeOpen(fake, 812, "Xorg", "/dev/dri/card0");
        fake.link("/sys/bus/pci/drivers/i915/module", "/sys/module/i915");
        services.runningUnits = {displayManager};
        services.whenStopped[displayManager] = [this] { vfioctl::testing::endProcess(fake, 812); };
        engine.setServiceManager(services);
    }
    BindRequest handoff(std::vector<std::string> units = {displayManager})
    {
        BindRequest request{vfioctl::testing::vmOwner("win11"), {at("0000:00:02.0")}};
        request.console = ConsoleHandoff::Yes;
        request.stopUnits = std::move(units);
        return request;
    }
    std::string bindOf(const char *vtconsole)
    {
        return trimmed(fake.read("/sys/class/vtconsole/" + std::string(vtconsole) + "/bind"));
    }
    bool framebufferBound()
    {
        return fake.host().readLink("/sys/bus/platform/devices/efi-framebuffer.0/driver").has_value();
    }
    std::string connectorStatus()
    {
        return trimmed(fake.read(fake.devicePath("0000:00:02.0") + "/drm/card0/card0-HDMI-A-1/status"));
    }
    // The host as it was before any hand-off.
    void expectConsoleAsBooted()
    {
        EXPECT_EQ(driverOf("0000:00:02.0"), "i915");
        EXPECT_EQ(bindOf("vtcon1"), "1");
        EXPECT_TRUE(framebufferBound());
        EXPECT_TRUE(services.runningUnits.contains(displayManager));
    }
    std::optional<Journal> journalOf(const Owner &owner) { return BindJournal(*kernel, liveProcesses()).read(owner); }
    std::string failureOf(const BindRequest &request)
    {
        try {
            engine.bind(request);
        } catch (const Error &error) {
            return error.what();
        }
        ADD_FAILURE() << "the bind did not fail";
        return {};
    }

    // The display manager running and Xorg holding card0 again, then a hand-off by a process that dies at the first
    // kernel write of `death`: it leaves its journal, and whatever it had done, for the test to go on from.
    void killHandoffAt(KernelStep death)
    {
        services.runningUnits = {displayManager};
        services.calls.clear();
        vfioctl::testing::endProcess(fake, 812);
        vfioctl::testing::holdNodeOpen(fake, 812, "Xorg", "/dev/dri/card0");
        kernel->onWrite([death](KernelStep step, const std::string &) {
            if (step == death)
                throw SimulatedDeath{};
        });
        BindEngine dying(*kernel, *modules, std::chrono::milliseconds(300), vfioctl::testing::deadProcess());
        dying.setServiceManager(services);
        EXPECT_THROW(dying.bind(handoff()), SimulatedDeath);
        kernel->onWrite(nullptr);
    }

    vfioctl::testing::FakeServiceManager services;
    BindEngine engine{*kernel, *modules, std::chrono::milliseconds(300)};
};

} // namespace

TEST_F(Handoff, WithoutTheOptInTheBootGpuIsRefusedNamingTheOptInAndNothingMoves)
{
    BindRequest request = handoff();
    request.console = ConsoleHandoff::No;
    const std::string why = failureOf(request);
    EXPECT_NE(why.find("boot VGA device showing the host console (driver i915)"), std::string::npos) << why;
    EXPECT_NE(why.find("--console-handoff"), std::string::npos) << why;
    expectConsoleAsBooted();
    EXPECT_TRUE(services.calls.empty());
    EXPECT_FALSE(journalOf(request.owner));
}

TEST_F(Handoff, TheHandoffStopsTheUnitsReleasesTheConsoleBindsAndTheWayBackGivesAllBackInReverse)
{
    services.runningUnits.insert("other.service");
    std::vector<std::string> steps;
    kernel->onWrite([&](KernelStep step, const std::string &what) {
        if (step == KernelStep::Vtconsole || step == KernelStep::Platform || step == KernelStep::Unbind)
            steps.push_back(what);
    });
    const BindRequest request = handoff({displayManager, "nvidia-persistenced.service"}); // the second is not running
    engine.bind(request);
    EXPECT_EQ(driverOf("0000:00:02.0"), "vfio-pci");
    EXPECT_EQ(bindOf("vtcon1"), "0");
    EXPECT_EQ(bindOf("vtcon0"), "1") << "the dummy console stays";
    EXPECT_FALSE(framebufferBound());
    EXPECT_EQ(services.calls, std::vector<std::string>{"stop display-manager.service"}) << "only what runs is stopped";
    const auto journal = journalOf(request.owner);
    ASSERT_TRUE(journal && journal->console);
    EXPECT_EQ(journal->console->gpu, at("0000:00:02.0"));
    EXPECT_EQ(journal->console->units, std::vector<std::string>{displayManager});
    EXPECT_EQ(journal->find(at("0000:00:02.0"))->module, "i915");
    EXPECT_EQ(steps, (std::vector<std::string>{"vtcon1", "efi-framebuffer.0", "0000:00:02.0"}));

    steps.clear();
    services.calls.clear();
    const GiveBackReport report = engine.restoreOwner(request.owner);
    EXPECT_TRUE(report.complete()) << report.problems();
    expectConsoleAsBooted();
    EXPECT_EQ(connectorStatus(), "detect") << "the connectors are probed again";
    EXPECT_EQ(services.calls, std::vector<std::string>{"start display-manager.service"});
    EXPECT_EQ(steps, (std::vector<std::string>{"0000:00:02.0", "efi-framebuffer.0", "vtcon1"}));
    EXPECT_FALSE(journalOf(request.owner));
}

TEST_F(Handoff, UnitsComeBackInReverseOrderOfTheirStop)
{
    services.runningUnits.insert("nvidia-persistenced.service");
    const BindRequest request = handoff({displayManager, "nvidia-persistenced.service"});
    engine.bind(request);
    services.calls.clear();
    engine.restoreOwner(request.owner);
    EXPECT_EQ(services.calls,
              (std::vector<std::string>{"start nvidia-persistenced.service", "start display-manager.service"}));
}

TEST_F(Handoff, AHolderNoUnitCoversIsRefusedByNameBeforeAnythingMoves)
{
    const std::string why = failureOf(handoff({}));
    EXPECT_NE(why.find("Xorg (pid 812) has /dev/dri/card0 open"), std::string::npos) << why;
    EXPECT_NE(why.find("<vfioctl:stop"), std::string::npos) << "says how a policy covers it: " << why;
    expectConsoleAsBooted();
    EXPECT_TRUE(services.calls.empty());
}

TEST_F(Handoff, AHolderStillThereAfterTheUnitsStoppedIsRefusedAndTheUnitsStartAgain)
{
    vfioctl::testing::holdNodeOpen(fake, 900, "steam", "/dev/dri/card0");
    const std::string why = failureOf(handoff());
    EXPECT_NE(why.find("steam (pid 900)"), std::string::npos) << why;
    EXPECT_NE(why.find("after stopping display-manager.service"), std::string::npos) << why;
    EXPECT_EQ(services.calls,
              (std::vector<std::string>{"stop display-manager.service", "start display-manager.service"}));
    expectConsoleAsBooted();
    EXPECT_FALSE(journalOf(vfioctl::testing::vmOwner("win11")));
}

// A failure at each step leaves the host exactly as it booted: the steps before it undone in reverse.
TEST_F(Handoff, AFailureAtAnyStepUndoesTheStepsBeforeItInReverse)
{
    struct Case {
        const char *name;
        std::function<void()> inject;
    };
    const std::vector<Case> cases = {
        {"the second unit's stop", [this] { services.failStop.insert("b.service"); }},
        {"the vtconsole's unbind", [this] { kernel->failAt(KernelStep::Vtconsole, "vtcon1", EIO); }},
        {"the framebuffer's release", [this] { kernel->failAt(KernelStep::Platform, "efi-framebuffer.0", EBUSY); }},
        {"the GPU's unbind", [this] { kernel->failAt(KernelStep::Unbind, "0000:00:02.0", EBUSY); }},
        {"the probe for vfio-pci", [this] { kernel->failAt(KernelStep::Probe, "0000:00:02.0", EIO); }},
    };
    for (const auto &each : cases) {
        SCOPED_TRACE(each.name);
        services.runningUnits = {displayManager, "b.service"};
        services.calls.clear();
        vfioctl::testing::endProcess(fake, 812);
        vfioctl::testing::holdNodeOpen(fake, 812, "Xorg", "/dev/dri/card0");
        each.inject();
        EXPECT_FALSE(failureOf(handoff({displayManager, "b.service"})).empty());
        kernel->clearFaults();
        services.failStop.clear();
        expectConsoleAsBooted();
        EXPECT_TRUE(services.runningUnits.contains("b.service"));
        EXPECT_EQ(services.calls.back(), "start display-manager.service") << "the first stopped starts last";
        EXPECT_FALSE(journalOf(vfioctl::testing::vmOwner("win11")));
    }
}

TEST_F(Handoff, AHandoffKilledMidwayIsFinishedByRecoverConsoleAndUnitsIncluded)
{
    for (KernelStep death : {KernelStep::Vtconsole, KernelStep::Platform, KernelStep::Unbind, KernelStep::Probe}) {
        killHandoffAt(death);
        const auto left = journalOf(vfioctl::testing::vmOwner("win11"));
        ASSERT_TRUE(left && left->console) << "the record was on disk before the first step";
        const auto recovery = engine.recover();
        EXPECT_TRUE(recovery.report.complete()) << recovery.report.problems();
        expectConsoleAsBooted();
        EXPECT_EQ(services.calls.back(), "start display-manager.service");
        EXPECT_FALSE(journalOf(vfioctl::testing::vmOwner("win11")));
    }
}

// The model test's finding (seed 3590): a VM's start killed after the console was released, then the same VM started
// again, must not record the console as "nothing released": the way back gives back what either attempt released.
TEST_F(Handoff, AHandoffKilledMidwayThenTriedAgainKeepsWhatTheFirstReleasedAndGivesAllBack)
{
    for (KernelStep death : {KernelStep::Vtconsole, KernelStep::Platform, KernelStep::Unbind, KernelStep::Probe}) {
        killHandoffAt(death);

        engine.bind(handoff());
        EXPECT_EQ(driverOf("0000:00:02.0"), "vfio-pci");
        const auto journal = journalOf(vfioctl::testing::vmOwner("win11"));
        ASSERT_TRUE(journal && journal->console);
        EXPECT_EQ(journal->console->units, std::vector<std::string>{displayManager}) << "stopped by the first attempt";
        const GiveBackReport report = engine.restoreOwner(vfioctl::testing::vmOwner("win11"));
        EXPECT_TRUE(report.complete()) << report.problems();
        expectConsoleAsBooted();
        EXPECT_FALSE(journalOf(vfioctl::testing::vmOwner("win11")));
    }
}

// The model test's next finding (seed 3155): that second attempt failing too (its last journal write, or the kernel)
// must give back the GPU the first attempt left half-moved before the console goes back on it, and recover then
// finishes what the first one began.
TEST_F(Handoff, AHandoffKilledMidwayThenFailingAgainGivesBackWhatItMovedAndRecoverFinishes)
{
    for (KernelStep death : {KernelStep::Vtconsole, KernelStep::Platform, KernelStep::Unbind, KernelStep::Probe})
        for (bool journalFails : {true, false}) {
            killHandoffAt(death);
            SCOPED_TRACE("killed at step " + std::to_string(static_cast<int>(death)) +
                         (journalFails ? ", then the journal fails" : ", then the kernel fails"));
            const std::string console = bindOf("vtcon1");
            const bool framebuffer = framebufferBound();

            bool gpuBound = false; // then the journal saying the bind finished cannot be written
            kernel->onWrite([&](KernelStep step, const std::string &) { gpuBound |= step == KernelStep::Probe; });
            kernel->onStateWrite([&](const std::string &path) {
                if (journalFails && gpuBound)
                    throw Error("cannot write " + path + ": No space left on device", ENOSPC);
            });
            if (!journalFails)
                kernel->failAt(KernelStep::Probe, "0000:00:02.0", EIO);
            EXPECT_NE(failureOf(handoff()).find(journalFails ? "cannot record that the bind finished" : "probe"),
                      std::string::npos);
            kernel->onWrite(nullptr);
            kernel->onStateWrite(nullptr);
            kernel->clearFaults();
            EXPECT_EQ(driverOf("0000:00:02.0"), "i915") << "the GPU the failed bind moved is given back";
            EXPECT_EQ(bindOf("vtcon1"), console) << "the console as the failed bind found it";
            EXPECT_EQ(framebufferBound(), framebuffer);

            const auto recovery = engine.recover();
            EXPECT_TRUE(recovery.report.complete()) << recovery.report.problems();
            expectConsoleAsBooted();
            EXPECT_FALSE(journalOf(vfioctl::testing::vmOwner("win11")));
        }
}

TEST_F(Handoff, TheWayBackLoadsTheGpuDriversModuleWhenItWasUnloadedAndNeverStopsAtOneFailure)
{
    const BindRequest request = handoff();
    engine.bind(request);
    fake.removePath("/sys/bus/pci/drivers/i915"); // rmmod i915 while the VM ran
    kernel->failAt(KernelStep::Vtconsole, "vtcon1", EIO);
    const GiveBackReport report = engine.restoreOwner(request.owner);
    EXPECT_EQ(modules->loaded, std::vector<std::string>{"i915"});
    EXPECT_EQ(driverOf("0000:00:02.0"), "i915");
    EXPECT_TRUE(framebufferBound());
    EXPECT_EQ(bindOf("vtcon1"), "0");
    EXPECT_NE(report.problems().find("cannot bind vtcon1"), std::string::npos) << report.problems();
    EXPECT_TRUE(services.runningUnits.contains(displayManager)) << "the units start though the console failed";
}

TEST_F(Handoff, ForcedWithoutTheOptInMovesNoConsoleAndRecordsNone)
{
    vfioctl::testing::endProcess(fake, 812);
    fake.writeFile("/sys/class/vtconsole/vtcon1/bind", "0\n"); // the user released fbcon by hand
    fake.removePath("/sys/bus/platform/devices/efi-framebuffer.0");
    BindRequest request = handoff();
    request.console = ConsoleHandoff::No;
    request.force = Force::Yes;
    engine.bind(request);
    EXPECT_EQ(driverOf("0000:00:02.0"), "vfio-pci");
    EXPECT_FALSE(journalOf(request.owner)->console);
    EXPECT_TRUE(services.calls.empty());
}

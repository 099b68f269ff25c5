// The host console's hold on the boot GPU, released and given back on the simulated kernel: fbcon's vtconsoles, the
// firmware's framebuffer, the GPU's connectors; a step that fails undoes the others, and the way back never stops at
// one failure.
#include "console_handoff.h"
#include "error.h"
#include "fake_console.h"
#include "sysfs_value.h"
#include "testkit.h"

#include <gtest/gtest.h>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::KernelStep;

namespace {

// The workstation booted by UEFI with fbcon on the firmware's framebuffer, as Debian 12 boots one.
class ConsoleHandoff : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    void SetUp() override
    {
        vfioctl::testing::addUefiDesktopConsole(fake);
        vfioctl::testing::addPlatformFramebuffer(fake, "serial8250", "serial8250");
    }
    std::string bindOf(const char *vtconsole)
    {
        return trimmed(fake.read("/sys/class/vtconsole/" + std::string(vtconsole) + "/bind"));
    }
    bool framebufferBound()
    {
        return fake.host().readLink("/sys/bus/platform/devices/efi-framebuffer.0/driver").has_value();
    }
    const ConsoleHold held{{"vtcon1"}, {{"efi-framebuffer.0", "efi-framebuffer"}}};
};

} // namespace

TEST_F(ConsoleHandoff, TheHoldIsTheFramebufferConsolesAndTheFirmwaresFramebuffer)
{
    EXPECT_EQ(consoleHold(*kernel), held);
    vfioctl::testing::addVtconsole(fake, "vtcon2", "(M) frame buffer device", false); // not bound: not held
    EXPECT_EQ(consoleHold(*kernel), held);
}

TEST_F(ConsoleHandoff, ReleasedAndGivenBackInReverseOrder)
{
    std::vector<std::string> steps;
    kernel->onWrite([&](KernelStep step, const std::string &what) {
        if (step == KernelStep::Vtconsole || step == KernelStep::Platform)
            steps.push_back(what);
    });
    releaseConsole(*kernel, held);
    EXPECT_EQ(bindOf("vtcon1"), "0");
    EXPECT_EQ(bindOf("vtcon0"), "1"); // the dummy console stays
    EXPECT_FALSE(framebufferBound());
    EXPECT_TRUE(consoleHold(*kernel).empty());
    EXPECT_TRUE(restoreConsole(*kernel, held).empty());
    EXPECT_EQ(bindOf("vtcon1"), "1");
    EXPECT_TRUE(framebufferBound());
    EXPECT_EQ(steps, (std::vector<std::string>{"vtcon1", "efi-framebuffer.0", "efi-framebuffer.0", "vtcon1"}));
    steps.clear();
    EXPECT_TRUE(restoreConsole(*kernel, held).empty()) << "what is back is left alone";
    EXPECT_TRUE(steps.empty());
}

TEST_F(ConsoleHandoff, AFailedReleaseGivesBackWhatItHadReleasedAndSaysSo)
{
    kernel->failAt(KernelStep::Platform, "efi-framebuffer.0", EBUSY);
    try {
        releaseConsole(*kernel, held);
        FAIL();
    } catch (const Error &error) {
        EXPECT_EQ(std::string(error.what()), "cannot release efi-framebuffer.0 from efi-framebuffer: simulated "
                                             "kernel: Device or resource busy; the console is as it was");
    }
    EXPECT_EQ(bindOf("vtcon1"), "1");
    EXPECT_TRUE(framebufferBound());
}

TEST_F(ConsoleHandoff, TheWayBackDoesEverythingElseAndReportsEachFailure)
{
    releaseConsole(*kernel, held);
    kernel->failAt(KernelStep::Vtconsole, "vtcon1", EIO);
    const auto failures = restoreConsole(*kernel, held);
    EXPECT_EQ(failures, (std::vector<std::string>{"cannot bind vtcon1 (the console on the frame buffer device) again: "
                                                  "simulated kernel: Input/output error"}));
    EXPECT_TRUE(framebufferBound()) << "the framebuffer is back although the console is not";
    EXPECT_TRUE(restoreConsole(*kernel, held).empty()) << "a second try finishes it";
    EXPECT_EQ(bindOf("vtcon1"), "1");
}

TEST_F(ConsoleHandoff, EveryConnectorOfTheGpuIsProbedAgain)
{
    vfioctl::testing::addDrmCard(fake, "0000:01:00.0", "card0", {"HDMI-A-1", "DP-1"});
    EXPECT_TRUE(reprobeConnectors(*kernel, at("0000:01:00.0")).empty());
    EXPECT_EQ(trimmed(fake.read(fake.devicePath("0000:01:00.0") + "/drm/card0/card0-DP-1/status")), "detect");
    EXPECT_EQ(trimmed(fake.read(fake.devicePath("0000:01:00.0") + "/drm/card0/card0-HDMI-A-1/status")), "detect");
}

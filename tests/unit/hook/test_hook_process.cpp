// The vfioctl-qemu-hook executable as libvirt runs it: argv, stdin, exit codes, stderr.
#include "run_process.h"
#include "workstation.h"

#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>

using vfioctl::testing::FakeHost;
using vfioctl::testing::ProcessResult;
using vfioctl::testing::runProcess;

namespace {

class HookProcessTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        vfioctl::testing::buildWorkstation(fake);
        ::setenv("VFIOCTL_ROOT", fake.root().c_str(), 1);
    }
    void TearDown() override { ::unsetenv("VFIOCTL_ROOT"); }
    ProcessResult hook(std::vector<std::string> args, const std::string &input = "")
    {
        args.insert(args.begin(), VFIOCTL_HOOK_BINARY);
        return runProcess(args, input);
    }
    FakeHost fake;
};

const std::string hostUsedNic = "<domain><name>router</name><uuid>9a1e0c4e-5d9b-4c56-8d0e-8f1f4b2a3c01</"
                                "uuid><devices><hostdev mode='subsystem' type='pci' "
                                "managed='yes'><source><address domain='0x0000' bus='0x03' slot='0x00' "
                                "function='0x1'/></source></hostdev></devices></domain>";

} // namespace

TEST_F(HookProcessTest, WrongArgumentsExitTwoWithUsage)
{
    for (auto args : std::vector<std::vector<std::string>>{{},
                                                           {"vm"},
                                                           {"vm", "prepare"},
                                                           {"vm", "prepare", "begin", "-", "more"},
                                                           {"", "release", "end", "-"},
                                                           {std::string(5000, 'v'), "release", "end", "-"},
                                                           {"vm", "prepare\n", "begin", "-"}}) {
        auto result = hook(args);
        EXPECT_EQ(result.exitCode, 2);
        EXPECT_EQ(result.err.rfind("vfioctl-qemu-hook: ", 0), 0u) << result.err;
    }
}

TEST_F(HookProcessTest, OtherStepsExitZeroWithoutReadingStdin)
{
    auto result = hook({"router", "started", "begin", "-"}, hostUsedNic);
    EXPECT_EQ(result.exitCode, 0);
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(hook({"router", "prepare", "begin"}, "<domain><name>router</name></domain>").exitCode, 0);
}

TEST_F(HookProcessTest, RefusalExitsOneWithOneSentenceOnStderr)
{
    auto result = hook({"router", "prepare", "begin", "-"}, hostUsedNic);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.err.rfind("vfioctl: VM 'router' not started: refusing to bind 0000:03:00.0 (IOMMU group 6): the "
                               "host uses it: ",
                               0),
              0u)
        << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
    EXPECT_EQ(result.out, "");
}

TEST_F(HookProcessTest, OversizedStdinIsRefused)
{
    std::string huge = "<domain>" + std::string(5 * 1024 * 1024, ' ') + "</domain>";
    auto result = hook({"router", "prepare", "begin", "-"}, huge);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find("larger than 4194304 bytes"), std::string::npos) << result.err;
}

TEST_F(HookProcessTest, ReleaseOfAVmHoldingNothingExitsZero)
{
    auto result = hook({"router", "release", "end", "-"}, hostUsedNic);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.err, "");
}

TEST_F(HookProcessTest, NoFailureEndsInACrash)
{
    // A VM name that is not UTF-8 (libvirt allows it): every step is an exit code and at most one sentence.
    const std::string gpu = "<domain><name>x</name><uuid>9a1e0c4e-5d9b-4c56-8d0e-8f1f4b2a3c02</uuid><devices><hostdev "
                            "mode='subsystem' type='pci' managed='yes'>"
                            "<source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>"
                            "</hostdev></devices></domain>";
    auto prepare = hook({"odd\xff", "prepare", "begin", "-"}, gpu);
    EXPECT_LT(prepare.exitCode, 3) << prepare.err; // refused here (no simulated kernel), but never a signal
    EXPECT_LE(std::count(prepare.err.begin(), prepare.err.end(), '\n'), 1) << prepare.err;
    auto release = hook({"odd\xff", "release", "end", "-"});
    EXPECT_EQ(release.exitCode, 0) << release.err;
}

// The hook is pointed at a tree by VFIOCTL_ROOT, never by --root: its errors say what it was given.
TEST_F(HookProcessTest, ABadRootIsNamedAsTheEnvironmentGaveIt)
{
    ::setenv("VFIOCTL_ROOT", "/nonexistent/tree", 1);
    auto missing = hook({"router", "prepare", "begin", "-"}, hostUsedNic);
    EXPECT_EQ(missing.exitCode, 2);
    EXPECT_EQ(missing.err, "vfioctl-qemu-hook: VFIOCTL_ROOT=/nonexistent/tree: No such file or directory\n");
    ::setenv("VFIOCTL_ROOT", "", 1);
    auto empty = hook({"router", "prepare", "begin", "-"}, hostUsedNic);
    EXPECT_EQ(empty.err, "vfioctl-qemu-hook: VFIOCTL_ROOT is set but empty; unset it for this host\n");
}

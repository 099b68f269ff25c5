// SR-IOV on the simulated kernel: VF counts set through vfioctl, and a PF that never moves while its VFs exist,
// whether its driver destroys them at unbind (a NIC: mlx5_core) or keeps them (nvme) (issue 17).
#include "cli.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::SimulatedKernel;

namespace {

class SriovTest : public ::testing::TestWithParam<SimulatedKernel::VfsAtUnbind>,
                  protected vfioctl::testing::SimulatedWorkstation {
protected:
    void SetUp() override
    {
        // The workstation's ConnectX PF 0000:04:00.0 with its 2 VFs; its driver configures SR-IOV.
        fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_totalvfs", "4\n");
        fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_numvfs", "2\n");
        fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_offset", "2\n"); // its VFs: 04:00.2, 04:00.3...
        fake.writeFile(fake.devicePath("0000:04:00.0") + "/sriov_stride", "1\n");
        fake.writeFile(autoprobe, "1\n");
        kernel->sriovDriver("mlx5_core", GetParam() == SimulatedKernel::VfsAtUnbind::Removed ? "mlx5_core" : "",
                            GetParam());
    }
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    nlohmann::json sriov()
    {
        EXPECT_EQ(run({"sriov", "04:00.0", "--json"}), 0) << err.str();
        return nlohmann::json::parse(out.str());
    }

    bool marked(const std::string &name) { return fake.host().exists("/etc/vfioctl/persist.d/" + name); }
    nlohmann::json persisted()
    {
        EXPECT_EQ(run({"persist", "--list", "--json"}), 0) << err.str();
        return nlohmann::json::parse(out.str())["persisted"];
    }

    NoHardwareNames names;
    std::ostringstream out, err;
    const std::string autoprobe = fake.devicePath("0000:04:00.0") + "/sriov_drivers_autoprobe";
};

} // namespace

TEST_P(SriovTest, APfWithVfsNeverMovesAndWithoutThemPassesThroughAsAnyDevice)
{
    const int before = kernel->writes();
    EXPECT_EQ(run({"bind", "04:00.0", "--force"}), 1);
    EXPECT_EQ(kernel->writes(), before) << "something moved before the refusal";
    EXPECT_EQ(sriov()["vfs"].size(), 2u) << "the VFs went away";

    ASSERT_EQ(run({"sriov", "04:00.0", "0"}), 0) << err.str();
    EXPECT_EQ(sriov()["enabled_vfs"], 0);
    EXPECT_TRUE(sriov()["vfs"].empty());
    ASSERT_EQ(run({"bind", "04:00.0"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:04:00.0"), "vfio-pci");
    ASSERT_EQ(run({"unbind", "04:00.0"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:04:00.0"), "mlx5_core");
}

TEST_P(SriovTest, CountsAreSetThroughZeroAndNewVfsAreListed)
{
    ASSERT_EQ(run({"sriov", "04:00.0", "3"}), 0) << err.str(); // the kernel wants 2 -> 0 -> 3
    auto state = sriov();
    EXPECT_EQ(state["enabled_vfs"], 3);
    ASSERT_EQ(state["vfs"].size(), 3u);
    const std::string expectedDriver = GetParam() == SimulatedKernel::VfsAtUnbind::Removed ? "mlx5_core" : "";
    const auto &first = vfioctl::testing::byAddress(state["vfs"], "0000:04:00.2"); // where sriov_offset says
    EXPECT_EQ(first["driver"], expectedDriver.empty() ? nlohmann::json(nullptr) : nlohmann::json(expectedDriver));
    ASSERT_EQ(run({"list", "--json"}), 0);
    auto listed = nlohmann::json::parse(out.str());
    EXPECT_EQ(vfioctl::testing::byAddress(listed["pci"], "0000:04:00.4")["physical_function"], "0000:04:00.0");
    EXPECT_EQ(vfioctl::testing::byAddress(listed["pci"], "0000:04:00.0")["eligible"], false);
    EXPECT_EQ(run({"sriov", "04:00.0", "5"}), 1);
    EXPECT_EQ(err.str(), "vfioctl: error: cannot set 0000:04:00.0 to 5 VFs: it offers at most 4\n");
}

TEST_P(SriovTest, AVfAVmHoldsKeepsTheCountUntilForced)
{
    ASSERT_EQ(run({"bind", "04:00.3", "--owner", vfioctl::testing::uuidFor("router")}), 0) << err.str();
    EXPECT_EQ(run({"sriov", "04:00.0", "0"}), 1);
    EXPECT_NE(err.str().find("0000:04:00.3 is held by VM '" + vfioctl::testing::uuidFor("router") + "'"),
              std::string::npos)
        << err.str();
    EXPECT_EQ(sriov()["vfs"].size(), 2u);
}

TEST_P(SriovTest, AForcedCountForgetsTheVfsItDestroyedSoNothingIsGivenBackToNowhere)
{
    ASSERT_EQ(run({"bind", "04:00.3", "--owner", vfioctl::testing::uuidFor("router")}), 0) << err.str();
    ASSERT_EQ(run({"sriov", "04:00.0", "0", "--force"}), 0) << err.str();
    EXPECT_NE(err.str().find("lost: 0000:04:00.3 is held by VM '" + vfioctl::testing::uuidFor("router") + "'"),
              std::string::npos)
        << err.str();
    EXPECT_FALSE(fake.host().exists("/run/vfioctl/owners/vm-router.journal"));
    ASSERT_EQ(run({"status", "--json"}), 0);
    EXPECT_TRUE(nlohmann::json::parse(out.str())["holders"].empty()) << out.str();
    EXPECT_EQ(run({"restore", "--vm", "router"}), 0) << err.str();
}

TEST_P(SriovTest, AKeptCountIsAMarkerTheUdevRuleImportsListedAndUndone)
{
    ASSERT_EQ(run({"sriov", "04:00.0", "3", "--persist"}), 0) << err.str();
    EXPECT_EQ(sriov()["enabled_vfs"], 3);
    EXPECT_EQ(sriov()["persisted_vfs"], 3);
    // The rule's IMPORT{file} reads KEY=VALUE lines and skips comments.
    const std::string marker = fake.read("/etc/vfioctl/persist.d/sriov-0000:04:00.0");
    EXPECT_NE(marker.find("\nVFIOCTL_SRIOV_NUMVFS=3\n"), std::string::npos) << marker;
    auto listed = persisted();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["kind"], "vf-count");
    EXPECT_EQ(listed[0]["vf_count"], 3);

    ASSERT_EQ(run({"sriov", "04:00.0", "--persist"}), 0) << "without N: the count now";
    ASSERT_EQ(run({"unpersist", "--sriov", "04:00.0"}), 0) << err.str();
    EXPECT_FALSE(marked("sriov-0000:04:00.0"));
    EXPECT_EQ(sriov()["enabled_vfs"], 3) << "the count now stays";
    EXPECT_EQ(sriov()["persisted_vfs"], nullptr);
}

TEST_P(SriovTest, VfsOfAPfAreClaimedWhereverTheyWillAppearAndBoundNow)
{
    ASSERT_EQ(run({"persist", "--vfs-of", "04:00.0"}), 0) << err.str();
    EXPECT_EQ(out.str(), "persisted for vfio-pci from boot: the 4 VFs 0000:04:00.0 can make\n"
                         "bound now: 0000:04:00.2, 0000:04:00.3\n");
    // Every VF the PF can make (offset 2, stride 1, 4 in all), present or not: the rule tests vf-$kernel.
    for (const char *vf : {"vf-0000:04:00.2", "vf-0000:04:00.3", "vf-0000:04:00.4", "vf-0000:04:00.5"})
        EXPECT_TRUE(marked(vf)) << vf;
    EXPECT_FALSE(marked("vf-0000:04:00.6"));
    EXPECT_EQ(driverOf("0000:04:00.2"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:04:00.0"), "mlx5_core") << "the PF stays";
    auto listed = persisted();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["kind"], "vfs-of");
    EXPECT_EQ(listed[0]["devices"].size(), 2u);
    EXPECT_EQ(fake.read(autoprobe), "0") << "no driver of their own probes claimed VFs as they appear";

    ASSERT_EQ(run({"unpersist", "--vfs-of", "04:00.0"}), 0) << err.str();
    EXPECT_EQ(out.str(), "no longer persisted: the VFs of 0000:04:00.0\n"
                         "given back now: 0000:04:00.2, 0000:04:00.3\n");
    EXPECT_TRUE(fake.host().list("/etc/vfioctl/persist.d").empty());
    EXPECT_EQ(driverOf("0000:04:00.2"), "mlx5_core") << "the driver it had";
    EXPECT_EQ(fake.read(autoprobe), "1") << "the kernel's default again";
}

// The switch follows the markers, which udev honours from the moment they are written, --boot-only or not.
TEST_P(SriovTest, TheVfsAutoprobeIsOffExactlyWhileTheirClaimExists)
{
    ASSERT_EQ(run({"persist", "--vfs-of", "04:00.0", "--boot-only"}), 0) << err.str();
    EXPECT_EQ(fake.read(autoprobe), "0");
    EXPECT_EQ(driverOf("0000:04:00.2"), "mlx5_core") << "nothing bound now";
    ASSERT_EQ(run({"unpersist", "--vfs-of", "04:00.0", "--boot-only"}), 0) << err.str();
    EXPECT_EQ(fake.read(autoprobe), "1");
}

TEST_P(SriovTest, VfsTheHostUsesOrOfANonPfAreRefusedBeforeAnythingIsWritten)
{
    EXPECT_EQ(run({"persist", "--vfs-of", "03:00.0"}), 1);
    EXPECT_NE(err.str().find("is not an SR-IOV physical function"), std::string::npos) << err.str();
    EXPECT_EQ(run({"persist", "--vfs-of", "04:00.0", "01:00.0"}), cli::exitUsage);
    EXPECT_FALSE(fake.host().exists("/etc/vfioctl/persist.d"));
}

INSTANTIATE_TEST_SUITE_P(NicAndNvme, SriovTest,
                         ::testing::Values(SimulatedKernel::VfsAtUnbind::Removed, SimulatedKernel::VfsAtUnbind::Kept));

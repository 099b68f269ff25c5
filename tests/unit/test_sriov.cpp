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

    NoHardwareNames names;
    std::ostringstream out, err;
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
    const auto &first = vfioctl::testing::byAddress(state["vfs"], "0000:04:00.1");
    EXPECT_EQ(first["driver"], expectedDriver.empty() ? nlohmann::json(nullptr) : nlohmann::json(expectedDriver));
    ASSERT_EQ(run({"list", "--json"}), 0);
    auto listed = nlohmann::json::parse(out.str());
    EXPECT_EQ(vfioctl::testing::byAddress(listed["pci"], "0000:04:00.1")["physical_function"], "0000:04:00.0");
    EXPECT_EQ(vfioctl::testing::byAddress(listed["pci"], "0000:04:00.0")["eligible"], false);
    EXPECT_EQ(run({"sriov", "04:00.0", "5"}), 1);
    EXPECT_EQ(err.str(), "vfioctl: error: cannot set 0000:04:00.0 to 5 VFs: it offers at most 4\n");
}

TEST_P(SriovTest, AVfAVmHoldsKeepsTheCountUntilForced)
{
    ASSERT_EQ(run({"bind", "04:00.3", "--owner", "router"}), 0) << err.str();
    EXPECT_EQ(run({"sriov", "04:00.0", "0"}), 1);
    EXPECT_NE(err.str().find("0000:04:00.3 is held by VM 'router'"), std::string::npos) << err.str();
    EXPECT_EQ(sriov()["vfs"].size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(NicAndNvme, SriovTest,
                         ::testing::Values(SimulatedKernel::VfsAtUnbind::Removed, SimulatedKernel::VfsAtUnbind::Kept));

// A device whose nodes are open is refused before anything moves, naming each holder: the nodes a GPU's driver
// publishes (DRM, framebuffer, NVIDIA's), the processes found through /proc/PID/fd. On the simulated kernel.
#include "bind_engine.h"
#include "cli.h"
#include "error.h"
#include "fake_console.h"
#include "node_holders.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::at;

namespace {

class NodeHolders : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    // The GPU (01:00.0) as a DRM driver publishes it: card0, renderD128 and fb0 below its sysfs directory.
    void publishDrmNodes()
    {
        const std::string gpu = fake.devicePath("0000:01:00.0");
        fake.makeDirectory(gpu + "/drm/card0");
        fake.makeDirectory(gpu + "/drm/renderD128");
        fake.makeDirectory(gpu + "/graphics/fb0");
    }
    void holdOpen(int pid, const std::string &command, const std::string &node)
    {
        vfioctl::testing::holdNodeOpen(fake, pid, command, node);
    }
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    NoHardwareNames names;
    std::ostringstream out, err;
};

} // namespace

TEST_F(NodeHolders, AGpusNodesAreItsDrmAndFramebufferNodesAndNvidiasOwn)
{
    publishDrmNodes();
    fake.writeFile("/dev/nvidia0", "");
    fake.writeFile("/dev/nvidiactl", "");
    fake.writeFile("/dev/null", "");
    EXPECT_EQ(deviceNodesOf(*kernel, at("0000:01:00.0"), "nvidia"),
              (std::vector<std::string>{"/dev/dri/card0", "/dev/dri/renderD128", "/dev/fb0", "/dev/nvidia0",
                                        "/dev/nvidiactl"}));
    EXPECT_EQ(deviceNodesOf(*kernel, at("0000:01:00.0"), "nouveau"),
              (std::vector<std::string>{"/dev/dri/card0", "/dev/dri/renderD128", "/dev/fb0"}));
    EXPECT_TRUE(deviceNodesOf(*kernel, at("0000:02:00.0"), "nvme").empty()) << "a device with no node of these kinds";
}

TEST_F(NodeHolders, EveryProcessWithANodeOpenIsFoundWithItsCommandAndNode)
{
    publishDrmNodes();
    holdOpen(812, "Xorg", "/dev/dri/card0");
    holdOpen(1400, "pipewire", "/dev/dri/renderD128");
    holdOpen(1500, "bash", "/dev/pts/0");
    const auto holders = nodeHolders(*kernel, deviceNodesOf(*kernel, at("0000:01:00.0"), "nvidia"));
    EXPECT_EQ(holders,
              (std::vector<NodeHolder>{{812, "Xorg", "/dev/dri/card0"}, {1400, "pipewire", "/dev/dri/renderD128"}}));
    EXPECT_EQ(describeHolders(holders),
              "Xorg (pid 812) has /dev/dri/card0 open, pipewire (pid 1400) has /dev/dri/renderD128 open");
}

TEST_F(NodeHolders, BindRefusesAGroupWhoseNodesAreOpenNamingEachHolderAndMovesNothingEvenWithForce)
{
    publishDrmNodes();
    holdOpen(812, "Xorg", "/dev/dri/card0");
    for (const std::vector<std::string> &args :
         {std::vector<std::string>{"bind", "01:00.1"}, std::vector<std::string>{"bind", "01:00.0", "--force"}}) {
        EXPECT_EQ(run(args), 1);
        EXPECT_EQ(err.str(), "vfioctl: error: refusing to bind 0000:01:00.0 (IOMMU group 1): its device nodes are "
                             "open, so nvidia would not let it go: Xorg (pid 812) has /dev/dri/card0 open; stop them "
                             "first (a desktop: the display manager and the user's session)\n");
        EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
        EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
        EXPECT_FALSE(fake.host().exists("/run/vfioctl/owners/manual.journal"));
    }
    // Once the holder has let go, the same bind goes through.
    fake.removePath("/proc/812");
    EXPECT_EQ(run({"bind", "01:00.0"}), 0) << err.str();
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
}

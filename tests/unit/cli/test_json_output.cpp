// The JSON documents, byte for byte, against files written by the first implementation (nlohmann::json building
// every document): the streaming writer that replaced it for speed must not change a byte of what scripts read.
// Regenerate a file only for a deliberate change of a documented shape: VFIOCTL_WRITE_GOLDEN=1 writes them.
#include "run_process.h"
#include "workstation.h"

#include "testkit.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using vfioctl::testing::FakeHost;
using vfioctl::testing::runProcess;

namespace {

// The workstation, with names from a small hardware database and devices whose strings need escaping or are not
// UTF-8 at all, as a hostile or broken device may report them.
class JsonOutputTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        vfioctl::testing::buildWorkstation(fake);
        fake.writeFile("/usr/share/misc/pci.ids", "10de  NVIDIA \"Quoted\" Corporation\n\t2204  GA102 \\ back\n"
                                                  "\t\t1458 403b  Card\twith tab\n8086  Intel Corporation\n"
                                                  "C 03  Display controller\n\t00  VGA compatible controller\n");
        fake.addNet("odd\xff", "0000:05:00.0", "52:54:00:00:05:01");
        fake.addNet("ctl\x01"
                    "e\xc3\xa9",
                    "0000:05:00.0", "52:54:00:00:05:02");
        fake.addScsiDisk("9:0:0:0", "0000:00:17.0", "Q\"uo\\te", "M\xc0\x80odel", "sdz", "8:250");
    }

    void expectGolden(const std::string &name, std::vector<std::string> args)
    {
        args.insert(args.begin(), {VFIOCTL_BINARY, "--root", fake.root()});
        auto result = runProcess(args);
        ASSERT_EQ(result.exitCode, 0) << result.err;
        const std::string path = std::string(VFIOCTL_GOLDEN_DIR) + "/" + name;
        if (std::getenv("VFIOCTL_WRITE_GOLDEN")) {
            std::ofstream(path, std::ios::binary) << result.out;
            return;
        }
        std::ifstream file(path, std::ios::binary);
        ASSERT_TRUE(file) << path;
        std::stringstream golden;
        golden << file.rdbuf();
        EXPECT_EQ(result.out, golden.str()) << name;
    }

    FakeHost fake;
};

} // namespace

TEST_F(JsonOutputTest, ListOfEveryTypeIsUnchanged)
{
    expectGolden("list_all.json", {"list", "--type", "all", "--json"});
}

TEST_F(JsonOutputTest, EligibleListIsUnchanged)
{
    expectGolden("list_eligible.json", {"list", "--eligible", "--json"});
}

TEST_F(JsonOutputTest, AffectedIsUnchanged)
{
    expectGolden("affected_gpu.json", {"affected", "01:00.0", "--json"});
    expectGolden("affected_odd_names.json", {"affected", "05:00.0", "--json"});
}

TEST_F(JsonOutputTest, GroupsAreUnchanged)
{
    expectGolden("groups.json", {"groups", "--json"});
}

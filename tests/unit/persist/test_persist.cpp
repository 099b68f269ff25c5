// vfioctl persist / unpersist: the marker files the udev rule tests for, and the drivers now.
#include "cli.h"
#include "error.h"
#include "fake_module_loader.h"
#include "hardware_names.h"
#include "pci_scanner.h"
#include "persistence.h"
#include "simulated_kernel.h"
#include "testkit.h"
#include "workstation.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::FakeHost;
using vfioctl::testing::SimulatedKernel;

namespace {

class PersistTest : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int run(const char *command, std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        args.insert(args.begin(), command);
        return cli::runOn({*kernel, names, *refusing, false}, args, out, err);
    }
    // A marker for that target, whatever identity its name records ("pci-0000:01:00.0" finds
    // "pci-0000:01:00.0@0x10de:...").
    bool marked(const std::string &name)
    {
        const auto wanted = entryOfFileName(name);
        for (const auto &file : fake.host().list("/etc/vfioctl/persist.d"))
            if (auto entry = entryOfFileName(file); entry && wanted && entry->sameTarget(*wanted))
                return true;
        return false;
    }

    NoHardwareNames names;
    std::unique_ptr<ModuleLoader> refusing = makeRefusingLoader();
    std::ostringstream out, err;
};

} // namespace

TEST(PersistEntry, FileNamesAreWhatTheUdevRuleBuilds)
{
    // The rule tests /etc/vfioctl/persist.d/pci-$kernel and id-$attr{vendor}:$attr{device} ("0x10de").
    EXPECT_EQ(parsePersistTarget("01:00.0").fileName(), "pci-0000:01:00.0");
    EXPECT_EQ(parsePersistTarget("pci_0000_01_00_1").fileName(), "pci-0000:01:00.1");
    EXPECT_EQ(parsePersistTarget("10DE:1b80").fileName(), "id-0x10de:0x1b80");
    EXPECT_EQ(parsePersistTarget("10de:1b80").text(), "10de:1b80");
    for (const char *bad :
         {"10de", "10de:1b8", "10de:1b80:1", "xyzw:1b80", "../etc:1b80", "", " 10d:1b80", "0x10de:1b80"})
        EXPECT_THROW(parsePersistTarget(bad), Error) << bad;
    EXPECT_EQ(entryOfFileName("pci-0000:01:00.0")->text(), "0000:01:00.0");
    EXPECT_EQ(entryOfFileName("id-0x10de:0x1b80")->text(), "10de:1b80");
    for (const char *foreign : {"pci-01:00.0", "id-0x10DE:0x1b80", "README", "pci-", "id-0x10de:0x1b8"})
        EXPECT_FALSE(entryOfFileName(foreign)) << foreign;
}

TEST(PersistEntry, AnAddressMarkerNamesTheDeviceAsTheUdevRuleBuildsItsAttributes)
{
    // $kernel@$attr{vendor}:$attr{device}:$attr{subsystem_vendor}:$attr{subsystem_device}:$attr{class}
    PersistEntry nic = parsePersistTarget("02:00.0");
    nic.identity = PciIdentity{0x8086, 0x10d3, 0x8086, 0xa01f, 0x020000};
    const std::string name = "pci-0000:02:00.0@0x8086:0x10d3:0x8086:0xa01f:0x020000";
    EXPECT_EQ(nic.fileName(), name);
    ASSERT_TRUE(entryOfFileName(name));
    EXPECT_EQ(*entryOfFileName(name), nic);
    EXPECT_TRUE(nic.matches(*nic.address, *nic.identity));
    EXPECT_FALSE(nic.matches(*nic.address, PciIdentity{0x144d, 0xa808, 0x144d, 0xa801, 0x010802})) << "an NVMe now";
    EXPECT_TRUE(parsePersistTarget("02:00.0").matches(*nic.address, PciIdentity{0x144d, 0xa808, 0, 0, 0x010802}))
        << "a marker without identity claims whatever is there, as before";
    EXPECT_TRUE(nic.sameTarget(parsePersistTarget("0000:02:00.0")));
    // Names the rule could never build are not markers: upper case, short ids, a missing or extra field.
    for (const char *foreign :
         {"pci-0000:02:00.0@0x8086:0x10D3:0x8086:0xa01f:0x020000",
          "pci-0000:02:00.0@0x8086:0x10d3:0x8086:0xa01f:0x0200", "pci-0000:02:00.0@0x8086:0x10d3:0x8086:0xa01f",
          "pci-0000:02:00.0@", "pci-0000:02:00.0@0x8086:0x10d3:0x8086:0xa01f:0x020000:0x1",
          "pci-0000:02:00.0@8086:10d3:8086:a01f:020000"})
        EXPECT_FALSE(entryOfFileName(foreign)) << foreign;
}

TEST_F(PersistTest, PersistingAnAddressMarksItsWholeGroupAndBindsItNow)
{
    ASSERT_EQ(run("persist", {"0000:01:00.0"}), 0) << err.str();
    EXPECT_TRUE(marked("pci-0000:01:00.0"));
    EXPECT_TRUE(marked("pci-0000:01:00.1"));  // the audio function: passthrough needs the whole group
    EXPECT_FALSE(marked("pci-0000:00:01.0")); // not the root port
    EXPECT_EQ(out.str(), "persisted for vfio-pci from boot: 0000:01:00.0, 0000:01:00.1\n"
                         "bound now: 0000:01:00.0, 0000:01:00.1\n");
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci");

    ASSERT_EQ(run("persist", {"01:00.1"}), 0);
    EXPECT_EQ(out.str().rfind("already persisted: nothing new\n", 0), 0u);

    ASSERT_EQ(run("persist", {"--list", "--json"}), 0);
    auto listed = nlohmann::json::parse(out.str())["persisted"];
    ASSERT_EQ(listed.size(), 2u);
    const auto &gpu = vfioctl::testing::byKey(listed, "target", "0000:01:00.0");
    EXPECT_EQ(gpu["kind"], "address");
    EXPECT_EQ(vfioctl::testing::byAddress(gpu["devices"], "0000:01:00.0")["driver"], "vfio-pci");

    ASSERT_EQ(run("unpersist", {"0000:01:00.1"}), 0) << err.str();
    EXPECT_FALSE(marked("pci-0000:01:00.0"));
    EXPECT_FALSE(marked("pci-0000:01:00.1"));
    EXPECT_EQ(out.str(),
              "no longer persisted: 0000:01:00.0, 0000:01:00.1\ngiven back now: 0000:01:00.0, 0000:01:00.1\n");
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
    ASSERT_EQ(run("persist", {"--list"}), 0);
    EXPECT_EQ(out.str(), "Nothing is persisted.\n");
}

TEST_F(PersistTest, BootOnlyChangesNoDriver)
{
    ASSERT_EQ(run("persist", {"0000:02:00.0", "--boot-only"}), 0);
    EXPECT_TRUE(marked("pci-0000:02:00.0"));
    EXPECT_EQ(kernel->writes(), 0);
    ASSERT_EQ(run("unpersist", {"0000:02:00.0", "--boot-only"}), 0);
    EXPECT_FALSE(marked("pci-0000:02:00.0"));
    EXPECT_EQ(kernel->writes(), 0);
}

TEST_F(PersistTest, AnIdIsPersistedAndItsPresentDevicesBound)
{
    ASSERT_EQ(run("persist", {"15b3:1018"}), 0) << err.str();
    EXPECT_TRUE(marked("id-0x15b3:0x1018"));
    EXPECT_EQ(driverOf("0000:04:00.2"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:04:00.3"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:04:00.0"), "mlx5_core"); // the PF has another id
    ASSERT_EQ(run("unpersist", {"15b3:1018"}), 0);
    EXPECT_FALSE(marked("id-0x15b3:0x1018"));
    EXPECT_EQ(driverOf("0000:04:00.2"), "mlx5_core");
}

TEST_F(PersistTest, ADeviceTheHostUsesIsRefusedUnlessForced)
{
    EXPECT_EQ(run("persist", {"0000:03:00.1", "--boot-only"}), cli::exitFailure);
    EXPECT_EQ(err.str().rfind(
                  "vfioctl: error: refusing to persist 0000:03:00.0: the host uses it: network interface eno1", 0),
              0u)
        << err.str();
    EXPECT_FALSE(marked("pci-0000:03:00.1"));
    ASSERT_EQ(run("persist", {"0000:03:00.1", "--boot-only", "--force"}), 0);
    EXPECT_TRUE(marked("pci-0000:03:00.0"));
}

TEST_F(PersistTest, BadTargetsAreUsageOrInputErrors)
{
    EXPECT_EQ(run("persist", {}), cli::exitUsage);
    EXPECT_EQ(run("persist", {"nonsense"}), cli::exitUsage) << "neither an address nor an id";
    EXPECT_EQ(run("persist", {"0000:00:01.0"}), cli::exitFailure) << "a bridge";
    EXPECT_EQ(run("persist", {"0000:42:00.0"}), cli::exitFailure) << "absent";
    EXPECT_FALSE(marked("pci-0000:00:01.0"));
}

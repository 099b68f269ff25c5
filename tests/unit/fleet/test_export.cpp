// vfioctl export nova|kubevirt on the simulated workstation (issue 16): what goes, what is left out and why, the exit
// code, and --persist / --dry-run. Whether Nova and KubeVirt read the output as meant is tests/fleet's job, with
// their own code.
#include "cli.h"
#include "pci_identity.h"
#include "persistence.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace vfioctl;

namespace {

class ExportTest : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        args.insert(args.begin(), "export");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    nlohmann::json novaJson(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"nova", "--json"});
        run(args);
        return nlohmann::json::parse(out.str());
    }

    NoHardwareNames names;
    std::ostringstream out, err;
};

} // namespace

TEST_F(ExportTest, ADeviceGoesWithItsGroupCompanionsAsIdSpecsWhenTheHostHasNoOtherOfThatId)
{
    ASSERT_EQ(run({"nova", "10de:2204"}), 0) << err.str();
    EXPECT_EQ(out.str(), "[pci]\n"
                         "device_spec = {\"vendor_id\":\"10de\",\"product_id\":\"1aef\"}\n"
                         "device_spec = {\"vendor_id\":\"10de\",\"product_id\":\"2204\"}\n"
                         "alias = {\"name\":\"pci-10de-1aef\",\"vendor_id\":\"10de\",\"product_id\":\"1aef\","
                         "\"device_type\":\"type-PCI\"}\n"
                         "alias = {\"name\":\"pci-10de-2204\",\"vendor_id\":\"10de\",\"product_id\":\"2204\","
                         "\"device_type\":\"type-PCI\"}\n");
    EXPECT_EQ(err.str(), "");
}

TEST_F(ExportTest, OneVfOfTwoIsAnAddressSpecAndNicVfsCarryThePhysnet)
{
    auto config = novaJson({"0000:04:00.2", "--physnet", "physnet1", "--alias-prefix", "fleet"});
    ASSERT_EQ(config["device_spec"].size(), 1u);
    EXPECT_EQ(config["device_spec"][0]["spec"],
              nlohmann::json({{"address", "0000:04:00.2"}, {"physical_network", "physnet1"}}));
    EXPECT_EQ(config["alias"][0]["alias"]["name"], "fleet-15b3-1018");
    EXPECT_EQ(config["alias"][0]["alias"]["device_type"], "type-VF");
    config = novaJson({"--class", "vf"});
    EXPECT_EQ(config["device_spec"][0]["spec"], nlohmann::json({{"vendor_id", "15b3"}, {"product_id", "1018"}}));
    EXPECT_EQ(config["device_spec"][0]["devices"], nlohmann::json({"0000:04:00.2", "0000:04:00.3"}));
}

TEST_F(ExportTest, WhatCannotGoIsNamedWithItsReasonAndTheExitCodeSaysSo)
{
    EXPECT_EQ(run({"nova", "--class", "nic"}), 3);
    EXPECT_NE(err.str().find("vfioctl: left out 0000:03:00.0: network interface eno1 has address 192.168.1.10/24"),
              std::string::npos)
        << err.str();
    EXPECT_NE(err.str().find("left out 0000:04:00.0: SR-IOV physical function with 2 virtual functions"),
              std::string::npos);
    EXPECT_NE(out.str().find("15b3"), std::string::npos) << "the VFs still go";
    // --eligible: only what can go, without naming the rest.
    EXPECT_EQ(run({"kubevirt", "--class", "nic", "--eligible"}), 0);
    EXPECT_EQ(err.str(), "");
}

TEST_F(ExportTest, ADeviceAVmHoldsIsLeftOutAsBindWouldRefuseIt)
{
    ASSERT_EQ(cli::runOn({*kernel, names, *modules, false},
                         {"bind", "04:00.3", "--owner", vfioctl::testing::uuidFor("router")}, out, err),
              0);
    EXPECT_EQ(run({"kubevirt", "--class", "vf"}), 3);
    EXPECT_NE(err.str().find("left out 0000:04:00.3: held by VM '" + vfioctl::testing::uuidFor("router") + "'"),
              std::string::npos)
        << err.str();
    EXPECT_NE(err.str().find("KubeVirt selects 15b3:1018 by id; 0000:04:00.3 of this host have it too"),
              std::string::npos)
        << err.str();
}

TEST_F(ExportTest, PersistClaimsTheExportedDevicesAndDryRunOnlySays)
{
    const int before = kernel->writes();
    ASSERT_EQ(run({"nova", "10de:2204", "--persist", "--dry-run"}), 0) << err.str();
    EXPECT_EQ(err.str(), "vfioctl: note: --persist would claim for vfio-pci from boot and bind now: 0000:01:00.0, "
                         "0000:01:00.1\n");
    EXPECT_EQ(kernel->writes(), before);
    EXPECT_FALSE(fake.host().exists("/etc/vfioctl/persist.d"));
    ASSERT_EQ(run({"nova", "10de:2204", "--persist"}), 0) << err.str();
    for (const char *address : {"0000:01:00.0", "0000:01:00.1"}) {
        PersistEntry entry = parsePersistTarget(address);
        entry.identity = readPciIdentity(fake.host(), *entry.address);
        EXPECT_TRUE(fake.host().exists("/etc/vfioctl/persist.d/" + entry.fileName())) << entry.fileName();
    }
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
}

TEST_F(ExportTest, BadSelectionsAreUsageErrors)
{
    EXPECT_EQ(run({}), cli::exitUsage);
    EXPECT_EQ(run({"ovirt", "--eligible"}), cli::exitUsage);
    EXPECT_EQ(run({"nova"}), cli::exitUsage);
    EXPECT_EQ(run({"nova", "--class", "fpga"}), cli::exitUsage);
    EXPECT_EQ(run({"nova", "--eligible", "--physnet", "a\"b"}), cli::exitUsage);
    EXPECT_EQ(run({"nova", "--eligible", "--dry-run"}), cli::exitUsage);
    EXPECT_EQ(run({"nova", "0000:42:00.0"}), cli::exitFailure) << "absent";
    EXPECT_EQ(run({"nova", "nonsense"}), cli::exitUsage) << "neither an address nor an id";
}

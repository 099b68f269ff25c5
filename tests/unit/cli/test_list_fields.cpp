// `list --json --fields`: each device object keeps only the members named, in the order of the full listing, each
// written exactly as the full listing writes it; a name no requested type has, an empty name or --fields without
// --json is a usage error (exit 2) that says which names there are.
#include "run_process.h"
#include "sysfs_value.h"
#include "workstation.h"

#include "testkit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using vfioctl::testing::FakeHost;
using vfioctl::testing::runProcess;

namespace {

class ListFieldsTest : public ::testing::Test {
protected:
    void SetUp() override { vfioctl::testing::buildWorkstation(fake); }

    vfioctl::testing::ProcessResult list(std::vector<std::string> args)
    {
        args.insert(args.begin(), {VFIOCTL_BINARY, "--root", fake.root(), "list"});
        return runProcess(args);
    }

    nlohmann::ordered_json listJson(std::vector<std::string> args)
    {
        auto result = list(std::move(args));
        EXPECT_EQ(result.exitCode, 0) << result.err;
        return nlohmann::ordered_json::parse(result.out);
    }

    FakeHost fake;
};

// The full listing with only `names` kept in each device object.
nlohmann::ordered_json keptOnly(nlohmann::ordered_json listing, const std::set<std::string> &names)
{
    for (auto &[type, devices] : listing.items())
        for (auto &device : devices)
            for (auto member = device.begin(); member != device.end();)
                member = names.contains(member.key()) ? std::next(member) : device.erase(member);
    return listing;
}

} // namespace

TEST_F(ListFieldsTest, KeepsOnlyTheNamedMembersAsTheFullListingWritesThem)
{
    const auto full = listJson({"--type", "all", "--json"});
    const std::set<std::string> names = {"address", "ineligible_reasons", "holders", "name", "host_uses", "hctl"};
    const auto chosen =
        listJson({"--type", "all", "--json", "--fields", "name,address,ineligible_reasons,hctl,holders,host_uses"});
    EXPECT_EQ(chosen, keptOnly(full, names));
    ASSERT_FALSE(chosen["pci"].empty());
    EXPECT_EQ(chosen["pci"][0].size(), 3u); // address, ineligible_reasons, holders: in the listing's order
    EXPECT_EQ(chosen["pci"][0].begin().key(), "address");
    ASSERT_FALSE(chosen["block"].empty());
    EXPECT_TRUE(chosen["block"][0].contains("host_uses"));
}

// A listing of some members reads less of each PCI function (pciFactsShowing): whatever is left out, every member
// it shows is what the full listing shows. Every member alone and every member but one, on a host where the members
// whose reads can be skipped have values other than their defaults.
TEST_F(ListFieldsTest, EverySetOfMembersShowsWhatTheFullListingShows)
{
    fake.writeFile(fake.devicePath("0000:01:00.0") + "/driver_override", "vfio-pci\n");
    const auto full = listJson({"--type", "all", "--json"});
    const std::string pci = full["pci"].dump();
    for (const char *shown :
         {"\"driver_override\":\"vfio-pci\"", "\"revision\":\"a1\"", "\"numa_node\":0", "\"parent\":\"0000:00:01.0\""})
        ASSERT_NE(pci.find(shown), std::string::npos) << shown << " is not in the fixture's listing";
    std::set<std::string> members;
    for (const auto &[type, devices] : full.items())
        for (const auto &device : devices)
            for (const auto &[name, value] : device.items())
                members.insert(name);
    for (const auto &member : members) {
        std::set<std::string> others = members;
        others.erase(member);
        const std::string othersText = vfioctl::joinWith(std::vector<std::string>(others.begin(), others.end()), ",");
        EXPECT_EQ(listJson({"--type", "all", "--json", "--fields", member}), keptOnly(full, {member})) << member;
        EXPECT_EQ(listJson({"--type", "all", "--json", "--fields", othersText}), keptOnly(full, others))
            << "all but " << member;
    }
}

TEST_F(ListFieldsTest, EveryDeviceStaysOneLine)
{
    auto result = list({"--type", "all", "--json", "--fields", "address,driver,name"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto listing = nlohmann::json::parse(result.out);
    size_t devices = 0, deviceLines = 0;
    for (const auto &[type, list] : listing.items())
        devices += list.size();
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);)
        deviceLines += line.starts_with("    {") ? 1 : 0;
    EXPECT_EQ(deviceLines, devices);
}

TEST_F(ListFieldsTest, ANameNoRequestedTypeHasIsAUsageErrorNamingTheFields)
{
    auto result = list({"--type", "pci", "--json", "--fields", "address,bus"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find("'bus' is not a member of pci devices"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("iommu_group"), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty());
    // The same name is a member of USB devices.
    EXPECT_EQ(list({"--type", "usb", "--json", "--fields", "bus"}).exitCode, 0);
}

TEST_F(ListFieldsTest, EmptyNamesAndFieldsWithoutJsonAreUsageErrors)
{
    for (const char *fields : {"", ",", "address,,driver", "address,"}) {
        auto result = list({"--json", "--fields", fields});
        EXPECT_EQ(result.exitCode, 2) << "'" << fields << "'";
        EXPECT_NE(result.err.find("--fields"), std::string::npos) << result.err;
    }
    auto result = list({"--fields", "address"});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_NE(result.err.find("add --json"), std::string::npos) << result.err;
}

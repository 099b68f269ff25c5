// The vfioctl executable as a user runs it: argv, exit codes, stdout and stderr.
#include "run_process.h"
#include "workstation.h"

#include "testkit.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using vfioctl::testing::FakeHost;
using vfioctl::testing::runProcess;

namespace {

class CliTest : public ::testing::Test {
protected:
    void SetUp() override { vfioctl::testing::buildWorkstation(fake); }
    vfioctl::testing::ProcessResult vfioctl(std::vector<std::string> args)
    {
        args.insert(args.begin(), {VFIOCTL_BINARY, "--root", fake.root()});
        return runProcess(args);
    }
    FakeHost fake;
};

} // namespace

TEST_F(CliTest, ListJsonHasEveryPciDeviceWithItsEligibility)
{
    auto result = vfioctl({"list", "--json"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto document = nlohmann::json::parse(result.out);
    ASSERT_EQ(document["pci"].size(), 15u);
    EXPECT_FALSE(document.contains("usb"));
    const auto &gpu = vfioctl::testing::byAddress(document["pci"], "0000:01:00.0");
    EXPECT_EQ(gpu["class"], "030000");
    EXPECT_EQ(gpu["vendor_id"], "10de");
    EXPECT_EQ(gpu["driver"], "nvidia");
    EXPECT_EQ(gpu["iommu_group"], 1);
    EXPECT_EQ(gpu["eligible"], true);
    EXPECT_EQ(gpu["driver_override"], nullptr);
}

TEST_F(CliTest, ListEligibleLeavesOutWhatCannotBePassedThrough)
{
    auto result = vfioctl({"list", "--eligible", "--json"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto document = nlohmann::json::parse(result.out);
    std::vector<std::string> addresses;
    for (const auto &device : document["pci"])
        addresses.push_back(device["address"]);
    // Not the SR-IOV PF 0000:04:00.0: its VFs exist. The boot GPU 0000:00:02.0 is, through a console hand-off.
    EXPECT_EQ(addresses, (std::vector<std::string>{"0000:00:02.0", "0000:00:14.0", "0000:01:00.0", "0000:01:00.1",
                                                   "0000:02:00.0", "0000:04:00.2", "0000:04:00.3"}));
}

TEST_F(CliTest, ListAllJsonHasEveryType)
{
    auto result = vfioctl({"list", "--type", "all", "--json"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    auto document = nlohmann::json::parse(result.out);
    for (const char *type : {"pci", "usb", "scsi", "net", "block"})
        EXPECT_TRUE(document.contains(type)) << type;
    EXPECT_EQ(vfioctl::testing::byKey(document["block"], "name", "sda")["host_uses"][0]["detail"], "sda1 mounted at /");
}

TEST_F(CliTest, HumanListShowsReasonsUnderTheDevice)
{
    auto result = vfioctl({"list"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("0000:00:17.0  4      ahci"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("    not eligible: sda1 mounted at /\n"), std::string::npos) << result.out;
}

TEST_F(CliTest, TreeShowsChildrenBelowTheirController)
{
    auto result = vfioctl({"list", "--tree"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    EXPECT_NE(result.out.find("    0000:01:00.0  group 1  nvidia"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("    usb 1-1  046d:c31c"), std::string::npos) << result.out;
}

TEST_F(CliTest, GroupsAndAffected)
{
    auto groups = vfioctl({"groups", "--json"});
    ASSERT_EQ(groups.exitCode, 0) << groups.err;
    EXPECT_EQ(nlohmann::json::parse(groups.out)["groups"].size(), 11u);
    auto affected = vfioctl({"affected", "pci_0000_01_00_0"});
    ASSERT_EQ(affected.exitCode, 0) << affected.err;
    EXPECT_NE(affected.out.find("Passing 0000:01:00.0 through takes IOMMU group 1."), std::string::npos);
    EXPECT_NE(affected.out.find("0000:01:00.1  (now snd_hda_intel)"), std::string::npos) << affected.out;
}

TEST_F(CliTest, BadInputIsOneClearErrorWithADocumentedExitCode)
{
    auto badAddress = vfioctl({"affected", "../../etc/passwd"});
    EXPECT_EQ(badAddress.exitCode, 2);
    EXPECT_EQ(badAddress.err,
              "vfioctl: error: '../../etc/passwd' is not a PCI address (expected 0000:01:00.0, 01:00.0 or "
              "pci_0000_01_00_0)\nRun 'vfioctl affected --help' for its options.\n");
    auto absent = vfioctl({"affected", "0000:42:00.0"});
    EXPECT_EQ(absent.exitCode, 1);
    EXPECT_EQ(absent.err, "vfioctl: error: no PCI device 0000:42:00.0 on this host\n");
    auto typo = vfioctl({"grups"});
    EXPECT_EQ(typo.exitCode, 2);
    EXPECT_NE(typo.err.find("did you mean 'groups'?"), std::string::npos);
    auto badType = vfioctl({"list", "--type", "gpu"});
    EXPECT_EQ(badType.exitCode, 2);
    auto missing = vfioctl({"affected"});
    EXPECT_EQ(missing.exitCode, 2);
    EXPECT_NE(missing.err.find("Run 'vfioctl affected --help'"), std::string::npos) << missing.err;
    auto help = vfioctl({"list", "--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("usage: vfioctl list"), std::string::npos);
}

// One rule for every command: what cannot be read off the command line is 2, a command understood that failed is 1.
TEST_F(CliTest, AMalformedArgumentIsABadCommandLineInEveryCommand)
{
    const std::vector<std::vector<std::string>> malformed = {
        {"affected", "01:00"},
        {"bind", "01:00.0", "zz:00.0"},
        {"unbind", "1:2:3:4"},
        {"holders", "pci_0000_01"},
        {"assign", "vm1", "01:00.9"},
        {"unassign", "vm1", "01.00.0"},
        {"persist", "10de:"},
        {"persist", "--vfs-of", "nope"},
        {"unpersist", "10de:1b80:1"},
        {"unpersist", "--sriov", "0"},
        {"sriov", "01:00"},
        {"sriov", "01:00.0", "many"},
        {"export", "nova", "10de:zzzz"},
        {"bind", "01:00.0", "--owner", "vm"},
        {"bind", "01:00.0", "--timeout", "0"},
        // --timeout is checked as the line is parsed, whatever the command reaches before it waits.
        {"unassign", "vm1", "01:00.0", "--live", "--timeout", "601"},
        {"recover", "--timeout", "-1"},
    };
    for (const auto &args : malformed) {
        auto result = vfioctl(args);
        EXPECT_EQ(result.exitCode, 2) << args[0] << " " << args[1] << ": " << result.err;
        EXPECT_NE(result.err.find("Run 'vfioctl " + args[0] + " --help' for its options."), std::string::npos)
            << result.err;
    }
    // Understood, and failed: a device that is not there. Understood with nothing to do: an owner holding nothing.
    EXPECT_EQ(vfioctl({"affected", "0000:42:00.0"}).exitCode, 1);
    EXPECT_EQ(vfioctl({"sriov", "0000:42:00.0"}).exitCode, 1);
    EXPECT_EQ(vfioctl({"restore", "nobody"}).exitCode, 0);
}

TEST_F(CliTest, RootMustNameADirectory)
{
    fake.writeFile("/file", "x");
    std::filesystem::create_symlink("loop", fake.root() + "/loop");
    for (const std::string &root :
         {std::string(), fake.root() + "/missing", fake.root() + "/file", fake.root() + "/loop"}) {
        auto result = runProcess({VFIOCTL_BINARY, "--root", root, "status"});
        EXPECT_EQ(result.exitCode, 2) << root;
        EXPECT_EQ(result.out, "") << root;
        EXPECT_EQ(result.err.rfind("vfioctl: error: --root ", 0), 0u) << result.err;
    }
}

TEST_F(CliTest, UnderARootLibvirtIsAskedOnlyWithConnect)
{
    auto result = vfioctl({"holders", "01:00.0"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(result.err,
              "vfioctl: error: under --root, libvirt is asked only with --connect URI: the tree is not this host's\n");
    result = vfioctl({"-c", "test:///default", "holders", "01:00.0"}); // an option before the command
    EXPECT_EQ(result.exitCode, 0) << result.err;
    EXPECT_EQ(result.out, "No VM holds 0000:01:00.0.\n");
}

TEST_F(CliTest, ANameThatIsNotUtf8StillGivesWholeJson)
{
    fake.addNet("odd\xff", "0000:05:00.0", "52:54:00:00:05:01");
    for (auto args : std::vector<std::vector<std::string>>{{"list", "--type", "net", "--json"},
                                                           {"affected", "05:00.0", "--json"},
                                                           {"list", "--type", "all", "--json"}}) {
        auto result = vfioctl(args);
        ASSERT_EQ(result.exitCode, 0) << result.err;
        EXPECT_NE(nlohmann::json::parse(result.out).dump().find("odd\xef\xbf\xbd"), std::string::npos) << args[0];
    }
}

TEST_F(CliTest, CompletionWordsComeFromTheCommandTable)
{
    auto commands = vfioctl({"--completion-words"});
    EXPECT_NE(commands.out.find("\nassign\n"), std::string::npos) << commands.out;
    auto bind = vfioctl({"bind", "--completion-words"});
    EXPECT_NE(bind.out.find("--owner\n"), std::string::npos) << bind.out;
    EXPECT_NE(bind.out.find("--timeout\n"), std::string::npos);
    EXPECT_EQ(bind.out.find("--device"), std::string::npos) << "a positional slot is not an option";
    // The options whose next word is their value, so completion never takes it for the command name.
    auto values = vfioctl({"--completion-values"});
    for (const char *option : {"--owner\n", "--vm\n", "--vfs-of\n", "--timeout\n", "--root\n", "-c\n", "--class\n"})
        EXPECT_NE(values.out.find(option), std::string::npos) << option;
    for (const char *flag : {"--json\n", "--force\n", "--all\n"})
        EXPECT_EQ(values.out.find(flag), std::string::npos) << flag;
}

TEST_F(CliTest, UnderARootNamesComeFromTheTreesOwnDatabaseOrNotAtAll)
{
    // This machine's names must never show for a tree's devices.
    auto bare = nlohmann::json::parse(vfioctl({"list", "--json"}).out);
    EXPECT_EQ(vfioctl::testing::byAddress(bare["pci"], "0000:01:00.0")["vendor_name"], nullptr);

    fake.writeFile("/usr/share/misc/pci.ids", "10de  Tree Vendor\n\t2204  Tree GPU\n\t\t1458 403b  Tree Card\n"
                                              "C 03  Display controller\n\t00  VGA compatible controller\n");
    auto named = nlohmann::json::parse(vfioctl({"list", "--json"}).out);
    const auto &gpu = vfioctl::testing::byAddress(named["pci"], "0000:01:00.0");
    EXPECT_EQ(gpu["vendor_name"], "Tree Vendor");
    EXPECT_EQ(gpu["device_name"], "Tree GPU");
    EXPECT_EQ(vfioctl::testing::byAddress(named["pci"], "0000:00:02.0")["vendor_name"], nullptr) << "8086 is not in it";
}

// libvirt and the fifty libraries it brings are mapped only by a command that talks to libvirt (issue 14: memory).
TEST_F(CliTest, OnlyACommandThatTalksToLibvirtLoadsIt)
{
    auto loaded = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"/usr/bin/env", "LD_DEBUG=files", VFIOCTL_BINARY});
        auto result = runProcess(args);
        return result.err.find("file=libvirt.so.0") != std::string::npos;
    };
    EXPECT_FALSE(loaded({"--root", fake.root(), "list", "--type", "all", "--json"}));
    EXPECT_FALSE(loaded({"--root", fake.root(), "affected", "01:00.0"}));
    EXPECT_FALSE(loaded({"--version"}));
    EXPECT_TRUE(loaded({"--root", fake.root(), "--connect", "test:///default", "vms"}));
}

// check --json hands a front-end the very sentence bind refuses with, so it never builds its own.
TEST_F(CliTest, TheCheckBlockerIsTheSentenceBindRefusesWith)
{
    EXPECT_TRUE(nlohmann::json::parse(vfioctl({"check", "--json"}).out)["blocker"].is_null());
    fake.removePath("/sys/class/iommu/dmar0");
    auto check = nlohmann::json::parse(vfioctl({"check", "--json"}).out);
    ASSERT_TRUE(check["blocker"].is_string());
    auto bind = vfioctl({"bind", "0000:02:00.0"});
    EXPECT_EQ(bind.exitCode, 1);
    EXPECT_EQ(bind.err, "vfioctl: error: " + check["blocker"].get<std::string>() + "\n");
}

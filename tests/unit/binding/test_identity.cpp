// A device is what it is, not its address (issue 40): every journal entry and persist marker records what the device
// was, and nothing is moved on its behalf once another device sits at that address (a card swapped, a dock, a
// hot-plug slot).
#include "cli.h"
#include "journal_format.h"
#include "persistence.h"
#include "qemu_hook.h"
#include "testkit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::uuidFor;

namespace {

// The workstation's NVMe controller at 0000:02:00.0 (group 5), and the NIC that takes its place in the tests.
const char *const nvmeAddress = "0000:02:00.0";
const PciIdentity nvmeIdentity{0x144d, 0xa808, 0, 0, 0x010802};
const PciIdentity nicIdentity{0x8086, 0x10d3, 0x8086, 0xa01f, 0x020000};

class Identity : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    int hook(const char *operation, const char *sub)
    {
        const std::string xml = "<domain type='kvm'><name>win11</name><uuid>" + uuidFor("win11") + "</uuid><devices>" +
                                vfioctl::testing::pciHostdevXml(nvmeAddress) + "</devices></domain>";
        userError.str("");
        hook::QemuHook qemuHook(*kernel, *modules, log, std::chrono::milliseconds(500));
        return qemuHook.run({"win11", operation, sub, "-"}, [&] { return xml; }, userError);
    }
    int run(std::vector<std::string> args)
    {
        out.str("");
        err.str("");
        return cli::runOn({*kernel, names, *modules, false}, args, out, err);
    }
    // The NVMe controller goes away and an e1000e NIC appears at its address, in its slot (the same group).
    void swapInANic()
    {
        kernel->removeDevice(nvmeAddress);
        fake.addPci({.address = nvmeAddress,
                     .classCode = nicIdentity.classCode,
                     .vendor = nicIdentity.vendor,
                     .device = nicIdentity.device,
                     .subVendor = nicIdentity.subsystemVendor,
                     .subDevice = nicIdentity.subsystemDevice,
                     .driver = "e1000e",
                     .group = 5});
    }
    bool logged(const std::string &text) const
    {
        for (const auto &line : log.lines)
            if (line.find(text) != std::string::npos)
                return true;
        return false;
    }

    NoHardwareNames names;
    hook::RecordingHookLog log;
    std::ostringstream userError, out, err;
};

} // namespace

TEST_F(Identity, TheJournalRecordsWhatEachDeviceIsAndReadsItBack)
{
    ASSERT_EQ(hook("prepare", "begin"), 0) << userError.str();
    const std::string text = fake.read("/run/vfioctl/owners/vm-" + uuidFor("win11") + ".journal");
    EXPECT_EQ(text.rfind("vfioctl-journal 4\n", 0), 0u);
    const Journal journal = parseJournal(text, "test");
    ASSERT_EQ(journal.devices.size(), 1u);
    ASSERT_TRUE(journal.devices[0].identity);
    EXPECT_EQ(*journal.devices[0].identity, nvmeIdentity);
    EXPECT_EQ(parseJournal(serializeJournal(journal), "again").devices[0].identity, nvmeIdentity);
}

TEST_F(Identity, AVmsStopLeavesAnotherDeviceAtItsAddressOnItsOwnDriver)
{
    ASSERT_EQ(hook("prepare", "begin"), 0) << userError.str();
    swapInANic();
    ASSERT_EQ(run({"status", "--json"}), 0) << err.str();
    const auto device = nlohmann::json::parse(out.str())["owners"][0]["devices"][0];
    EXPECT_EQ(device["replaced"], true);
    EXPECT_EQ(device["identity"], "144d:a808 (subsystem 0000:0000, class 010802)");
    EXPECT_EQ(device["identity_now"], "8086:10d3 (subsystem 8086:a01f, class 020000)");
    ASSERT_EQ(run({"status"}), 0);
    EXPECT_NE(out.str().find("0000:02:00.0 is another device now (8086:10d3"), std::string::npos) << out.str();

    ASSERT_EQ(hook("release", "end"), 0);
    EXPECT_EQ(driverOf(nvmeAddress), "e1000e") << "the NIC was handed to nvme, or unbound";
    EXPECT_TRUE(logged("0000:02:00.0 is another device now")) << "the stop says what it left alone";
    EXPECT_TRUE(fake.host().list("/run/vfioctl/owners").empty()) << "the entry of the device that went away ended";
}

TEST_F(Identity, RestoreAndRecoverNeverMoveAnotherDevice)
{
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    swapInANic();
    ASSERT_EQ(run({"restore", "manual"}), 0) << err.str();
    EXPECT_NE(out.str().find("0000:02:00.0 is another device now"), std::string::npos) << out.str();
    EXPECT_EQ(driverOf(nvmeAddress), "e1000e");

    // A bind killed midway: recover finishes it without touching what came in its place.
    fake.writeFile("/run/vfioctl/owners/manual.journal",
                   "vfioctl-journal 4\n"
                   R"({"owner_kind": "manual", "name": "manual", "since": 1, "process": {"pid": 999999, "start": 1},
                       "devices": [{"address": "0000:02:00.0", "original_driver": "nvme", "original_override": "",
                       "state": "binding", "from_pool": false, "module": "nvme",
                       "identity": "0x144d:0xa808:0x0000:0x0000:0x010802"}], "console": null})");
    ASSERT_EQ(run({"recover"}), 0) << err.str();
    EXPECT_NE(out.str().find("0000:02:00.0 is another device now"), std::string::npos) << out.str();
    EXPECT_EQ(driverOf(nvmeAddress), "e1000e");
    EXPECT_TRUE(fake.host().list("/run/vfioctl/owners").empty());
}

TEST_F(Identity, AJournalFromBeforeIdentitiesStillGivesBack)
{
    // Format 3, written by the release before (while its VM ran): no identity, the address alone, as then.
    fake.makeDirectory("/run/vfioctl/owners");
    ASSERT_EQ(run({"bind", "02:00.0"}), 0) << err.str();
    fake.writeFile("/run/vfioctl/owners/manual.journal",
                   "vfioctl-journal 3\n"
                   R"({"owner_kind": "manual", "name": "manual", "since": 1, "process": null,
                       "devices": [{"address": "0000:02:00.0", "original_driver": "nvme", "original_override": "",
                       "state": "bound", "from_pool": false, "module": "nvme"}], "console": null})");
    ASSERT_EQ(run({"status", "--json"}), 0) << err.str();
    EXPECT_TRUE(nlohmann::json::parse(out.str())["owners"][0]["devices"][0]["identity"].is_null());
    ASSERT_EQ(run({"restore", "manual"}), 0) << err.str();
    EXPECT_EQ(driverOf(nvmeAddress), "nvme");
}

TEST_F(Identity, APersistedAddressClaimsOnlyTheDevicePersistedThere)
{
    ASSERT_EQ(run({"persist", "02:00.0", "--boot-only"}), 0) << err.str();
    PersistEntry entry = parsePersistTarget(nvmeAddress);
    entry.identity = nvmeIdentity;
    EXPECT_TRUE(fake.host().exists("/etc/vfioctl/persist.d/" + entry.fileName())) << entry.fileName();

    swapInANic();
    ASSERT_EQ(run({"persist", "--list", "--json"}), 0) << err.str();
    const auto listed = nlohmann::json::parse(out.str())["persisted"][0];
    EXPECT_EQ(listed["identity"], "144d:a808 (subsystem 0000:0000, class 010802)");
    EXPECT_EQ(listed["found_instead"], "8086:10d3 (subsystem 8086:a01f, class 020000)");
    EXPECT_TRUE(listed["devices"].empty()) << "the NIC is not claimed";
    ASSERT_EQ(run({"persist", "--list"}), 0);
    EXPECT_NE(out.str().find("another device is there now, 8086:10d3"), std::string::npos) << out.str();

    // Persisting the address again claims the device there now: its marker replaces the old one.
    ASSERT_EQ(run({"persist", "02:00.0", "--boot-only"}), 0) << err.str();
    entry.identity = nicIdentity;
    EXPECT_EQ(fake.host().list("/etc/vfioctl/persist.d"), std::vector<std::string>{entry.fileName()});
    ASSERT_EQ(run({"unpersist", "02:00.0", "--boot-only"}), 0) << err.str();
    EXPECT_TRUE(fake.host().list("/etc/vfioctl/persist.d").empty());
}

TEST_F(Identity, AMarkerFromBeforeIdentitiesKeepsWorkingAndIsReportedAsSuch)
{
    fake.writeFile("/etc/vfioctl/persist.d/pci-0000:02:00.0", "# vfioctl persist\n");
    ASSERT_EQ(run({"persist", "--list", "--json"}), 0) << err.str();
    const auto listed = nlohmann::json::parse(out.str())["persisted"][0];
    EXPECT_TRUE(listed["identity"].is_null());
    EXPECT_EQ(vfioctl::testing::byAddress(listed["devices"], nvmeAddress)["driver"], "nvme");
    ASSERT_EQ(run({"persist", "--list"}), 0);
    EXPECT_NE(out.str().find("no identity recorded"), std::string::npos) << out.str();
    ASSERT_EQ(run({"unpersist", "02:00.0", "--boot-only"}), 0) << err.str();
    EXPECT_TRUE(fake.host().list("/etc/vfioctl/persist.d").empty());
}

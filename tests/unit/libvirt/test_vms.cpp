// Which VMs hold which devices, and assign/unassign of definitions: against libvirt's own test:// driver, and the
// vfioctl binary with it (the live path: test_live_assignment.cpp).
#include "assignment.h"
#include "domain_edit.h"
#include "domain_xml.h"
#include "error.h"
#include "fake_module_loader.h"
#include "holders.h"
#include "libvirt_hypervisor.h"
#include "pci_scanner.h"
#include "run_process.h"
#include "simulated_kernel.h"
#include "testkit.h"
#include "workstation.h"

#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::byAddress;
using vfioctl::testing::FakeHost;
using vfioctl::testing::FakeModuleLoader;
using vfioctl::testing::KernelStep;
using vfioctl::testing::SimulatedKernel;
using vfioctl::testing::vmOwner;

namespace {

enum class Running { Yes, No };
std::string testDomain(const std::string &name, const std::string &devices, Running running)
{
    return "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'><name>" + name +
           "</name><memory>1048576</memory><os><type>hvm</type></os><devices>" + devices + "</devices>" +
           (running == Running::Yes ? "" : "<test:runstate>5</test:runstate>") + "</domain>";
}

// Two VMs: "linux" is shut off with the GPU in its definition; "router" runs with the SR-IOV VF 04:00.3.
std::string writeNode(FakeHost &fake)
{
    std::string node =
        "<node>" + testDomain("linux", pciHostdevXml(at("0000:01:00.0")), Running::No) +
        testDomain("router",
                   "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0' bus='4' slot='0' "
                   "function='3'/></source></interface>",
                   Running::Yes) +
        testDomain("empty", "", Running::No) + "</node>";
    fake.writeFile("/node.xml", node);
    return "test://" + fake.root() + "/node.xml";
}

bool lists(const std::string &xml, const char *address)
{
    for (const auto &hostdev : parseDomainXml(xml).hostdevs)
        if (hostdev.address == at(address))
            return true;
    return false;
}

class LibvirtTestDriver : public ::testing::Test {
protected:
    void SetUp() override
    {
        vfioctl::testing::buildWorkstation(fake);
        uri = writeNode(fake);
        hypervisor = connectLibvirt(uri, LibvirtAccess::ReadWrite);
        kernel = std::make_unique<SimulatedKernel>(fake);
        modules = std::make_unique<FakeModuleLoader>(*kernel);
        engine = std::make_unique<BindEngine>(*kernel, *modules, std::chrono::milliseconds(200));
        assigner = std::make_unique<Assigner>(*kernel, *hypervisor, *engine);
    }
    std::string errorOf(const std::function<void()> &action)
    {
        try {
            action();
        } catch (const Error &error) {
            return error.what();
        }
        return "";
    }

    FakeHost fake;
    std::string uri;
    std::unique_ptr<Hypervisor> hypervisor;
    std::unique_ptr<SimulatedKernel> kernel;
    std::unique_ptr<FakeModuleLoader> modules;
    std::unique_ptr<BindEngine> engine;
    std::unique_ptr<Assigner> assigner;
};

} // namespace

TEST_F(LibvirtTestDriver, HoldersAreFoundInDefinitionsAndRunningVms)
{
    HolderMap holders = findHolders(hypervisor->domains());
    ASSERT_EQ(holders[at("0000:01:00.0")].size(), 1u);
    const Holder &gpu = holders[at("0000:01:00.0")][0];
    EXPECT_EQ(gpu.vm, "linux");
    EXPECT_EQ(gpu.state, VmState::ShutOff);
    EXPECT_TRUE(gpu.inConfig);
    EXPECT_FALSE(gpu.inLive);
    EXPECT_EQ(describeHolder(gpu), "assigned to stopped VM linux");
    const Holder &vf = holders[at("0000:04:00.3")][0];
    EXPECT_EQ(vf.vm, "router");
    EXPECT_TRUE(vf.inLive);
    EXPECT_EQ(describeHolder(vf), "held by running VM router");
    EXPECT_EQ(holders.count(at("0000:02:00.0")), 0u);
}

TEST_F(LibvirtTestDriver, AssignConfigAddsTheWholeGroupAndUnassignRemovesIt)
{
    // The GPU of group 1 goes to "empty" once "linux" gives it up; its audio function comes along.
    EXPECT_NE(errorOf([&] {
                  assigner->assign("empty", at("0000:01:00.0"), {});
              }).find("0000:01:00.0 is assigned to stopped VM linux; unassign it there first"),
              std::string::npos);
    AssignmentReport removed = assigner->unassign("linux", at("0000:01:00.1"), {});
    EXPECT_EQ(removed.configChanged, std::vector<PciAddress>{at("0000:01:00.0")});
    EXPECT_FALSE(lists(hypervisor->domain("linux").configXml, "0000:01:00.0"));

    AssignmentReport added = assigner->assign("empty", at("0000:01:00.0"), {});
    EXPECT_EQ(added.group, (std::vector<PciAddress>{at("0000:01:00.0"), at("0000:01:00.1")}));
    EXPECT_EQ(added.configChanged, added.group);
    const std::string xml = hypervisor->domain("empty").configXml;
    EXPECT_TRUE(lists(xml, "0000:01:00.0"));
    EXPECT_TRUE(lists(xml, "0000:01:00.1"));
    EXPECT_FALSE(lists(xml, "0000:00:01.0")); // the root port of the group stays
    EXPECT_NE(xml.find("managed='yes'"), std::string::npos);
    EXPECT_EQ(kernel->writes(), 0); // a definition change moves no driver

    EXPECT_TRUE(assigner->assign("empty", at("0000:01:00.1"), {}).configChanged.empty()); // idempotent
    AssignmentReport gone = assigner->unassign("empty", at("0000:01:00.1"), {.config = true});
    EXPECT_EQ(gone.configChanged.size(), 2u);
    EXPECT_FALSE(lists(hypervisor->domain("empty").configXml, "0000:01:00.0"));
}

TEST_F(LibvirtTestDriver, AssignRefusesWhatCannotBePassedThrough)
{
    EXPECT_NE(errorOf([&] {
                  assigner->assign("empty", at("0000:03:00.1"), {});
              }).find("cannot assign 0000:03:00.1 (its IOMMU group 6 holds 0000:03:00.0): network interface eno1"),
              std::string::npos);
    EXPECT_NE(errorOf([&] {
                  assigner->assign("empty", at("0000:00:01.0"), {});
              }).find("0000:00:01.0 is a bridge, which stays with the host"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { assigner->assign("empty", at("0000:06:00.0"), {}); }).find("has no IOMMU group"),
              std::string::npos);
    EXPECT_NE(errorOf([&] {
                  assigner->assign("empty", at("0000:04:00.3"), {});
              }).find("0000:04:00.3 is held by running VM router"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { assigner->assign("nosuchvm", at("0000:02:00.0"), {}); }).find("no VM named nosuchvm"),
              std::string::npos);
    EXPECT_NE(errorOf([&] {
                  assigner->assign("empty", at("0000:02:00.0"), {.live = true});
              }).find("VM empty is not running, so there is nothing to assign live; use --config"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { assigner->assign("empty", at("0000:42:00.0"), {}); }).find("no PCI device 0000:42:00.0"),
              std::string::npos);
    EXPECT_FALSE(lists(hypervisor->domain("empty").configXml, "0000:02:00.0"));
}

TEST_F(LibvirtTestDriver, ConnectionFailuresAreOneSentence)
{
    try {
        connectLibvirt("test:///nonexistent/node.xml", LibvirtAccess::ReadOnly);
        FAIL();
    } catch (const Error &error) {
        std::string message = error.what();
        EXPECT_EQ(message.rfind("cannot connect to libvirt at test:///nonexistent/node.xml: ", 0), 0u) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos);
    }
}

TEST(DomainEdit, AddsAndRemovesOnlyPciPassthroughElements)
{
    std::string xml = "<domain type='kvm'><name>x</name><!-- keep me --><devices><disk type='file'/>"
                      "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/></source></hostdev>"
                      "<interface type='hostdev'><source><address type='pci' bus='0x05' slot='0' function='0'/>"
                      "</source></interface></devices></domain>";
    std::string added = withPciHostdevs(xml, {at("0000:01:00.0"), at("0000:05:00.0")});
    EXPECT_TRUE(lists(added, "0000:01:00.0"));
    EXPECT_EQ(parseDomainXml(added).hostdevs.size(), 2u); // 05:00.0 was there already, as an interface
    EXPECT_NE(added.find("<!-- keep me -->"), std::string::npos);
    std::string removed = withoutPciHostdevs(added, {at("0000:05:00.0"), at("0000:01:00.0")});
    EXPECT_TRUE(parseDomainXml(removed).hostdevs.empty());
    EXPECT_NE(removed.find("type=\"usb\""), std::string::npos);
    EXPECT_NE(removed.find("<disk"), std::string::npos);
}

// The vfioctl binary on the workstation, with libvirt's test driver holding linux, router and empty (writeNode).
class CliVms : public ::testing::Test {
protected:
    void SetUp() override { uri = (vfioctl::testing::buildWorkstation(fake), writeNode(fake)); }
    vfioctl::testing::ProcessResult run(std::vector<std::string> args)
    {
        args.insert(args.begin(), {VFIOCTL_BINARY, "--root", fake.root()});
        return vfioctl::testing::runProcess(args);
    }
    FakeHost fake;
    std::string uri;
};

TEST_F(CliVms, ListShowsHoldersAndHoldersCommandAnswers)
{
    auto listed = run({"list", "--json", "--connect", uri});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    auto document = nlohmann::json::parse(listed.out);
    const auto &gpu = byAddress(document["pci"], "0000:01:00.0");
    EXPECT_EQ(gpu["holders"][0]["vm"], "linux");
    EXPECT_EQ(gpu["holders"][0]["state"], "shut off");
    EXPECT_EQ(gpu["eligible"], true);
    EXPECT_EQ(gpu["notes"][0], "assigned to stopped VM linux");
    const auto &vf = byAddress(document["pci"], "0000:04:00.3");
    EXPECT_EQ(vf["eligible"], false);
    EXPECT_EQ(vf["ineligible_reasons"][0]["kind"], "held-by-vm");
    EXPECT_EQ(vf["ineligible_reasons"][0]["detail"], "held by running VM router");
    EXPECT_EQ(byAddress(document["pci"], "0000:02:00.0")["holders"], nlohmann::json::array());
    auto text = run({"list", "--connect", uri});
    EXPECT_NE(text.out.find("assigned to stopped VM linux"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find(" VM "), std::string::npos);

    // Under --root without --connect, libvirt is not asked (the tree is not this host): holders are null.
    auto offline = run({"list", "--json"});
    EXPECT_EQ(offline.err, "");
    EXPECT_TRUE(nlohmann::json::parse(offline.out)["pci"][0]["holders"].is_null());
    // An unreachable libvirt is a one-line note; the listing still comes.
    auto unreachable = run({"list", "--connect", "qemu+unix:///system?socket=/nonexistent/sock"});
    EXPECT_EQ(unreachable.exitCode, 0);
    EXPECT_EQ(unreachable.err.rfind("vfioctl: note: VM holders are not shown: cannot connect to libvirt at "
                                    "qemu+unix:///system?socket=/nonexistent/sock: ",
                                    0),
              0u)
        << unreachable.err;
    EXPECT_EQ(std::count(unreachable.err.begin(), unreachable.err.end(), '\n'), 1);
    EXPECT_NE(unreachable.out.find("0000:01:00.0"), std::string::npos);

    auto holders = run({"holders", "01:00.0", "--connect", uri});
    EXPECT_EQ(holders.exitCode, 0);
    EXPECT_NE(holders.out.find("linux"), std::string::npos);
    EXPECT_NE(holders.out.find("shut off"), std::string::npos);
    auto json = nlohmann::json::parse(run({"holders", "0000:04:00.3", "--json", "--connect", uri}).out);
    EXPECT_EQ(json["holders"][0]["vm"], "router");
    EXPECT_EQ(json["holders"][0]["in_live"], true);
    EXPECT_EQ(run({"holders", "0000:02:00.0", "--connect", uri}).out, "No VM holds 0000:02:00.0.\n");
    auto assigned = run({"assign", "empty", "02:00.0", "--connect", uri});
    EXPECT_EQ(assigned.exitCode, 0) << assigned.err;
    EXPECT_EQ(assigned.out, "0000:02:00.0 added to the definition of empty\n");
    auto refused = run({"assign", "empty", "03:00.0", "--connect", uri});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_EQ(refused.err.rfind("vfioctl: error: cannot assign 0000:03:00.0: network interface eno1", 0), 0u)
        << refused.err;
    EXPECT_EQ(run({"assign", "empty", "--connect", uri}).exitCode, 2);
}

TEST_F(CliVms, VmsListsEveryVmWithTheDevicesItHolds)
{
    auto listed = run({"vms", "--json", "--connect", uri});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    std::map<std::string, nlohmann::json> byName;
    const auto document = nlohmann::json::parse(listed.out);
    for (const auto &vm : document["vms"])
        byName[vm["name"].get<std::string>()] = vm;
    ASSERT_EQ(byName.size(), 3u) << listed.out;
    EXPECT_EQ(byName["linux"]["state"], "shut off");
    EXPECT_EQ(byName["linux"]["active"], false);
    EXPECT_EQ(byName["linux"]["pci_devices"],
              nlohmann::json::parse(R"([{"address": "0000:01:00.0", "in_config": true, "in_live": false}])"));
    EXPECT_EQ(byName["router"]["active"], true);
    EXPECT_EQ(byName["router"]["pci_devices"][0]["address"], "0000:04:00.3");
    EXPECT_EQ(byName["router"]["pci_devices"][0]["in_live"], true);
    EXPECT_EQ(byName["empty"]["pci_devices"], nlohmann::json::array());
    auto text = run({"vms", "--connect", uri});
    EXPECT_NE(text.out.find("linux   shut off  0000:01:00.0"), std::string::npos) << text.out;
    // Without libvirt there is no VM list: the one-sentence error, not an empty list.
    auto unreachable = run({"vms", "--connect", "qemu+unix:///system?socket=/nonexistent/sock"});
    EXPECT_EQ(unreachable.exitCode, 1);
    EXPECT_EQ(unreachable.err.rfind("vfioctl: error: ", 0), 0u) << unreachable.err;
}

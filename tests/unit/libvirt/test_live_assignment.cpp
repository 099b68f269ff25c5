// assign/unassign --live: a fake hypervisor whose live XML follows attach and detach, on the simulated kernel.
#include "assignment.h"
#include "domain_edit.h"
#include "domain_xml.h"
#include "error.h"
#include "testkit.h"

#include <functional>
#include <gtest/gtest.h>
#include <map>

using namespace vfioctl;
using vfioctl::testing::at;
using vfioctl::testing::KernelStep;
using vfioctl::testing::vmOwner;

namespace {

bool lists(const std::string &xml, const char *address)
{
    for (const auto &hostdev : parseDomainXml(xml).hostdevs)
        if (hostdev.address == at(address))
            return true;
    return false;
}

} // namespace
namespace {

// A running VM whose live XML follows attach/detach; `stubborn` devices are never released (a guest that ignores
// the unplug request).
class FakeHypervisor : public Hypervisor {
public:
    std::vector<VmInfo> domains() override
    {
        std::vector<VmInfo> all;
        for (const auto &[name, vm] : vms)
            all.push_back(vm);
        return all;
    }
    VmInfo domain(const std::string &name) override
    {
        auto found = vms.find(name);
        if (found == vms.end())
            throw Error("no VM named " + name);
        return found->second;
    }
    void define(const std::string &xml) override { vms[parseDomainXml(xml).name].configXml = xml; }
    void attachLive(const std::string &vm, const std::string &deviceXml) override
    {
        if (failAttach-- == 0) {
            if (onFailedAttach)
                onFailedAttach();
            throw Error("internal error: unable to execute QEMU command 'device_add'");
        }
        PciAddress device = addressOf(deviceXml);
        vms[vm].liveXml = withPciHostdevs(*vms[vm].liveXml, {device});
        attached.push_back(device);
    }
    void detachLive(const std::string &vm, const std::string &deviceXml) override
    {
        PciAddress device = addressOf(deviceXml);
        detached.push_back(device);
        if (!stubborn)
            vms[vm].liveXml = withoutPciHostdevs(*vms[vm].liveXml, {device});
    }
    static PciAddress addressOf(const std::string &deviceXml)
    {
        return parseDomainXml("<domain><devices>" + deviceXml + "</devices></domain>").hostdevs.at(0).address;
    }

    std::map<std::string, VmInfo> vms;
    std::vector<PciAddress> attached, detached;
    int failAttach = -1; // the attach call (0-based) that fails
    std::function<void()> onFailedAttach;
    bool stubborn = false;
};

class LiveAssignment : public ::testing::Test, protected vfioctl::testing::SimulatedWorkstation {
protected:
    void SetUp() override
    {
        engine = std::make_unique<BindEngine>(*kernel, *modules, std::chrono::milliseconds(200));
        std::string xml =
            "<domain><name>win11</name><uuid>" + vfioctl::testing::uuidFor("win11") + "</uuid><devices/></domain>";
        hypervisor.vms["win11"] = {"win11", VmState::Paused, xml, xml};
        assigner = std::make_unique<Assigner>(*kernel, hypervisor, *engine, std::chrono::milliseconds(300));
    }
    std::unique_ptr<BindEngine> engine;
    FakeHypervisor hypervisor;
    std::unique_ptr<Assigner> assigner;
};

} // namespace

TEST_F(LiveAssignment, LiveAssignBindsTheGroupThenHotPlugsAndUnassignGivesTheDriversBack)
{
    AssignmentReport report = assigner->assign("win11", at("0000:01:00.1"), {.live = true});
    EXPECT_EQ(report.liveChanged, (std::vector<PciAddress>{at("0000:01:00.0"), at("0000:01:00.1")}));
    EXPECT_TRUE(report.configChanged.empty());
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(driverOf("0000:01:00.1"), "vfio-pci");
    EXPECT_EQ(engine->status().at(0).owner, vmOwner("win11")); // the hook gives it back when the VM stops

    AssignmentReport undone = assigner->unassign("win11", at("0000:01:00.0"), {.live = true});
    EXPECT_EQ(undone.liveChanged.size(), 2u);
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
    EXPECT_TRUE(engine->status().empty());
}

TEST_F(LiveAssignment, AFailedHotPlugUnplugsAndGivesEverythingBack)
{
    hypervisor.failAttach = 0;
    try {
        assigner->assign("win11", at("0000:01:00.0"), {.live = true});
        FAIL();
    } catch (const Error &error) {
        EXPECT_EQ(std::string(error.what()),
                  "cannot hot-plug into win11: internal error: unable to execute QEMU command 'device_add'; nothing "
                  "was changed");
    }
    EXPECT_EQ(driverOf("0000:01:00.0"), "nvidia");
    EXPECT_EQ(driverOf("0000:01:00.1"), "snd_hda_intel");
    EXPECT_TRUE(engine->status().empty());
}

// A failure after part of the group was plugged: what was plugged stays with the VM, the rest is given back, and a
// give-back that fails is said, never "nothing was changed".
TEST_F(LiveAssignment, APartlyPluggedGroupSaysWhatItLeftAndAFailedGiveBackIsNotSwallowed)
{
    hypervisor.failAttach = 1;
    hypervisor.onFailedAttach = [&] { kernel->failAt(KernelStep::Unbind, "0000:01:00.1", EIO); }; // at give-back
    try {
        assigner->assign("win11", at("0000:01:00.0"), {.live = true});
        FAIL();
    } catch (const Error &error) {
        const std::string message = error.what();
        EXPECT_EQ(message.rfind("cannot hot-plug into win11: internal error: unable to execute QEMU command "
                                "'device_add'; 0000:01:00.0 was plugged and is unplugged again; it stays on vfio-pci "
                                "until win11 stops; giving the rest of its group back failed: ",
                                0),
                  0u)
            << message;
        EXPECT_EQ(message.find("nothing was changed"), std::string::npos);
    }
    EXPECT_EQ(hypervisor.detached, std::vector<PciAddress>{at("0000:01:00.0")});
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci"); // the hook gives it back when the VM stops
    EXPECT_EQ(engine->status().at(0).owner, vmOwner("win11"));
}

TEST_F(LiveAssignment, AGuestThatKeepsTheDeviceLeavesItOnVfio)
{
    assigner->assign("win11", at("0000:01:00.0"), {.config = false, .live = true});
    hypervisor.stubborn = true;
    try {
        assigner->unassign("win11", at("0000:01:00.0"), {.live = true});
        FAIL();
    } catch (const Error &error) {
        EXPECT_EQ(std::string(error.what()),
                  "the guest of win11 has not released 0000:01:00.0, 0000:01:00.1 within 0 s; it stays on vfio-pci "
                  "and is given back when the VM stops");
    }
    EXPECT_EQ(driverOf("0000:01:00.0"), "vfio-pci");
    EXPECT_EQ(engine->status().at(0).owner, vmOwner("win11"));
}

TEST_F(LiveAssignment, LiveAndConfigTogether)
{
    AssignmentReport report = assigner->assign("win11", at("0000:02:00.0"), {.config = true, .live = true});
    EXPECT_EQ(report.liveChanged, std::vector<PciAddress>{at("0000:02:00.0")});
    EXPECT_EQ(report.configChanged, std::vector<PciAddress>{at("0000:02:00.0")});
    EXPECT_TRUE(lists(hypervisor.vms["win11"].configXml, "0000:02:00.0"));
}

// A targeted scan (scanInventoryFor: what the hook, bind and affected read) decides exactly as a full scan does, on
// every device of the unit tests' workstation and of a bench host (issue 14): the same eligibility and reasons, the
// same host losses, the same group and the same affected devices.
#include "affected.h"
#include "eligibility.h"
#include "error.h"
#include "pci_scanner.h"
#include "synthetic_host.h"
#include "testkit.h"
#include "workstation.h"

#include <algorithm>
#include <gtest/gtest.h>

using namespace vfioctl;
using vfioctl::testing::FakeHost;

namespace {

std::vector<std::string> reasonsOf(const Inventory &inventory, const PciDevice &device)
{
    std::vector<std::string> reasons;
    for (const auto &reason : assessEligibility(inventory, device).reasons)
        reasons.push_back(kindName(reason.kind) + ": " + reason.detail);
    return reasons;
}

template <typename Pointers> std::vector<std::string> namesOf(const Pointers &devices)
{
    std::vector<std::string> names;
    for (const auto *device : devices) {
        if constexpr (requires { device->address; })
            names.push_back(device->address.str());
        else
            names.push_back(device->name);
    }
    return names;
}

// Every decision about `address` and the members of its group, targeted against full.
void expectSameDecisions(const HostRoot &host, const Inventory &full, const PciAddress &address)
{
    const Inventory targeted = scanInventoryFor(host, {address});
    const PciDevice &device = full.requirePci(address);
    ASSERT_NE(targeted.findPci(address), nullptr) << address.str();
    std::vector<const PciDevice *> members = full.membersOf(device).endpoints;
    members.push_back(&device);
    for (const PciDevice *member : members) {
        const PciDevice *same = targeted.findPci(member->address);
        ASSERT_NE(same, nullptr) << member->address.str() << " (for " << address.str() << ")";
        EXPECT_EQ(reasonsOf(targeted, *same), reasonsOf(full, *member)) << member->address.str();
        EXPECT_EQ(hostLosses(targeted, *same), hostLosses(full, *member)) << member->address.str();
        EXPECT_EQ(namesOf(targeted.membersOf(*same).endpoints), namesOf(full.membersOf(*member).endpoints));
        EXPECT_EQ(namesOf(targeted.membersOf(*same).bridges), namesOf(full.membersOf(*member).bridges));
    }
    const AffectedDevices wide = affectedDevices(full, address), narrow = affectedDevices(targeted, address);
    EXPECT_EQ(narrow.group, wide.group) << address.str();
    EXPECT_EQ(namesOf(narrow.endpoints), namesOf(wide.endpoints)) << address.str();
    EXPECT_EQ(namesOf(narrow.bridges), namesOf(wide.bridges)) << address.str();
    EXPECT_EQ(namesOf(narrow.virtualFunctions), namesOf(wide.virtualFunctions)) << address.str();
    EXPECT_EQ(namesOf(narrow.net), namesOf(wide.net)) << address.str();
    EXPECT_EQ(namesOf(narrow.block), namesOf(wide.block)) << address.str();
    EXPECT_EQ(narrow.usb.size(), wide.usb.size()) << address.str();
    EXPECT_EQ(narrow.scsi.size(), wide.scsi.size()) << address.str();
}

} // namespace

TEST(TargetedScan, DecidesAsAFullScanOnEveryDeviceOfTheWorkstation)
{
    FakeHost fake;
    vfioctl::testing::buildWorkstation(fake);
    const Inventory full = scanInventory(fake.host());
    ASSERT_GT(full.pci.size(), 10u);
    for (const auto &device : full.pci)
        expectSameDecisions(fake.host(), full, device.address);
}

TEST(TargetedScan, DecidesAsAFullScanOnEveryDeviceOfABenchHost)
{
    FakeHost fake;
    vfioctl::bench::buildSyntheticHost(fake, 1500); // NIC PFs with VFs, GPUs, NVMe behind root ports
    const Inventory full = scanInventory(fake.host());
    ASSERT_GT(full.pci.size(), 1000u);
    for (const auto &device : full.pci)
        expectSameDecisions(fake.host(), full, device.address);
    // The full scan read this host on every core: each device must be what reading it alone gives, in order.
    ASSERT_TRUE(std::is_sorted(full.pci.begin(), full.pci.end(),
                               [](const PciDevice &a, const PciDevice &b) { return a.address < b.address; }));
    EXPECT_EQ(full.pci.size(), fake.host().list("/sys/bus/pci/devices").size());
    for (const auto &device : full.pci)
        EXPECT_EQ(readPciDevice(fake.host(), NoHardwareNames(), device.address, PciFacts::decisions), device)
            << device.address.str();
}

namespace {

// A decision's reading tries each attribute where a listing's lists the directory first: both must find the same
// device, but for what only a listing shows.
void expectDecisionFactsAsListed(const HostRoot &host)
{
    size_t read = 0;
    for (const auto &entry : host.list("/sys/bus/pci/devices")) {
        const PciAddress address = PciAddress::parse(entry);
        auto listed = readPciDevice(host, NoHardwareNames(), address, PciFacts::all);
        auto tried = readPciDevice(host, NoHardwareNames(), address, PciFacts::decisions);
        ASSERT_TRUE(listed && tried) << entry;
        listed->revision = 0;
        listed->numaNode.reset();
        listed->parentBridge.reset();
        EXPECT_EQ(*tried, *listed) << entry;
        ++read;
    }
    EXPECT_GT(read, 10u);
}

} // namespace

TEST(TargetedScan, ADecisionReadsEveryDeviceAsTheListingDoesButForWhatOnlyTheListingShows)
{
    FakeHost workstation;
    vfioctl::testing::buildWorkstation(workstation);
    expectDecisionFactsAsListed(workstation.host());
    FakeHost bench;
    vfioctl::bench::buildSyntheticHost(bench, 300);
    expectDecisionFactsAsListed(bench.host());
}

TEST(TargetedScan, ReadsOnlyTheGroupsInvolved)
{
    FakeHost fake;
    vfioctl::bench::buildSyntheticHost(fake, 1500);
    const Inventory full = scanInventory(fake.host());
    const PciDevice &vf = *std::find_if(full.pci.begin(), full.pci.end(),
                                        [](const PciDevice &device) { return device.physicalFunction.has_value(); });
    const Inventory targeted = scanInventoryFor(fake.host(), {vf.address});
    EXPECT_EQ(targeted.pci.size(), full.membersOf(vf).endpoints.size() + full.membersOf(vf).bridges.size());
    EXPECT_LT(targeted.net.size(), 10u);
}

TEST(TargetedScan, AnAbsentDeviceIsAbsent)
{
    FakeHost fake;
    vfioctl::testing::buildWorkstation(fake);
    const Inventory targeted = scanInventoryFor(fake.host(), {PciAddress::parse("0000:42:00.0")});
    EXPECT_EQ(targeted.findPci(PciAddress::parse("0000:42:00.0")), nullptr);
    EXPECT_THROW(targeted.requirePci(PciAddress::parse("0000:42:00.0")), Error);
}

// The check table: each check reads only the facts it declares, the freeze runs exactly the checks that can block,
// and README, the man page and docs/JSON.md list the same checks as the table.
#include "host_check.h"
#include "source_file.h"
#include "workstation.h"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <set>
#include <sstream>

using namespace vfioctl;
using vfioctl::testing::FakeHost;
using vfioctl::testing::sourceFile;

namespace {

const std::string interruptsWithoutRemapping = "           CPU0\n 24:   0   PCI-MSI 327680-edge   xhci_hcd\n";

// Hosts that differ from the workstation in one fact group or more, so a check that reads a fact it did not
// declare gives another answer on at least one of them.
const std::vector<std::pair<std::string, std::function<void(FakeHost &)>>> &variants()
{
    static const std::vector<std::pair<std::string, std::function<void(FakeHost &)>>> all = {
        {"workstation", [](FakeHost &) {}},
        {"iommu off on Intel",
         [](FakeHost &fake) {
             fake.removePath("/sys/class/iommu/dmar0");
             fake.removePath("/sys/kernel/iommu_groups");
             fake.makeDirectory("/sys/kernel/iommu_groups");
             fake.writeFile("/proc/cmdline", "root=/dev/sda1 iommu=off\n");
             fake.writeFile("/proc/interrupts", interruptsWithoutRemapping);
         }},
        {"AMD with amd_iommu=off",
         [](FakeHost &fake) {
             fake.writeFile("/proc/cpuinfo", "vendor_id\t: AuthenticAMD\nflags\t\t: fpu svm\n");
             fake.removePath("/sys/class/iommu/dmar0");
             fake.writeFile("/proc/cmdline", "root=/dev/sda1 amd_iommu=off pcie_acs_override=downstream\n");
             fake.removePath("/dev/kvm");
         }},
        {"unknown vendor, no virtualization",
         [](FakeHost &fake) { fake.writeFile("/proc/cpuinfo", "vendor_id\t: Other\nflags\t\t: fpu\n"); }},
        {"old kernel without VFIO",
         [](FakeHost &fake) {
             fake.writeFile("/proc/sys/kernel/osrelease", "3.2.0-4-amd64\n");
             for (const auto &device : fake.host().list("/sys/bus/pci/devices"))
                 fake.removePath(fake.devicePath(device) + "/driver_override");
         }},
        {"VFIO blacklisted, unsafe interrupts",
         [](FakeHost &fake) {
             fake.writeFile("/proc/cmdline", "intel_iommu=on module_blacklist=vfio_pci vfio-pci.ids=10de:1b80 "
                                             "vfio_iommu_type1.allow_unsafe_interrupts=1\n");
             fake.writeFile("/proc/interrupts", interruptsWithoutRemapping);
         }},
        {"everything installed",
         [](FakeHost &fake) {
             fake.writeFile("/usr/lib/x86_64-linux-gnu/libvirt.so.0.9000.0", "");
             fake.writeFile("/usr/sbin/libvirtd", "");
             fake.writeFile("/etc/libvirt/hooks/qemu.d/vfioctl", "");
             fake.writeFile("/dev/vfio/vfio", "");
             fake.writeFile("/run/vfioctl/owners/manual.journal.corrupt", "x");
             fake.writeFile(fake.devicePath("0000:01:00.0") + "/reset_method", "\n");
             fake.makeDirectory("/sys/module/vendor_reset");
         }},
    };
    return all;
}

// "iommu (blocks)", "iommu-pt": each check's id as the docs list it, in the table's order.
std::vector<std::string> idsWithBlocking()
{
    std::vector<std::string> ids;
    for (const auto &check : hostChecks())
        ids.push_back(std::string(check.id) + (check.canBlock == CanBlock::Yes ? " (blocks)" : ""));
    return ids;
}

bool same(const CheckResult &a, const CheckResult &b)
{
    return a.id == b.id && a.verdict == b.verdict && a.evidence == b.evidence && a.fix == b.fix &&
           a.blocksPassthrough == b.blocksPassthrough;
}

} // namespace

TEST(CheckTable, EachCheckReadsOnlyTheFactsItDeclares)
{
    for (const auto &[name, make] : variants()) {
        FakeHost fake;
        vfioctl::testing::buildWorkstation(fake);
        make(fake);
        const HostFacts everything = gatherHostFacts(fake.host());
        for (const auto &check : hostChecks()) {
            const CheckResult declared = runCheck(check, gatherHostFacts(fake.host(), check.needs));
            const CheckResult full = runCheck(check, everything);
            EXPECT_TRUE(same(declared, full))
                << name << ", " << check.id << ": with its declared facts it says '" << declared.evidence << "' / '"
                << declared.fix << "', with all '" << full.evidence << "' / '" << full.fix << "'";
        }
    }
}

TEST(CheckTable, TheFreezeIsTheFirstFailureOfACheckThatCanBlockAndNothingElse)
{
    for (const auto &[name, make] : variants()) {
        FakeHost fake;
        vfioctl::testing::buildWorkstation(fake);
        make(fake);
        std::optional<std::string> expected;
        for (const auto &result : checkHost(gatherHostFacts(fake.host())))
            if (result.blocksPassthrough && !expected)
                expected = "PCI passthrough cannot work on this host: " + result.evidence + "; " + result.fix;
        EXPECT_EQ(passthroughBlocker(fake.host()), expected) << name;
    }
}

TEST(CheckTable, ACheckThatCannotBlockNeverBlocksAndIdsAreUnique)
{
    std::set<std::string_view> ids;
    for (const auto &check : hostChecks())
        EXPECT_TRUE(ids.insert(check.id).second) << check.id;
    for (const auto &[name, make] : variants()) {
        FakeHost fake;
        vfioctl::testing::buildWorkstation(fake);
        make(fake);
        const auto results = checkHost(gatherHostFacts(fake.host()));
        for (size_t i = 0; i < results.size(); ++i)
            EXPECT_EQ(results[i].blocksPassthrough,
                      hostChecks()[i].canBlock == CanBlock::Yes && results[i].verdict == Verdict::Fail)
                << name << ", " << results[i].id;
    }
}

TEST(CheckTable, ReadmeListsEveryCheckInOrderWithWhetherItBlocks)
{
    const std::string readme = sourceFile("README.md");
    const std::regex row(R"(\n\| `([a-z0-9-]+)` \| [^|]+ \| (yes|no) \|)");
    std::vector<std::string> listed;
    for (auto match = std::sregex_iterator(readme.begin(), readme.end(), row); match != std::sregex_iterator(); ++match)
        listed.push_back((*match)[1].str() + ((*match)[2] == "yes" ? " (blocks)" : ""));
    EXPECT_EQ(listed, idsWithBlocking());
}

TEST(CheckTable, TheManPageListsEveryCheckInOrderWithWhetherItBlocks)
{
    const std::string man = sourceFile("man/vfioctl.8");
    const size_t start = man.find(".SH CHECKS");
    ASSERT_NE(start, std::string::npos);
    const std::string section = man.substr(start, man.find(".SH ", start + 1) - start);
    const std::regex entry(R"(\.TP\n\.B ([^\n]+)\n([^\n]+)\n)");
    std::vector<std::string> listed;
    for (auto match = std::sregex_iterator(section.begin(), section.end(), entry); match != std::sregex_iterator();
         ++match) {
        std::string id = std::regex_replace((*match)[1].str(), std::regex(R"(\\-)"), "-");
        listed.push_back(id + ((*match)[2].str().find("(blocks)") != std::string::npos ? " (blocks)" : ""));
    }
    EXPECT_EQ(listed, idsWithBlocking());
}

TEST(CheckTable, JsonDocumentationListsEveryCheckId)
{
    const std::string json = sourceFile("docs/JSON.md");
    const size_t start = json.find("Check ids:");
    ASSERT_NE(start, std::string::npos);
    const std::string list = json.substr(start, json.find("\n\n", start) - start);
    const std::regex id(R"((?:^|[,:]\s)`([a-z0-9-]+)`)");
    std::vector<std::string> listed;
    for (auto match = std::sregex_iterator(list.begin(), list.end(), id); match != std::sregex_iterator(); ++match)
        listed.push_back((*match)[1]);
    std::vector<std::string> expected;
    for (const auto &check : hostChecks())
        expected.emplace_back(check.id);
    EXPECT_EQ(listed, expected);
}

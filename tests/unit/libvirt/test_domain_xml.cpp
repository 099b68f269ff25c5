// Reading libvirt domain XML, including hostile documents.
#include "domain_xml.h"
#include "error.h"

#include <gtest/gtest.h>

using namespace vfioctl;

namespace {

DomainPassthrough parse(const std::string &xml)
{
    return parseDomainXml(xml);
}

std::string errorOf(const std::string &xml)
{
    try {
        parseDomainXml(xml);
    } catch (const Error &error) {
        return error.what();
    }
    return "";
}

} // namespace

TEST(DomainXml, ReadsHostdevsAndHostdevInterfacesInOrderWithoutDuplicates)
{
    auto domain = parse(R"(<domain type='kvm' id='3'>
  <name>gaming</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <driver name='vfio'/>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
      <alias name='hostdev0'/>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='no'>
      <source><address domain='0' bus='1' slot='0' function='1'/></source>
    </hostdev>
    <hostdev mode='subsystem' type='usb'><source><vendor id='0x1'/><product id='0x2'/></source></hostdev>
    <hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/></source></hostdev>
    <hostdev mode='capabilities' type='storage'><source><block>/dev/sdf1</block></source></hostdev>
    <interface type='hostdev' managed='yes'>
      <source><address type='pci' domain='0x0000' bus='0x04' slot='0x10' function='0x2'/></source>
    </interface>
    <interface type='hostdev'><source><address type='usb' bus='1' device='2'/></source></interface>
    <interface type='network'><source network='default'/></interface>
    <hostdev mode='subsystem' type='pci'><source><address bus='0x01' slot='0x00' function='0x0'/></source></hostdev>
  </devices>
</domain>)");
    EXPECT_EQ(domain.name, "gaming");
    EXPECT_EQ(domain.uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
    ASSERT_EQ(domain.hostdevs.size(), 3u);
    EXPECT_EQ(domain.hostdevs[0].address.str(), "0000:01:00.0");
    EXPECT_TRUE(domain.hostdevs[0].managed);
    EXPECT_EQ(domain.hostdevs[1].address.str(), "0000:01:00.1");
    EXPECT_FALSE(domain.hostdevs[1].managed);
    EXPECT_EQ(domain.hostdevs[2].address.str(), "0000:04:10.2");
    EXPECT_EQ(domain.hostdevs[2].kind, HostdevKind::Interface);
    EXPECT_EQ(domain.policy.action, HookAction::Bind);
    EXPECT_EQ(domain.policy.companions, CompanionPolicy::Take);
}

TEST(DomainXml, HostdevsOutsideDevicesAreNotRead)
{
    auto domain = parse("<domain><name>x</name><metadata><hostdev mode='subsystem' type='pci'><source><address "
                        "bus='1'/></source></hostdev></metadata></domain>");
    EXPECT_TRUE(domain.hostdevs.empty());
}

TEST(DomainXml, ReadsOurPolicyByNamespaceWhateverThePrefix)
{
    auto direct = parse("<domain><metadata><x:policy xmlns:x='https://vfioctl.org/xmlns/domain/1' action='ignore' "
                        "companions='refuse'/></metadata></domain>");
    EXPECT_EQ(direct.policy.action, HookAction::Ignore);
    EXPECT_EQ(direct.policy.companions, CompanionPolicy::Refuse);
    auto wrapped = parse("<domain><metadata><vfioctl:config xmlns:vfioctl='https://vfioctl.org/xmlns/domain/1'>"
                         "<vfioctl:policy companions='refuse'/></vfioctl:config></metadata></domain>");
    EXPECT_EQ(wrapped.policy.companions, CompanionPolicy::Refuse);
    auto foreign = parse("<domain><metadata><policy xmlns='urn:other' action='ignore'/></metadata></domain>");
    EXPECT_EQ(foreign.policy.action, HookAction::Bind);
}

TEST(DomainXml, RefusesWhatIsNotADomainOrNotWellFormed)
{
    EXPECT_NE(errorOf("<network><name>default</name></network>")
                  .find("is not a libvirt domain: its root element is "
                        "<network>"),
              std::string::npos);
    EXPECT_NE(errorOf("<domain><name>x</name>").find("is not valid XML"), std::string::npos);
    EXPECT_NE(errorOf("").find("is not valid XML"), std::string::npos);
    EXPECT_NE(errorOf(std::string("<domain>\0</domain>", 18)).find("is not valid XML"), std::string::npos);
    EXPECT_NE(errorOf("<domain><devices><hostdev mode='subsystem' type='pci'/></devices></domain>")
                  .find("a PCI <hostdev> without a source address"),
              std::string::npos);
}

TEST(DomainXml, ANulCharacterAnywhereIsRefusedNotReadAsTheTextBeforeIt)
{
    // XML forbids U+0000 even as a reference; read as a C string, "ignore&#x0;x" would be "ignore".
    for (const char *nul : {"&#x0;", "&#0;", "&#X00;", "&#000;"}) {
        const std::string xml =
            "<domain><metadata><x:policy xmlns:x='https://vfioctl.org/xmlns/domain/1' action='ignore" +
            std::string(nul) + "x'/></metadata><name>a" + nul + "</name></domain>";
        EXPECT_NE(errorOf(xml).find("a NUL character, which XML forbids"), std::string::npos) << nul;
    }
    EXPECT_FALSE(nulCharacterAt("<domain><name>&#x30;&#10;&#;&#x;&amp;#0;</name></domain>"));
}

TEST(DomainXml, RefusesAddressFieldsOutOfRange)
{
    auto withAddress = [](const std::string &attributes) {
        return "<domain><devices><hostdev mode='subsystem' type='pci'><source><address " + attributes +
               "/></source></hostdev></devices></domain>";
    };
    EXPECT_NE(errorOf(withAddress("domain='0x10000'")).find("invalid PCI address: domain='0x10000'"),
              std::string::npos);
    EXPECT_NE(errorOf(withAddress("slot='32'")).find("slot='32'"), std::string::npos);
    EXPECT_NE(errorOf(withAddress("function='-1'")).find("function='-1'"), std::string::npos);
    EXPECT_NE(errorOf(withAddress("bus='0x'")).find("bus='0x'"), std::string::npos);
    EXPECT_NE(errorOf(withAddress("bus='../1'")).find("bus='../1'"), std::string::npos);
    EXPECT_NE(errorOf(withAddress("bus='99999999999999999999999'")).find("invalid PCI address"), std::string::npos);
    EXPECT_EQ(parse(withAddress("bus='010' slot='0X1f' function='7'")).hostdevs[0].address.str(), "0000:08:1f.7");
}

TEST(DomainXml, NeverExpandsEntities)
{
    // A "billion laughs" document: with no DTD processing the entities stay unexpanded and unknown.
    std::string laughs = "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'>"
                         "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
                         "<domain><name>&c;</name></domain>";
    try {
        auto domain = parseDomainXml(laughs);
        EXPECT_LT(domain.name.size(), 16u);
    } catch (const Error &) {
        SUCCEED(); // refusing the document is as good
    }
    std::string external = "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/shadow'>]><domain><name>&x;</name>"
                           "</domain>";
    try {
        EXPECT_EQ(parseDomainXml(external).name.find("root:"), std::string::npos);
    } catch (const Error &) {
        SUCCEED();
    }
}

TEST(DomainXml, SurvivesDeepNestingAndRefusesOversizedDocuments)
{
    std::string deep = "<domain><devices>";
    for (int i = 0; i < 200000; ++i)
        deep += "<a>";
    for (int i = 0; i < 200000; ++i)
        deep += "</a>";
    deep += "</devices></domain>";
    EXPECT_TRUE(parse(deep).hostdevs.empty());

    std::string huge = "<domain><description>" + std::string(maxDomainXmlBytes, 'x') + "</description></domain>";
    EXPECT_NE(errorOf(huge).find("more than the 4194304 a domain XML may have"), std::string::npos);
}

// The boot GPU hand-off is opted into per VM: console='handoff' and the units to stop, in order, each a unit name
// systemd accepts; anything else is refused in one sentence.
TEST(DomainXml, ReadsTheConsoleHandOffAndTheUnitsToStop)
{
    const std::string open = "<domain><metadata><vfioctl:policy xmlns:vfioctl='https://vfioctl.org/xmlns/domain/1' ";
    EXPECT_EQ(parse("<domain/>").policy.console, ConsolePolicy::Keep);
    auto handoff = parse(open + "console='handoff'><vfioctl:stop unit='display-manager.service'/>"
                                "<vfioctl:stop unit='nvidia-persistenced.service'/><stop unit='foreign.service'/>"
                                "<vfioctl:stop unit='display-manager.service'/></vfioctl:policy></metadata></domain>");
    EXPECT_EQ(handoff.policy.console, ConsolePolicy::Handoff);
    EXPECT_EQ(handoff.policy.stopUnits,
              (std::vector<std::string>{"display-manager.service", "nvidia-persistenced.service"}));
    EXPECT_EQ(parse(open + "console='keep'/></metadata></domain>").policy.console, ConsolePolicy::Keep);
    EXPECT_NE(errorOf(open + "console='yes'/></metadata></domain>")
                  .find("has an invalid vfioctl policy: console='yes' (expected 'keep' or 'handoff')"),
              std::string::npos);
    for (const char *unit : {"", "gdm", "../../etc/passwd.service", "a b.service", "x.service;reboot"})
        EXPECT_NE(errorOf(open + "console='handoff'><vfioctl:stop unit='" + unit +
                          "'/></vfioctl:policy></metadata>"
                          "</domain>")
                      .find("is not a systemd unit name"),
                  std::string::npos)
            << unit;
    std::string many = open + "console='handoff'>";
    for (int i = 0; i <= static_cast<int>(maxStopUnits); ++i)
        many += "<vfioctl:stop unit='u" + std::to_string(i) + ".service'/>";
    EXPECT_NE(errorOf(many + "</vfioctl:policy></metadata></domain>").find("more than 16 units to stop"),
              std::string::npos);
    EXPECT_TRUE(isUnitName("getty@tty1.service"));
    EXPECT_TRUE(isUnitName("sys-devices-pci0000:00.device"));
    EXPECT_FALSE(isUnitName(std::string(252, 'a') + ".service"));
}

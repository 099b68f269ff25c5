#include "error.h"
#include "pci_address.h"

#include <cstdio>
#include <gtest/gtest.h>

using vfioctl::PciAddress;

TEST(PciAddress, AcceptsTheKernelForm)
{
    auto address = PciAddress::parse("0000:01:00.1");
    EXPECT_EQ(address.domain, 0u);
    EXPECT_EQ(address.bus, 1);
    EXPECT_EQ(address.slot, 0);
    EXPECT_EQ(address.function, 1);
    EXPECT_EQ(address.str(), "0000:01:00.1");
}

TEST(PciAddress, AcceptsTheShortFormInDomainZero)
{
    EXPECT_EQ(PciAddress::parse("3b:1f.7").str(), "0000:3b:1f.7");
}

TEST(PciAddress, AcceptsLibvirtNodeDeviceNames)
{
    EXPECT_EQ(PciAddress::parse("pci_0001_0a_02_3").str(), "0001:0a:02.3");
}

TEST(PciAddress, AcceptsUpperCaseHex)
{
    EXPECT_EQ(PciAddress::parse("0000:AF:00.0").str(), "0000:af:00.0");
}

TEST(PciAddress, RejectsAnythingElseWithTheAcceptedForms)
{
    for (const char *bad : {"", "0000:01:00", "0000:01:00.8", "0000:01:20.0", "../../etc", "0000:01:00.0/..",
                            "0000:01:00.0 ", "pci_0000_01_00", "1:0.0", "0000:01:00.0\n", "zz:00.0", "00000:01:00.0",
                            "pci_0000_01_00_0_", "0000-01-00.0"}) {
        EXPECT_FALSE(PciAddress::tryParse(bad)) << bad;
        try {
            PciAddress::parse(bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const vfioctl::Error &error) {
            EXPECT_NE(std::string(error.what()).find("expected 0000:01:00.0, 01:00.0 or pci_0000_01_00_0"),
                      std::string::npos);
        }
    }
}

TEST(PciAddress, RejectsEmbeddedNulAndDoesNotEchoControlCharacters)
{
    std::string withNul("0000:01:00.0", 12);
    withNul[5] = '\0';
    EXPECT_FALSE(PciAddress::tryParse(withNul));
    try {
        PciAddress::parse(std::string("a\x1b[31mb"));
        FAIL();
    } catch (const vfioctl::Error &error) {
        EXPECT_EQ(std::string(error.what()).find('\x1b'), std::string::npos);
    }
}

TEST(PciAddress, RejectsOverlongInputWithoutEchoingIt)
{
    std::string overlong = "0000:01:00.0" + std::string(1 << 20, '0');
    EXPECT_FALSE(PciAddress::tryParse(overlong));
    try {
        PciAddress::parse(overlong);
        FAIL();
    } catch (const vfioctl::Error &error) {
        EXPECT_LT(std::string(error.what()).size(), 300u);
    }
}

TEST(PciAddress, OrdersByDomainBusSlotFunction)
{
    EXPECT_LT(PciAddress::parse("0000:00:1f.0"), PciAddress::parse("0000:01:00.0"));
    EXPECT_LT(PciAddress::parse("0000:01:00.0"), PciAddress::parse("0000:01:00.1"));
    EXPECT_LT(PciAddress::parse("0000:ff:00.0"), PciAddress::parse("0001:00:00.0"));
}

TEST(PciAddress, PrintsAsPrintfWould)
{
    for (uint32_t domain : {0u, 0xau, 0xffffu, 0x10000u, 0xffffffffu})
        for (int bus : {0, 0x1f, 0xff})
            for (int slot : {0, 0x1f})
                for (int function : {0, 7}) {
                    PciAddress address{domain, static_cast<uint8_t>(bus), static_cast<uint8_t>(slot),
                                       static_cast<uint8_t>(function)};
                    char expected[32];
                    std::snprintf(expected, sizeof expected, "%04x:%02x:%02x.%x", domain, bus, slot, function);
                    EXPECT_EQ(address.str(), expected);
                }
}

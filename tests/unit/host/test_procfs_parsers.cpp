// The procfs parsers, on text captured from real hosts.
#include "host_addresses.h"
#include "mount_table.h"
#include "sysfs_value.h"

#include <gtest/gtest.h>

using namespace vfioctl;

TEST(Ipv4Routes, ReadsUpRoutesInHostOrder)
{
    const char *text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                       "eth0\t00000000\t0202000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                       "eth0\t0002000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
                       "eth9\t0003000A\t00000000\t0000\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
    auto routes = parseIpv4Routes(text);
    ASSERT_EQ(routes.size(), 2u); // eth9's route is down
    EXPECT_EQ(routes[1].interface, "eth0");
    EXPECT_EQ(formatIpv4(routes[1].destination), "10.0.2.0");
    EXPECT_EQ(routes[1].mask, 0xffffff00u);
}

TEST(Ipv4Addresses, TakesTheLocalHostLeavesOfTheFibTrieAndSkipsLoopback)
{
    const char *trie = "Main:\n"
                       "  +-- 0.0.0.0/0 3 0 5\n"
                       "     |-- 0.0.0.0\n"
                       "        /0 universe UNICAST\n"
                       "     +-- 10.0.2.0/24 2 0 2\n"
                       "        |-- 10.0.2.0\n"
                       "           /24 link UNICAST\n"
                       "        |-- 10.0.2.15\n"
                       "           /32 host LOCAL\n"
                       "Local:\n"
                       "  +-- 0.0.0.0/0 3 0 5\n"
                       "        |-- 10.0.2.15\n"
                       "           /32 host LOCAL\n"
                       "     |-- 127.0.0.1\n"
                       "        /32 host LOCAL\n";
    auto addresses = parseLocalIpv4Addresses(trie);
    ASSERT_EQ(addresses.size(), 1u);
    EXPECT_EQ(formatIpv4(*addresses.begin()), "10.0.2.15");
}

TEST(Ipv6Addresses, LeavesOutLinkLocalAndLoopback)
{
    const char *text = "00000000000000000000000000000001 01 80 10 80       lo\n"
                       "fe800000000000005054fffffe123456 02 40 20 80     eth0\n"
                       "20010db8000000000000000000000001 02 40 00 80     eth0\n";
    auto addresses = parseIpv6Addresses(text);
    ASSERT_EQ(addresses.size(), 1u);
    EXPECT_EQ(addresses.begin()->first, "eth0");
    EXPECT_EQ(addresses.begin()->second, "2001:db8::1/64");
}

TEST(Ipv6Routes, FindsTheDefaultRouteButNotTheUnreachableOneOnLo)
{
    const char *text =
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 "
        "00000400 00000001 00000000 00000003     eth0\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 "
        "ffffffff 00000001 00000000 00200200       lo\n";
    EXPECT_EQ(parseIpv6DefaultRouteInterfaces(text), std::set<std::string>{"eth0"});
}

TEST(MountTable, ReadsMountPointsByDeviceNumberAndSourceWithEscapes)
{
    const char *mountInfo = "29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
                            "30 29 259:1 / /boot/efi rw,relatime shared:2 - vfat /dev/nvme0n1p1 rw\n"
                            "31 29 8:17 / /mnt/my\\040disk rw,relatime shared:3 - xfs /dev/sdb1 rw\n"
                            "32 29 0:26 / /proc rw,nosuid shared:4 - proc proc rw\n";
    const char *swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
                        "/dev/sda3                               partition\t8388604\t0\t-2\n"
                        "/swapfile                               file\t\t1048572\t0\t-3\n";
    MountTable table = parseMountTable(mountInfo, swaps);
    EXPECT_EQ(table.byMajorMinor.at("259:2"), std::vector<std::string>{"/"});
    EXPECT_EQ(table.byMajorMinor.at("8:17"), std::vector<std::string>{"/mnt/my disk"});
    EXPECT_EQ(table.bySource.at("nvme0n1p1"), std::vector<std::string>{"/boot/efi"});
    EXPECT_EQ(table.swapDevices, std::set<std::string>{"sda3"});
}

TEST(MountTable, IgnoresTruncatedLines)
{
    MountTable table = parseMountTable("29 1 259:2\n\n30", "Filename\n/dev/\n");
    EXPECT_TRUE(table.byMajorMinor.empty());
}

TEST(SysfsValues, ParseStrictly)
{
    EXPECT_EQ(parseHex("0x8086\n"), 0x8086u);
    EXPECT_EQ(parseHex("10de"), 0x10deu);
    EXPECT_FALSE(parseHex("0x"));
    EXPECT_FALSE(parseHex("0x123456789"));
    EXPECT_FALSE(parseHex("12g4"));
    EXPECT_EQ(parseDecimal("-1\n"), -1);
    EXPECT_FALSE(parseDecimal("1 2"));
    EXPECT_EQ(parseDriverOverride("(null)\n"), "");
    EXPECT_EQ(parseDriverOverride("vfio-pci\n"), "vfio-pci");
}

TEST(SysfsValues, AModaliasInTheKernelsFormGivesTheIdsAndClass)
{
    auto parsed = parsePciModalias("pci:v00008086d0000154Csv000017AAsd00002233bc02sc00i01\n");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->vendor, 0x8086);
    EXPECT_EQ(parsed->device, 0x154c);
    EXPECT_EQ(parsed->subsystemVendor, 0x17aa);
    EXPECT_EQ(parsed->subsystemDevice, 0x2233);
    EXPECT_EQ(parsed->classCode, 0x020001u);
    EXPECT_TRUE(parsePciModalias("pci:v00008086d0000154Csv000017AAsd00002233bc02sc00i01"));
    for (const char *odd : {"", "pci:v00008086", "usb:v00008086d0000154Csv000017AAsd00002233bc02sc00i01",
                            "pci:v00018086d0000154Csv000017AAsd00002233bc02sc00i01",  // wider than an id
                            "pci:v0000808Gd0000154Csv000017AAsd00002233bc02sc00i01",  // not hex
                            "pci:v0x008086d0000154Csv000017AAsd00002233bc02sc00i01",  // a prefix, not digits
                            "pci:v00008086d0000154Csv000017AAsd00002233bc02sc00i01x", // more after it
                            "pci:v00008086d0000154Csv000017AAsd00002233bc02sc00i01\n\n"})
        EXPECT_FALSE(parsePciModalias(odd)) << odd;
}

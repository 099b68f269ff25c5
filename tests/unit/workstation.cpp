#include "workstation.h"

#include "testkit.h"

namespace vfioctl::testing {

namespace {

// The host's own NICs: a dual-port igb, eno1 with an address and the default route.
void addHostNics(FakeHost &fake)
{
    fake.addPci({.address = "0000:03:00.0",
                 .classCode = 0x020000,
                 .vendor = 0x8086,
                 .device = 0x1521,
                 .driver = "igb",
                 .group = 6});
    fake.addPci({.address = "0000:03:00.1",
                 .classCode = 0x020000,
                 .vendor = 0x8086,
                 .device = 0x1521,
                 .driver = "igb",
                 .group = 6});
    fake.addNet("eno1", "0000:03:00.0", "00:1b:21:aa:bb:01");
    fake.addNet("eno2", "0000:03:00.1", "00:1b:21:aa:bb:02");
    fake.addIpv4("eno1", "192.168.1.10", 24);
    fake.addDefaultRoute("eno1");
}

// A ConnectX PF (group 7) and two of its VFs (groups 8 and 9), one with a netdev.
void addSriovNic(FakeHost &fake)
{
    fake.addPci({.address = "0000:04:00.0",
                 .classCode = 0x020000,
                 .vendor = 0x15b3,
                 .device = 0x1017,
                 .driver = "mlx5_core",
                 .group = 7});
    fake.addPci({.address = "0000:04:00.2",
                 .classCode = 0x020000,
                 .vendor = 0x15b3,
                 .device = 0x1018,
                 .driver = "mlx5_core",
                 .group = 8,
                 .physfn = "0000:04:00.0"});
    fake.addPci({.address = "0000:04:00.3",
                 .classCode = 0x020000,
                 .vendor = 0x15b3,
                 .device = 0x1018,
                 .driver = "mlx5_core",
                 .group = 9,
                 .physfn = "0000:04:00.0"});
    fake.addNet("enp4s0v0", "0000:04:00.2", "52:54:00:00:04:02");
}

} // namespace

void buildWorkstation(FakeHost &fake)
{
    fake.addPci({.address = "0000:00:00.0", .classCode = 0x060000, .vendor = 0x8086, .device = 0x3e30, .group = 0});
    addGpuWithAudio(fake, "nvidia", 1);
    fake.addPci({.address = "0000:00:02.0",
                 .classCode = 0x030000,
                 .vendor = 0x8086,
                 .device = 0x3e92,
                 .driver = "i915",
                 .group = 2,
                 .bootVga = true});
    fake.addPci({.address = "0000:00:14.0",
                 .classCode = 0x0c0330,
                 .vendor = 0x8086,
                 .device = 0xa36d,
                 .driver = "xhci_hcd",
                 .group = 3});
    fake.addUsb("usb1", "0000:00:14.0", 0x1d6b, 0x0002, 1, 1);
    fake.addUsb("1-1", "0000:00:14.0", 0x046d, 0xc31c, 1, 2, "usb1");
    fake.addPci({.address = "0000:00:17.0",
                 .classCode = 0x010601,
                 .vendor = 0x8086,
                 .device = 0xa352,
                 .driver = "ahci",
                 .group = 4});
    fake.addScsiDisk("0:0:0:0", "0000:00:17.0", "ATA", "Samsung SSD 860", "sda", "8:0",
                     {{"sda1", "8:1"}, {"sda2", "8:2"}});
    fake.addMount("8:1", "/dev/sda1", "/");
    fake.addSwap("sda2");
    fake.addPci({.address = "0000:02:00.0",
                 .classCode = 0x010802,
                 .vendor = 0x144d,
                 .device = 0xa808,
                 .driver = "nvme",
                 .group = 5});
    fake.addNvmeDisk("0000:02:00.0", "nvme0n1", "259:0", {{"nvme0n1p1", "259:1"}});
    addHostNics(fake);
    addSriovNic(fake);
    fake.addPci({.address = "0000:05:00.0",
                 .classCode = 0x020000,
                 .vendor = 0x8086,
                 .device = 0x10d3,
                 .driver = "e1000e",
                 .group = 10});
    fake.addNet("br0", "", "52:54:00:00:00:b0");
    fake.addNet("enp5s0", "0000:05:00.0", "52:54:00:00:05:00", "br0");
    fake.addIpv4("br0", "10.0.0.1", 24);
    fake.addPci(
        {.address = "0000:06:00.0", .classCode = 0x0c0330, .vendor = 0x1b21, .device = 0x2142, .driver = "xhci_hcd"});
}

} // namespace vfioctl::testing

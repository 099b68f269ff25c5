// make_synthetic_host N: writes a synthetic host of about N PCI functions; prints its root directory and the count.
// make_synthetic_host workstation: writes the unit tests' workstation (tests/fixtures/workstation.h) instead, with
// the console a UEFI desktop boots with (fbcon over the firmware's framebuffer) on its boot GPU.
#include "fake_console.h"
#include "synthetic_host.h"
#include "workstation.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_synthetic_host N|workstation\n");
        return 2;
    }
    vfioctl::testing::FakeHost fake;
    fake.keepTree();
    int added = 0;
    if (std::string(argv[1]) == "workstation") {
        vfioctl::testing::buildWorkstation(fake);
        vfioctl::testing::addUefiDesktopConsole(fake);
    } else
        added = vfioctl::bench::buildSyntheticHost(fake, std::atoi(argv[1]));
    std::printf("%s %d\n", fake.root().c_str(), added);
    return 0;
}

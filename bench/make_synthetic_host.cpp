// make_synthetic_host DIR N: writes a synthetic host of about N PCI functions; prints its root directory.
#include "synthetic_host.h"

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_synthetic_host N\n");
        return 2;
    }
    vfioctl::testing::FakeHost fake;
    fake.keepTree();
    int added = vfioctl::bench::buildSyntheticHost(fake, std::atoi(argv[1]));
    std::printf("%s %d\n", fake.root().c_str(), added);
    return 0;
}

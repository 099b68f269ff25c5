// Figure for the binding engine's parallelism: binding 1 and 8 IOMMU groups on the simulated kernel with 200 ms of
// unbind latency per device. One worker per group means 8 groups should cost about what 1 does, not 8 times it.
#include "bind_engine.h"
#include "fake_module_loader.h"
#include "simulated_kernel.h"
#include "testkit.h"

#include <chrono>
#include <cstdio>

using namespace vfioctl;
using vfioctl::testing::FakeHost;
using vfioctl::testing::KernelStep;
using vfioctl::testing::SimulatedKernel;
using vfioctl::testing::vmOwner;

namespace {

double secondsToBind(int groups)
{
    FakeHost fake;
    BindRequest request{vmOwner("bench"), {}, Force::No};
    for (int group = 0; group < groups; ++group) {
        char address[32];
        std::snprintf(address, sizeof address, "0000:%02x:00.0", group + 1);
        fake.addPci({.address = address,
                     .classCode = 0x030000,
                     .vendor = 0x10de,
                     .device = 0x2204,
                     .subVendor = 0,
                     .subDevice = 0,
                     .revision = 0,
                     .driver = "nouveau",
                     .group = group + 1});
        request.devices.push_back(PciAddress::parse(address));
    }
    SimulatedKernel kernel(fake);
    kernel.delay(KernelStep::Unbind, std::chrono::milliseconds(200));
    vfioctl::testing::FakeModuleLoader modules(kernel);
    BindEngine engine(kernel, modules, std::chrono::seconds(10));
    auto start = std::chrono::steady_clock::now();
    engine.bind(request);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main()
{
    double one = secondsToBind(1);
    double eight = secondsToBind(8);
    std::printf("parallel bind, 200 ms unbind latency: 1 group %.3f s, 8 groups %.3f s (%.2fx one group; "
                "sequential would be 8x)\n",
                one, eight, eight / one);
    return 0;
}

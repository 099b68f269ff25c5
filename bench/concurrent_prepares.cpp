// Figure for concurrent VM starts (issue 14, point 2): 16 hook `prepare begin` calls at once, each for a VM of its
// own IOMMU group, on the simulated kernel with 200 ms of latency on every unbind, against one such call alone. Each
// call has its own QemuHook and engine, as each libvirt hook process does; the host lock is a flock on its own open
// file, which excludes threads as it excludes processes. Prints "one S sixteen S".
#include "fake_module_loader.h"
#include "qemu_hook.h"
#include "simulated_kernel.h"

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace vfioctl;

namespace {

double secondsForPrepares(int vms)
{
    testing::FakeHost fake;
    for (int i = 0; i < vms; ++i) {
        char address[32];
        std::snprintf(address, sizeof address, "0000:%02x:00.0", i + 1);
        fake.addPci({.address = address,
                     .classCode = 0x010802,
                     .vendor = 0x144d,
                     .device = 0xa808,
                     .driver = "nvme",
                     .group = i + 1});
    }
    fake.addDriver("vfio-pci");
    testing::SimulatedKernel kernel(fake);
    kernel.delay(testing::KernelStep::Unbind, std::chrono::milliseconds(200));
    testing::FakeModuleLoader modules(kernel);
    std::vector<int> results(vms, -1);
    const auto start = std::chrono::steady_clock::now();
    {
        std::vector<std::jthread> starts;
        for (int i = 0; i < vms; ++i)
            starts.emplace_back([&, i] {
                char hostdev[400]; // each VM its own UUID, its identity for the journal
                std::snprintf(hostdev, sizeof hostdev,
                              "<domain><name>vm%d</name><uuid>4dea22b3-1d52-d8f3-2516-%012x</uuid><devices>"
                              "<hostdev mode='subsystem' type='pci' managed='yes'>"
                              "<source><address domain='0x0000' bus='0x%02x' slot='0x00' function='0x0'/></source>"
                              "</hostdev></devices></domain>",
                              i, i + 1, i + 1);
                const std::string xml = hostdev, name = "vm" + std::to_string(i);
                hook::RecordingHookLog log;
                hook::QemuHook qemuHook(kernel, modules, log, std::chrono::seconds(30));
                std::ostringstream err;
                results[i] = qemuHook.run({name, "prepare", "begin", "-"}, [&] { return xml; }, err);
            });
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (int i = 0; i < vms; ++i)
        if (results[i] != 0) {
            std::fprintf(stderr, "prepare of vm%d failed\n", i);
            std::exit(1);
        }
    return seconds;
}

} // namespace

int main()
{
    const double one = secondsForPrepares(1);
    const double sixteen = secondsForPrepares(16);
    std::printf("one %.4f sixteen %.4f\n", one, sixteen);
    return 0;
}

// The hook's `prepare begin` for a VM with 8 PCI hostdevs (8 IOMMU groups) on the simulated kernel, in-process,
// then its `release end`: the cost of the hook's own work with no kernel latency. Prints seconds (median of 5).
#include "fake_module_loader.h"
#include "qemu_hook.h"
#include "simulated_kernel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <vector>

using namespace vfioctl;

int main()
{
    std::vector<double> prepares, releases;
    for (int run = 0; run < 5; ++run) {
        testing::FakeHost fake;
        std::string devices;
        for (int i = 0; i < 8; ++i) {
            char address[32];
            std::snprintf(address, sizeof address, "0000:%02x:00.0", i + 1);
            fake.addPci({.address = address,
                         .classCode = 0x010802,
                         .vendor = 0x144d,
                         .device = 0xa808,
                         .driver = "nvme",
                         .group = i + 1});
            char hostdev[200];
            std::snprintf(hostdev, sizeof hostdev,
                          "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
                          "bus='0x%02x' slot='0x00' function='0x0'/></source></hostdev>",
                          i + 1);
            devices += hostdev;
        }
        fake.addDriver("vfio-pci");
        testing::SimulatedKernel kernel(fake);
        testing::FakeModuleLoader modules(kernel);
        hook::RecordingHookLog log;
        hook::QemuHook qemuHook(kernel, modules, log, std::chrono::seconds(5));
        const std::string xml = "<domain><name>bench</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid><devices>" +
                                devices + "</devices></domain>";
        std::ostringstream err;
        auto start = std::chrono::steady_clock::now();
        if (qemuHook.run({"bench", "prepare", "begin", "-"}, [&] { return xml; }, err) != 0) {
            std::fprintf(stderr, "prepare failed: %s", err.str().c_str());
            return 1;
        }
        auto middle = std::chrono::steady_clock::now();
        qemuHook.run({"bench", "release", "end", "-"}, [&] { return xml; }, err);
        auto end = std::chrono::steady_clock::now();
        prepares.push_back(std::chrono::duration<double>(middle - start).count());
        releases.push_back(std::chrono::duration<double>(end - middle).count());
    }
    std::sort(prepares.begin(), prepares.end());
    std::sort(releases.begin(), releases.end());
    std::printf("prepare %.4f release %.4f\n", prepares[2], releases[2]);
    return 0;
}

// Loading a module in the simulated kernel registers its driver directory, as modprobe does on Linux.
#pragma once

#include "module_loader.h"
#include "simulated_kernel.h"

#include <string>
#include <vector>

namespace vfioctl::testing {

class FakeModuleLoader : public ModuleLoader {
public:
    explicit FakeModuleLoader(SimulatedKernel &kernel) : kernel_(kernel) {}
    void load(const std::string &name) override
    {
        loaded.push_back(name);
        kernel_.loadDriver(name);
    }
    std::vector<std::string> loaded;

private:
    SimulatedKernel &kernel_;
};

} // namespace vfioctl::testing

// Loading kernel modules (vfio-pci) behind an interface, so tests never touch the real kernel.
#pragma once

#include <memory>
#include <string>

namespace vfioctl {

class ModuleLoader {
public:
    virtual ~ModuleLoader() = default;
    // Loads the module and its dependencies; throws Error with libkmod's reason when it cannot.
    virtual void load(const std::string &name) = 0;
};

// libkmod on the running kernel's /lib/modules (production only: a fake root cannot load modules).
std::unique_ptr<ModuleLoader> makeKmodLoader();

// A captured --root tree is not the running kernel: this loader refuses, so nothing is ever loaded on its behalf.
std::unique_ptr<ModuleLoader> makeRefusingLoader();

} // namespace vfioctl

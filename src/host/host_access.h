// Live host or captured tree, decided once in each main: the root, where hardware names come from and whether
// modules may be loaded go together, so no code below asks again which kind of host it has.
#pragma once

#include "hardware_names.h"
#include "host_root.h"
#include "module_loader.h"
#include "service_manager.h"

#include <memory>
#include <string>

namespace vfioctl {

struct HostAccess {
    std::unique_ptr<HostRoot> root;
    std::unique_ptr<HardwareNames> names;
    std::unique_ptr<ModuleLoader> modules;
    std::unique_ptr<ServiceManager> services; // systemd's units (a console hand-off stops and starts them)
    bool live = false;                        // this machine's own / (its libvirt is the one to ask)
};

// Whether the caller shows hardware names: the hook never does, and must not map udev's hwdb at every VM step.
enum class WithNames { Yes, No };

// This machine: udev's hwdb for names, libkmod for modules, systemd for units.
HostAccess openLiveHost(WithNames names = WithNames::Yes);
// Who named the tree, so that an error speaks of what the user gave: the CLI's --root, the hook's VFIOCTL_ROOT.
enum class RootGivenBy { Option, Environment };

// A captured or fabricated tree. Its path must name a directory (Error otherwise, naming `givenBy`). No module is ever
// loaded nor any unit stopped on its behalf, and hardware names come from the tree's own pci.ids or not at all: a
// tree's devices are never named from this host's database.
HostAccess openCapturedTree(const std::string &directory, WithNames names = WithNames::Yes,
                            RootGivenBy givenBy = RootGivenBy::Option);
// "/" is the live host, anything else a captured tree; an empty path is an error, never "this host".
HostAccess openHost(const std::string &root, WithNames names = WithNames::Yes,
                    RootGivenBy givenBy = RootGivenBy::Option);

} // namespace vfioctl

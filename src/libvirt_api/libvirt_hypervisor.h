// The Hypervisor interface over the libvirt C API. Linked into the CLI only: the hook must never call libvirt.
#pragma once

#include "hypervisor.h"

#include <memory>
#include <optional>
#include <string>

namespace vfioctl {

// Connects to `uri` ("qemu:///system", "test:///path/node.xml"); throws Error with libvirt's reason in one sentence,
// or saying libvirt is not installed.
enum class LibvirtAccess { ReadOnly, ReadWrite }; // ReadOnly: listings, which must work for a read-only user
std::unique_ptr<Hypervisor> connectLibvirt(const std::string &uri, LibvirtAccess access);
// The version of the installed libvirt library ("9.0.0"), from virGetVersion(): no connection needed. Nothing when
// libvirt is not installed.
std::optional<std::string> loadedLibvirtVersion();

} // namespace vfioctl

// The Hypervisor interface over the libvirt C API. Linked into the CLI only: the hook must never call libvirt.
#pragma once

#include "hypervisor.h"

#include <memory>
#include <string>

namespace vfioctl {

// Connects to `uri` ("qemu:///system", "test:///path/node.xml"); throws Error with libvirt's reason in one sentence.
std::unique_ptr<Hypervisor> connectLibvirt(const std::string &uri, bool readOnly);

} // namespace vfioctl

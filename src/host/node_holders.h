// Who holds a device's nodes open: the DRM, framebuffer and NVIDIA device nodes a PCI function's driver publishes,
// and every process with one of them open (from /proc/PID/fd, through the host seam). A driver whose nodes are open
// does not let go: its unbind waits for them, so bind refuses first, naming each holder.
#pragma once

#include "host_root.h"
#include "pci_address.h"

#include <string>
#include <vector>

namespace vfioctl {

struct NodeHolder {
    int pid = 0;
    std::string command; // /proc/PID/comm: "Xorg"
    std::string node;    // "/dev/dri/card0"
    bool operator==(const NodeHolder &) const = default;
};

// /dev/dri/cardN and /dev/dri/renderDN (its drm/ children), /dev/fbN (graphics/fbN), and every /dev/nvidia* node
// while NVIDIA's driver (`driver` "nvidia") has it. Empty for a device that publishes none (most devices).
// `hasNodeDirectories` false: a scan of the device's directory just saw neither drm/ nor graphics/, so they are not
// looked for again (NVIDIA's nodes, which name no device, still are).
std::vector<std::string> deviceNodesOf(const HostRoot &host, const PciAddress &device, const std::string &driver,
                                       bool hasNodeDirectories = true);
// Every process with one of `nodes` open, by pid. A process that ends while it is read, or one this user may not
// read, is left out.
std::vector<NodeHolder> nodeHolders(const HostRoot &host, const std::vector<std::string> &nodes);
// "Xorg (pid 812) has /dev/dri/card0 open, pipewire (pid 1400) has /dev/dri/renderD128 open"
std::string describeHolders(const std::vector<NodeHolder> &holders);

} // namespace vfioctl

// The host console's hold on the boot GPU, as sysfs shows it: the virtual consoles bound to a frame buffer device
// (fbcon), and the firmware's framebuffers on the platform bus, which lie on the boot GPU's memory. Read by the
// listing (what a hand-off would release) and by the hand-off itself (binding/console_handoff.h).
#pragma once

#include "host_root.h"

#include <string>
#include <vector>

namespace vfioctl {

struct PlatformFramebuffer {
    std::string device; // "efi-framebuffer.0"
    std::string driver; // "efi-framebuffer"
    bool operator==(const PlatformFramebuffer &) const = default;
};

struct ConsoleHold {
    std::vector<std::string> vtconsoles;           // "vtcon1": bound, and a frame buffer device
    std::vector<PlatformFramebuffer> framebuffers; // bound to their driver
    bool empty() const { return vtconsoles.empty() && framebuffers.empty(); }
    bool operator==(const ConsoleHold &) const = default;
};

// The platform drivers of the firmware's framebuffers.
bool isFramebufferDriver(std::string_view driver);
// What holds the console now.
ConsoleHold consoleHold(const HostRoot &host);
bool vtconsoleBound(const HostRoot &host, const std::string &vtconsole);
// The platform device's driver now ("" for none).
std::string platformDriverOf(const HostRoot &host, const std::string &device);
// "vtcon1 (the console on the frame buffer device)", "efi-framebuffer.0 (efi-framebuffer)": for what a hand-off
// releases.
std::vector<std::string> describeHold(const ConsoleHold &hold);

} // namespace vfioctl

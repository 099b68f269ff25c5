#include "console_hold.h"

#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

namespace {

constexpr std::string_view framebufferDrivers[] = {"efi-framebuffer", "simple-framebuffer", "vesa-framebuffer"};

} // namespace

bool isFramebufferDriver(std::string_view driver)
{
    return std::find(std::begin(framebufferDrivers), std::end(framebufferDrivers), driver) !=
           std::end(framebufferDrivers);
}

bool vtconsoleBound(const HostRoot &host, const std::string &vtconsole)
{
    return trimmed(host.read(joinPath(joinPath(layout::vtconsoleClass, vtconsole), "bind")).value_or("0")) == "1";
}

std::string platformDriverOf(const HostRoot &host, const std::string &device)
{
    auto link = host.readLink(joinPath(joinPath(layout::platformDevices, device), "driver"));
    return link ? baseName(*link) : std::string();
}

ConsoleHold consoleHold(const HostRoot &host)
{
    ConsoleHold hold;
    for (const auto &name : host.list(std::string(layout::vtconsoleClass))) {
        const std::string description =
            host.read(joinPath(joinPath(layout::vtconsoleClass, name), "name")).value_or("");
        if (description.find("frame buffer device") != std::string::npos && vtconsoleBound(host, name))
            hold.vtconsoles.push_back(name);
    }
    for (const auto &device : host.list(std::string(layout::platformDevices))) {
        const std::string driver = platformDriverOf(host, device);
        if (isFramebufferDriver(driver))
            hold.framebuffers.push_back({device, driver});
    }
    return hold;
}

std::vector<std::string> describeHold(const ConsoleHold &hold)
{
    std::vector<std::string> parts;
    for (const auto &name : hold.vtconsoles)
        parts.push_back(name + " (the console on the frame buffer device)");
    for (const auto &framebuffer : hold.framebuffers)
        parts.push_back(framebuffer.device + " (" + framebuffer.driver + ")");
    return parts;
}

} // namespace vfioctl

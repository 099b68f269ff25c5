#include "console_handoff.h"

#include "error.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

namespace {

std::string vtconsolePath(const std::string &name)
{
    return joinPath(joinPath(layout::vtconsoleClass, name), "bind");
}

enum class Change { Release, GiveBack };

void changeVtconsole(HostRoot &host, const std::string &name, Change change)
{
    const bool bound = change == Change::GiveBack;
    try {
        host.write(vtconsolePath(name), bound ? "1" : "0");
    } catch (const Error &error) {
        throw Error(std::string(bound ? "cannot bind " : "cannot unbind ") + name +
                        " (the console on the frame "
                        "buffer device) " +
                        (bound ? "again" : "from it") + ": " + error.what(),
                    error.errorNumber());
    }
}

void changeFramebuffer(HostRoot &host, const PlatformFramebuffer &framebuffer, Change change)
{
    const bool bound = change == Change::GiveBack;
    try {
        host.write(joinPath(joinPath(layout::platformDrivers, framebuffer.driver), bound ? "bind" : "unbind"),
                   framebuffer.device);
    } catch (const Error &error) {
        throw Error(std::string(bound ? "cannot give " : "cannot release ") + framebuffer.device +
                        (bound ? " back to " : " from ") + framebuffer.driver + ": " + error.what(),
                    error.errorNumber());
    }
}

} // namespace

void releaseConsole(HostRoot &host, const ConsoleHold &hold)
{
    ConsoleHold released;
    try {
        for (const auto &name : hold.vtconsoles) {
            changeVtconsole(host, name, Change::Release);
            released.vtconsoles.push_back(name);
        }
        for (const auto &framebuffer : hold.framebuffers) {
            changeFramebuffer(host, framebuffer, Change::Release);
            released.framebuffers.push_back(framebuffer);
        }
    } catch (const Error &error) {
        const auto failures = restoreConsole(host, released);
        throw Error(std::string(error.what()) +
                        (failures.empty() ? "; the console is as it was"
                                          : "; giving the console back failed too: " + joinWith(failures, "; ")),
                    error.errorNumber());
    }
}

std::vector<std::string> restoreConsole(HostRoot &host, const ConsoleHold &hold)
{
    std::vector<std::string> failures;
    for (auto framebuffer = hold.framebuffers.rbegin(); framebuffer != hold.framebuffers.rend(); ++framebuffer) {
        try {
            if (platformDriverOf(host, framebuffer->device).empty() &&
                host.exists(joinPath(layout::platformDevices, framebuffer->device)))
                changeFramebuffer(host, *framebuffer, Change::GiveBack);
        } catch (const Error &error) {
            failures.emplace_back(error.what());
        }
    }
    for (auto name = hold.vtconsoles.rbegin(); name != hold.vtconsoles.rend(); ++name) {
        try {
            if (!vtconsoleBound(host, *name))
                changeVtconsole(host, *name, Change::GiveBack);
        } catch (const Error &error) {
            failures.emplace_back(error.what());
        }
    }
    return failures;
}

std::vector<std::string> reprobeConnectors(HostRoot &host, const PciAddress &gpu)
{
    std::vector<std::string> failures;
    const std::string drm = joinPath(joinPath(layout::pciDevices, gpu.str()), "drm");
    for (const auto &card : host.list(drm)) {
        if (!card.starts_with("card"))
            continue;
        for (const auto &connector : host.list(joinPath(drm, card))) {
            if (!connector.starts_with(card + "-"))
                continue;
            const std::string status = joinPath(joinPath(joinPath(drm, card), connector), "status");
            try {
                if (host.exists(status))
                    host.write(status, "detect");
            } catch (const Error &error) {
                failures.push_back("cannot probe " + connector + " again: " + error.what());
            }
        }
    }
    return failures;
}

} // namespace vfioctl

// Stopping and starting systemd units (a display manager before its GPU is handed to a VM, and again after) behind
// an interface, so tests never touch the host's service manager. Production talks to systemd over D-Bus (sd-bus):
// no shell, no systemctl.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace vfioctl {

// A systemd unit name as systemd accepts one ("display-manager.service", "getty@tty1.service"): at most 255 bytes of
// letters, digits and ":-_.\@", ending in a unit type's suffix.
bool isUnitName(std::string_view name);
// How many units one VM's policy may stop.
inline constexpr size_t maxStopUnits = 16;

class ServiceManager {
public:
    virtual ~ServiceManager() = default;
    // Whether the unit runs now (active, activating, reloading): only a running unit is stopped, and started again.
    // A unit systemd does not know is not running.
    virtual bool running(const std::string &unit) = 0;
    // Each waits at most `limit` for systemd's job to end, and throws Error (one sentence naming the unit) when the
    // job fails, is cancelled or does not end in time.
    virtual void stop(const std::string &unit, std::chrono::milliseconds limit) = 0;
    virtual void start(const std::string &unit, std::chrono::milliseconds limit) = 0;
};

// systemd on this machine, through libsystemd's sd-bus on the system bus (opened when a unit is first asked about).
std::unique_ptr<ServiceManager> makeSystemdManager();
// A captured --root tree has no service manager: every call is refused in a sentence saying so.
std::unique_ptr<ServiceManager> makeRefusingServiceManager();

} // namespace vfioctl

// The kernel steps that move one PCI device between drivers, each verified, with errors naming device and step.
#pragma once

#include "host_root.h"
#include "pci_address.h"

#include <chrono>
#include <string>

namespace vfioctl {

inline constexpr std::string_view vfioDriver = "vfio-pci";
// An original driver nobody recorded (a device found on vfio-pci with no owner, given back by hand): the way back
// lets the kernel pick the driver, as a probe does.
inline constexpr std::string_view kernelDefaultDriver = "*";

// What a device had before we touched it, and what it must get back.
struct DriverState {
    std::string driver;   // "" for none
    std::string override; // "" for unset
    bool operator==(const DriverState &) const = default;
};

class DriverBinder {
public:
    DriverBinder(HostRoot &host, std::chrono::milliseconds timeout) : host_(host), timeout_(timeout) {}

    DriverState stateOf(const PciAddress &device) const;
    // driver_override + unbind + drivers_probe, then waits for the driver link to show vfio-pci.
    void bindToVfio(const PciAddress &device);
    // Gives the device back to `original.driver` (through its override, so a non-default driver such as pci-stub
    // comes back too), then restores the original override. A device that had no driver is left unbound. A device
    // that is not there, or goes away meanwhile (hot-unplug), is an outcome: there is nothing left to give back.
    enum class Outcome { Restored, Gone };
    Outcome restore(const PciAddress &device, const DriverState &original);
    bool present(const PciAddress &device) const;

private:
    void setOverride(const PciAddress &device, const std::string &driver);
    void unbindCurrent(const PciAddress &device);
    void probe(const PciAddress &device);
    void waitForDriver(const PciAddress &device, const std::string &expected);

    HostRoot &host_;
    std::chrono::milliseconds timeout_;
};

} // namespace vfioctl

#include "driver_binder.h"

#include "error.h"
#include "pci_scanner.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <thread>

namespace vfioctl {

namespace {

// Rewrites "cannot write '...' to /sys/...: <errno text>" as "<what failed>: <errno text>".
[[noreturn]] void rethrowAsStep(const Error &error, const std::string &whatFailed)
{
    std::string reason = error.errorNumber() ? errnoText(error.errorNumber()) : error.what();
    throw Error(whatFailed + ": " + reason, error.errorNumber());
}

} // namespace

DriverState DriverBinder::stateOf(const PciAddress &device) const
{
    DriverState state;
    state.driver = currentDriver(host_, device);
    if (auto text = host_.read(joinPath(pciDevicePath(device), "driver_override")))
        state.override = parseDriverOverride(*text);
    return state;
}

void DriverBinder::setOverride(const PciAddress &device, const std::string &driver)
{
    try {
        // A lone newline clears the override (the kernel stores NULL, which reads back as "(null)").
        host_.write(joinPath(pciDevicePath(device), "driver_override"), driver.empty() ? "\n" : driver);
    } catch (const Error &error) {
        rethrowAsStep(error,
                      "cannot set driver_override of " + device.str() + " to " + (driver.empty() ? "(null)" : driver));
    }
}

void DriverBinder::unbindCurrent(const PciAddress &device)
{
    const std::string driver = currentDriver(host_, device);
    if (driver.empty())
        return;
    try {
        host_.write(joinPath(joinPath(layout::pciDrivers, driver), "unbind"), device.str());
    } catch (const Error &error) {
        rethrowAsStep(error, "cannot unbind " + device.str() + " from " + driver);
    }
}

void DriverBinder::probe(const PciAddress &device)
{
    try {
        host_.write(std::string(layout::pciDriversProbe), device.str());
    } catch (const Error &error) {
        rethrowAsStep(error, "cannot probe drivers for " + device.str());
    }
}

void DriverBinder::waitForDriver(const PciAddress &device, const std::string &expected)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    for (;;) {
        std::string driver = currentDriver(host_, device);
        if (driver == expected)
            return;
        if (driver.empty() && !present(device))
            throw Error(device.str() + " went away while it was being bound to " + expected, ENODEV);
        if (std::chrono::steady_clock::now() >= deadline)
            throw Error(device.str() + " did not bind to " + expected + " within " + std::to_string(timeout_.count()) +
                            " ms (driver now: " + (driver.empty() ? "none" : driver) + ")",
                        ETIMEDOUT);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void DriverBinder::bindToVfio(const PciAddress &device)
{
    const std::string vfio(vfioDriver);
    DriverState now = stateOf(device);
    if (now.driver == vfio && now.override == vfio)
        return;
    setOverride(device, vfio);
    if (now.driver != vfio) {
        unbindCurrent(device);
        probe(device);
    }
    waitForDriver(device, vfio);
}

bool DriverBinder::present(const PciAddress &device) const
{
    return host_.exists(pciDevicePath(device));
}

DriverBinder::Outcome DriverBinder::restore(const PciAddress &device, const DriverState &original)
{
    if (!present(device))
        return Outcome::Gone;
    try {
        DriverState now = stateOf(device);
        if (now == original)
            return Outcome::Restored;
        if (original.driver == kernelDefaultDriver) {
            unbindCurrent(device);
            setOverride(device, original.override);
            probe(device);
            return Outcome::Restored;
        }
        if (now.driver != original.driver) {
            unbindCurrent(device);
            if (!original.driver.empty()) {
                setOverride(device, original.driver);
                probe(device);
                waitForDriver(device, original.driver);
            }
        }
        setOverride(device, original.override);
        return Outcome::Restored;
    } catch (const Error &) {
        if (!present(device))
            return Outcome::Gone; // it went away under us: the failure was its going
        throw;
    }
}

} // namespace vfioctl

#include "simulated_kernel.h"

#include "error.h"
#include "pci_address.h"
#include "sysfs_value.h"

#include <cerrno>
#include <filesystem>
#include <thread>

namespace vfioctl::testing {

namespace {

const std::string devices = "/sys/bus/pci/devices/";
const std::string drivers = "/sys/bus/pci/drivers/";

uint16_t idOf(const HostRoot &host, const std::string &device, const char *file)
{
    return static_cast<uint16_t>(parseHex(host.read(devices + device + "/" + file).value_or("")).value_or(0));
}

} // namespace

SimulatedKernel::SimulatedKernel(FakeHost &fake) : fake_(fake)
{
    for (const auto &device : fake_.host().list(devices)) {
        std::string driver = driverOf(device);
        if (!driver.empty())
            supports(driver, idOf(fake_.host(), device, "vendor"), idOf(fake_.host(), device, "device"));
    }
}

void SimulatedKernel::failAt(KernelStep step, const std::string &device, int errorNumber, int times)
{
    std::lock_guard lock(mutex_);
    faults_.push_back({step, device, errorNumber, times});
}

void SimulatedKernel::supports(const std::string &driver, uint16_t vendor, uint16_t device)
{
    std::lock_guard lock(mutex_);
    ids_[driver].insert({vendor, device});
}

void SimulatedKernel::loadDriver(const std::string &driver)
{
    std::lock_guard lock(mutex_);
    fake_.addDriver(driver);
    ids_[driver];
}

std::string SimulatedKernel::driverOf(const std::string &device) const
{
    auto link = fake_.host().readLink(devices + device + "/driver");
    return link ? baseName(*link) : std::string();
}

std::string SimulatedKernel::overrideOf(const std::string &device) const
{
    return parseDriverOverride(fake_.host().read(devices + device + "/driver_override").value_or(""));
}

bool SimulatedKernel::matches(const std::string &driver, const std::string &device) const
{
    // As in the kernel: an override makes only that driver match; otherwise the driver's id table decides.
    std::string override = overrideOf(device);
    if (!override.empty())
        return override == driver;
    auto table = ids_.find(driver);
    return table != ids_.end() &&
           table->second.contains({idOf(fake_.host(), device, "vendor"), idOf(fake_.host(), device, "device")});
}

void SimulatedKernel::attach(const std::string &device, const std::string &driver)
{
    if (neverBinds_.contains(driver))
        return;
    fake_.link(fake_.devicePath(device) + "/driver", drivers + driver);
    fake_.link(drivers + driver + "/" + device, fake_.devicePath(device));
}

void SimulatedKernel::detach(const std::string &device)
{
    std::string driver = driverOf(device);
    std::filesystem::remove(fake_.root() + fake_.devicePath(device) + "/driver");
    std::filesystem::remove(fake_.root() + drivers + driver + "/" + device);
    if (auto sriov = sriovDrivers_.find(driver); sriov != sriovDrivers_.end() &&
                                                 sriov->second.atUnbind == VfsAtUnbind::Removed &&
                                                 fake_.host().exists(fake_.devicePath(device) + "/sriov_numvfs")) {
        fake_.removeVirtualFunctions(device);
        fake_.writeFile(fake_.devicePath(device) + "/sriov_numvfs", "0\n");
    }
}

void SimulatedKernel::removeDevice(const std::string &device)
{
    std::lock_guard lock(mutex_);
    const std::string path = fake_.devicePath(device);
    if (!fake_.host().exists(path))
        return;
    if (!driverOf(device).empty())
        std::filesystem::remove(fake_.root() + drivers + driverOf(device) + "/" + device);
    if (auto group = fake_.host().readLink(path + "/iommu_group"))
        std::filesystem::remove(fake_.root() + "/sys/kernel/iommu_groups/" + baseName(*group) + "/devices/" + device);
    std::filesystem::remove_all(fake_.root() + path);
    std::filesystem::remove(fake_.root() + devices + device);
}

void SimulatedKernel::sriovDriver(const std::string &pfDriver, const std::string &vfDriver, VfsAtUnbind atUnbind)
{
    sriovDrivers_[pfDriver] = {vfDriver, atUnbind};
}

void SimulatedKernel::createVfs(const std::string &pf, int count, const std::string &vfDriver)
{
    const PciAddress base = PciAddress::parse(pf);
    // Where the PF says (sriov_offset, sriov_stride), or right after it.
    const auto offset = parseDecimal(fake_.read(fake_.devicePath(pf) + "/sriov_offset")).value_or(1);
    const auto stride = parseDecimal(fake_.read(fake_.devicePath(pf) + "/sriov_stride")).value_or(1);
    for (int index = 0; index < count; ++index) {
        const int routing = base.slot * 8 + base.function + static_cast<int>(offset + index * stride);
        PciAddress vf{base.domain, base.bus, static_cast<uint8_t>(routing / 8), static_cast<uint8_t>(routing % 8)};
        fake_.addPci({.address = vf.str(),
                      .classCode = 0x020000,
                      .vendor = idOf(fake_.host(), pf, "vendor"),
                      .device = static_cast<uint16_t>(idOf(fake_.host(), pf, "device") + 1),
                      .driver = vfDriver,
                      .group = nextGroup_++,
                      .parent = "",
                      .physfn = pf});
    }
}

void SimulatedKernel::setVfCount(const std::string &pf, const std::string &value)
{
    auto sriov = sriovDrivers_.find(driverOf(pf));
    if (sriov == sriovDrivers_.end())
        throw Error("simulated kernel: no driver that configures SR-IOV", ENOENT);
    const auto count = parseDecimal(value);
    const auto total = parseDecimal(fake_.read(fake_.devicePath(pf) + "/sriov_totalvfs"));
    const auto now = parseDecimal(fake_.read(fake_.devicePath(pf) + "/sriov_numvfs")).value_or(0);
    if (!count || *count < 0)
        throw Error("simulated kernel: " + errnoText(EINVAL), EINVAL);
    if (!total || *count > *total)
        throw Error("simulated kernel: " + errnoText(ERANGE), ERANGE);
    if (*count != 0 && now != 0 && *count != now)
        throw Error("simulated kernel: " + errnoText(EBUSY), EBUSY); // Linux changes a count only through 0
    if (*count == 0)
        fake_.removeVirtualFunctions(pf);
    else if (now == 0)
        createVfs(pf, static_cast<int>(*count), sriov->second.vfDriver);
    fake_.writeFile(fake_.devicePath(pf) + "/sriov_numvfs", std::to_string(*count) + "\n");
}

void SimulatedKernel::probe(const std::string &device)
{
    if (!driverOf(device).empty())
        return;
    // Every registered driver, id table or not: an override alone makes a driver match (vfio-pci has no ids).
    for (const auto &driver : fake_.host().list(std::string(drivers))) {
        if (matches(driver, device)) {
            attach(device, driver);
            return;
        }
    }
}

void SimulatedKernel::enter(KernelStep step, const std::string &device)
{
    ++writes_;
    if (hook_)
        hook_(step, device);
    for (auto fault = faults_.begin(); fault != faults_.end(); ++fault) {
        if (fault->step == step && (fault->device.empty() || fault->device == device) && fault->times != 0) {
            int errorNumber = fault->errorNumber;
            if (fault->times > 0 && --fault->times == 0)
                faults_.erase(fault);
            throw Error("simulated kernel: " + errnoText(errorNumber), errorNumber);
        }
    }
    auto latency = std::chrono::milliseconds(0);
    if (auto found = delays_.find(step); found != delays_.end())
        latency += found->second;
    if (auto found = deviceDelays_.find(device); found != deviceDelays_.end())
        latency += found->second;
    if (latency.count() > 0) {
        mutex_.unlock(); // let other groups' workers proceed meanwhile, as the real kernel would
        std::this_thread::sleep_for(latency);
        mutex_.lock();
    }
}

// A write to /sys/bus/pci/drivers/DRIVER/FILE; false for a file the kernel does not act on.
bool SimulatedKernel::writeDriverFile(const std::string &path, const std::string &value)
{
    std::string rest = path.substr(drivers.size());
    std::string driver = rest.substr(0, rest.find('/'));
    std::string file = baseName(rest);
    if (file == "unbind") {
        enter(KernelStep::Unbind, value);
        if (driverOf(value) != driver)
            throw Error("simulated kernel: not bound to " + driver, ENODEV);
        detach(value);
        return true;
    }
    if (file == "bind") {
        enter(KernelStep::Bind, value);
        if (!driverOf(value).empty())
            throw Error("simulated kernel: already bound", EBUSY);
        if (!matches(driver, value))
            throw Error("simulated kernel: driver does not match", ENODEV);
        attach(value, driver);
        return true;
    }
    if (file == "new_id" || file == "remove_id") {
        enter(KernelStep::NewId, "");
        auto words = splitWords(value);
        if (words.size() < 2 || !parseHex(words[0]) || !parseHex(words[1]))
            throw Error("simulated kernel: bad id", EINVAL);
        std::pair<uint16_t, uint16_t> id{static_cast<uint16_t>(*parseHex(words[0])),
                                         static_cast<uint16_t>(*parseHex(words[1]))};
        if (file == "remove_id") {
            ids_[driver].erase(id);
            return true;
        }
        ids_[driver].insert(id);
        for (const auto &device : fake_.host().list(devices)) // new_id probes unbound devices at once
            if (driverOf(device).empty() && matches(driver, device))
                attach(device, driver);
        return true;
    }
    return false;
}

void SimulatedKernel::write(const std::string &path, std::string_view data)
{
    std::lock_guard lock(mutex_);
    const std::string value = trimmed(data);
    if (path.starts_with(devices) && path.ends_with("/driver_override")) {
        std::string device = path.substr(devices.size(), 12);
        enter(KernelStep::SetOverride, device);
        fake_.writeFile(fake_.devicePath(device) + "/driver_override", (value.empty() ? "(null)" : value) + "\n");
        return;
    }
    if (path.starts_with(devices) && path.ends_with("/sriov_numvfs")) {
        std::string device = path.substr(devices.size(), 12);
        enter(KernelStep::SetVfCount, device);
        setVfCount(device, value);
        return;
    }
    if (path == "/sys/bus/pci/drivers_probe") {
        enter(KernelStep::Probe, value);
        if (!fake_.host().exists(devices + value))
            throw Error("simulated kernel: no such device", ENODEV);
        probe(value);
        return;
    }
    if (path.starts_with(drivers) && writeDriverFile(path, value))
        return;
    fake_.host().write(path, data);
}

} // namespace vfioctl::testing

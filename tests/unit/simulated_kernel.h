// A HostRoot over a fake tree that reacts to writes of driver_override, unbind, bind, drivers_probe, new_id and
// remove_id as Linux does (moving the driver links, honouring overrides), with fault and latency injection.
#pragma once

#include "fake_host.h"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace vfioctl::testing {

enum class KernelStep { SetOverride, Unbind, Bind, Probe, NewId, SetVfCount };

class SimulatedKernel : public HostRoot {
public:
    // Drivers already bound in the tree are taken to support their devices' ids.
    explicit SimulatedKernel(FakeHost &fake);

    // The next matching write fails with errorNumber (device "" matches any device). `times` < 0: every time.
    void failAt(KernelStep step, const std::string &device, int errorNumber, int times = 1);
    void clearFaults()
    {
        std::lock_guard lock(mutex_);
        faults_.clear();
    }
    // A driver that accepts binds and probes but never attaches (the device stays unbound).
    void neverBinds(const std::string &driver) { neverBinds_.insert(driver); }
    // SR-IOV: a PF driver that can change its VF count, what its VFs get bound to ("" none, as nvme leaves them),
    // and whether its unbind destroys the VFs (NIC drivers disable SR-IOV in their remove; nvme does not).
    enum class VfsAtUnbind { Removed, Kept };
    void sriovDriver(const std::string &pfDriver, const std::string &vfDriver, VfsAtUnbind atUnbind);
    void delay(KernelStep step, std::chrono::milliseconds latency) { delays_[step] = latency; }
    // Every write for this one device takes this long (a slow driver), the others none.
    void delayDevice(const std::string &device, std::chrono::milliseconds latency)
    {
        std::lock_guard lock(mutex_);
        deviceDelays_[device] = latency;
    }
    // Called before every write with its step and device; may throw to simulate the process dying there.
    void onWrite(std::function<void(KernelStep, const std::string &)> hook) { hook_ = std::move(hook); }
    void supports(const std::string &driver, uint16_t vendor, uint16_t device);
    // Registers a driver (as loading its module does).
    void loadDriver(const std::string &driver);
    int writes() const { return writes_; }

    std::optional<std::string> read(const std::string &path, size_t limit = defaultReadLimit) const override
    {
        return fake_.host().read(path, limit);
    }
    void write(const std::string &path, std::string_view data) override;
    std::optional<std::string> readLink(const std::string &path) const override { return fake_.host().readLink(path); }
    std::vector<std::string> list(const std::string &path) const override { return fake_.host().list(path); }
    bool exists(const std::string &path) const override { return fake_.host().exists(path); }
    std::string canonical(const std::string &path) const override { return fake_.host().canonical(path); }
    void makeDirectories(const std::string &path, unsigned mode) override
    {
        stateWrite(path);
        fake_.host().makeDirectories(path, mode);
    }
    void replaceAtomically(const std::string &path, std::string_view data, unsigned mode) override
    {
        stateWrite(path);
        fake_.host().replaceAtomically(path, data, mode);
    }
    void remove(const std::string &path) override
    {
        stateWrite(path);
        fake_.host().remove(path);
    }
    void rename(const std::string &from, const std::string &to) override
    {
        stateWrite(from);
        fake_.host().rename(from, to);
    }
    std::string shown(const std::string &path) const override { return fake_.host().shown(path); }
    std::optional<FileLock> tryLockExclusive(const std::string &path) override
    {
        return fake_.host().tryLockExclusive(path);
    }

    // Called before every write of our own state (a journal saved or removed, a directory made, a file set aside);
    // may throw an Error to make that write fail (ENOSPC of a full /run, EIO, EROFS), or anything to die there.
    void onStateWrite(std::function<void(const std::string &)> hook)
    {
        std::lock_guard lock(mutex_);
        stateHook_ = std::move(hook);
    }
    // Hot-unplug (`echo 1 > .../remove`): the device, its links and its group membership go; its driver lets go.
    void removeDevice(const std::string &device);

private:
    struct Fault {
        KernelStep step;
        std::string device;
        int errorNumber;
        int times;
    };
    void enter(KernelStep step, const std::string &device);
    std::string driverOf(const std::string &device) const;
    std::string overrideOf(const std::string &device) const;
    bool matches(const std::string &driver, const std::string &device) const;
    void attach(const std::string &device, const std::string &driver);
    void detach(const std::string &device);
    void probe(const std::string &device);

    FakeHost &fake_;
    mutable std::recursive_mutex mutex_;
    std::map<std::string, std::set<std::pair<uint16_t, uint16_t>>> ids_;
    std::vector<Fault> faults_;
    std::set<std::string> neverBinds_;
    struct SriovDriver {
        std::string vfDriver;
        VfsAtUnbind atUnbind;
    };
    std::map<std::string, SriovDriver> sriovDrivers_;
    void setVfCount(const std::string &pf, const std::string &value);
    bool writeDriverFile(const std::string &path, const std::string &value);
    void createVfs(const std::string &pf, int count, const std::string &vfDriver);
    int nextGroup_ = 1000; // groups for VFs made here
    std::map<KernelStep, std::chrono::milliseconds> delays_;
    std::map<std::string, std::chrono::milliseconds> deviceDelays_;
    std::function<void(KernelStep, const std::string &)> hook_;
    std::function<void(const std::string &)> stateHook_;
    int writes_ = 0;
    void stateWrite(const std::string &path)
    {
        std::function<void(const std::string &)> hook;
        {
            std::lock_guard lock(mutex_);
            hook = stateHook_;
        }
        if (hook)
            hook(path);
    }
};

} // namespace vfioctl::testing

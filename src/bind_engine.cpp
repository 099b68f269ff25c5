#include "bind_engine.h"

#include "eligibility.h"
#include "host_check.h"
#include "error.h"
#include "inventory.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <ctime>
#include <exception>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

namespace vfioctl {

namespace {

// The endpoints to bind, grouped by IOMMU group, after refusing bridges, group-less devices and (without
// --force) devices the host uses.
std::map<int, std::vector<PciAddress>> plannedGroups(const Inventory &inventory, const BindRequest &request)
{
    std::map<int, std::vector<PciAddress>> groups;
    for (const auto &address : request.devices) {
        const PciDevice &device = inventory.requirePci(address);
        if (device.isBridge())
            throw Error("refusing to bind " + address.str() + ": it is a bridge, which stays with the host", EINVAL);
        if (!device.iommuGroup)
            throw Error("cannot bind " + address.str() +
                            ": it has no IOMMU group (the IOMMU is off or not supported; enable VT-d/AMD-Vi and boot "
                            "with intel_iommu=on or amd_iommu=on)",
                        ENODEV);
        const IommuGroup *group = inventory.findGroup(*device.iommuGroup);
        if (!group)
            throw Error("cannot bind " + address.str() + ": IOMMU group " + std::to_string(*device.iommuGroup) +
                            " is not listed under /sys/kernel/iommu_groups",
                        ENODEV);
        auto &endpoints = groups[group->number];
        if (!endpoints.empty())
            continue;
        for (const auto &member : group->devices) {
            const PciDevice *memberDevice = inventory.findPci(member);
            if (memberDevice && !memberDevice->isBridge())
                endpoints.push_back(member);
        }
    }
    if (request.force == Force::Yes)
        return groups;
    for (const auto &[number, endpoints] : groups) {
        for (const auto &address : endpoints) {
            std::vector<std::string> uses;
            for (const auto &reason : assessEligibility(inventory, inventory.requirePci(address)).reasons)
                if (reason.kind == IneligibleKind::UsedByHost || reason.kind == IneligibleKind::BootVga)
                    uses.push_back(reason.detail);
            if (!uses.empty())
                throw Error("refusing to bind " + address.str() + " (IOMMU group " + std::to_string(number) +
                                "): the host uses it: " + joinWith(uses, ", ") + "; " + request.hostUseHint,
                            EBUSY);
        }
    }
    return groups;
}

} // namespace

BindEngine::BindEngine(HostRoot &host, ModuleLoader &modules, std::chrono::milliseconds timeout)
    : host_(host), modules_(modules), binder_(host, timeout), journal_(host)
{
}

BindOutcome BindEngine::bind(const BindRequest &request)
{
    if (request.devices.empty())
        throw Error("no device to bind", EINVAL);
    // The freeze: on a host where passthrough cannot work, say why instead of moving devices for nothing.
    if (auto blocker = passthroughBlocker(host_))
        throw Error(*blocker, ENODEV);
    FileLock held = journal_.lock();
    NoHardwareNames noNames;
    const Inventory inventory = scanInventory(host_, noNames);
    const auto groups = plannedGroups(inventory, request);

    std::vector<Journal> journals = journal_.loadAll();
    Journal mine{request.owner, JournalState::Binding, static_cast<int64_t>(std::time(nullptr)), ::getpid(), {}};
    std::optional<Journal> before;
    for (const auto &journal : journals) {
        if (journal.owner == request.owner) {
            before = journal;
            mine.devices = journal.devices;
            mine.since = journal.since;
            continue;
        }
        for (const auto &[number, endpoints] : groups)
            for (const auto &address : endpoints)
                if (journal.find(address))
                    throw Error(address.str() + " (IOMMU group " + std::to_string(number) + ") is held by " +
                                    journal.owner + "; give it back first with 'vfioctl restore " + journal.owner + "'",
                                EBUSY);
    }

    if (!host_.exists(joinPath(layout::pciDrivers, vfioDriver)))
        modules_.load(std::string(vfioDriver));

    // The journal is on disk before the first change, so a crash at any later step can be rolled back.
    std::vector<JournalEntry> added;
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints)
            if (!mine.find(address)) {
                added.push_back({address, binder_.stateOf(address)});
                mine.devices.push_back(added.back());
            }
    journal_.save(mine);

    std::vector<std::exception_ptr> failures(groups.size());
    {
        std::vector<std::jthread> workers;
        size_t index = 0;
        for (const auto &group : groups) {
            // Not a structured binding: clang 14 (the fuzz build) cannot capture those.
            const std::vector<PciAddress> &endpoints = group.second;
            workers.emplace_back([this, &endpoints, &failure = failures[index++]] {
                try {
                    for (const auto &address : endpoints)
                        binder_.bindToVfio(address);
                } catch (...) {
                    failure = std::current_exception();
                }
            });
        }
    }

    std::exception_ptr first;
    for (const auto &failure : failures)
        if (failure && !first)
            first = failure;
    if (first) {
        try {
            std::rethrow_exception(first);
        } catch (const Error &error) {
            std::vector<std::string> rollbackFailures;
            restoreAll(added, rollbackFailures);
            if (!rollbackFailures.empty())
                throw Error(std::string(error.what()) + "; rolling back failed too (" +
                                joinWith(rollbackFailures, "; ") + "); run 'vfioctl recover'",
                            error.errorNumber());
            if (before)
                journal_.save(*before);
            else
                journal_.remove(request.owner);
            throw;
        }
        // Anything else is not a kernel refusal (an abort, a bug): the journal stays for 'vfioctl recover'.
    }

    mine.state = JournalState::Bound;
    journal_.save(mine);
    BindOutcome outcome;
    for (const auto &[number, endpoints] : groups) {
        outcome.groups.push_back(number);
        outcome.endpoints.insert(outcome.endpoints.end(), endpoints.begin(), endpoints.end());
    }
    return outcome;
}

void BindEngine::restoreAll(const std::vector<JournalEntry> &entries, std::vector<std::string> &failures)
{
    // Reverse order: companions go back before the device that brought them, as they were taken.
    for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
        try {
            binder_.restore(entry->device, entry->original);
        } catch (const Error &error) {
            failures.push_back(error.what());
        }
    }
}

std::vector<PciAddress> BindEngine::restoreOwner(const std::string &owner)
{
    FileLock held = journal_.lock();
    auto journal = journal_.load(owner);
    if (!journal)
        return {};
    journal->state = JournalState::Restoring;
    journal_.save(*journal);
    std::vector<std::string> failures;
    std::vector<PciAddress> restored;
    std::vector<JournalEntry> left;
    for (auto entry = journal->devices.rbegin(); entry != journal->devices.rend(); ++entry) {
        try {
            binder_.restore(entry->device, entry->original);
            restored.push_back(entry->device);
        } catch (const Error &error) {
            failures.push_back(error.what());
            left.insert(left.begin(), *entry);
        }
    }
    if (!failures.empty()) {
        journal->devices = left;
        journal_.save(*journal);
        throw Error("cannot give back everything " + owner + " holds: " + joinWith(failures, "; ") +
                        "; run 'vfioctl recover' once the cause is fixed",
                    EIO);
    }
    journal_.remove(owner);
    std::reverse(restored.begin(), restored.end());
    return restored;
}

void BindEngine::giveBack(const std::vector<PciAddress> &devices)
{
    FileLock held = journal_.lock();
    std::vector<Journal> journals = journal_.loadAll();
    for (const auto &address : devices) {
        auto holder = std::find_if(journals.begin(), journals.end(),
                                   [&](const Journal &journal) { return journal.find(address) != nullptr; });
        if (holder != journals.end()) {
            binder_.restore(address, holder->find(address)->original);
            std::erase_if(holder->devices, [&](const JournalEntry &entry) { return entry.device == address; });
            if (holder->devices.empty())
                journal_.remove(holder->owner);
            else
                journal_.save(*holder);
            continue;
        }
        DriverState now = binder_.stateOf(address);
        if (now.driver != vfioDriver)
            throw Error(address.str() + " is not bound to vfio-pci (driver: " +
                            (now.driver.empty() ? "none" : now.driver) + "), nothing to give back",
                        EINVAL);
        // Nobody recorded what it had: hand it to the kernel's default driver.
        binder_.restore(address, {"", now.override == vfioDriver ? "" : now.override});
        host_.write(std::string(layout::pciDriversProbe), address.str());
    }
}

std::vector<std::string> BindEngine::recover()
{
    FileLock held = journal_.lock();
    std::vector<std::string> recovered;
    std::vector<std::string> failures;
    for (const auto &journal : journal_.loadAll()) {
        if (journal.state == JournalState::Bound)
            continue;
        size_t before = failures.size();
        restoreAll(journal.devices, failures);
        if (failures.size() == before) {
            journal_.remove(journal.owner);
            recovered.push_back(journal.owner);
        }
    }
    if (!failures.empty())
        throw Error("cannot recover everything: " + joinWith(failures, "; "), EIO);
    return recovered;
}

std::vector<Journal> BindEngine::status() const
{
    return journal_.loadAll();
}

std::vector<JournalEntry> BindEngine::held(const std::string &owner) const
{
    auto journal = journal_.load(owner);
    return journal ? journal->devices : std::vector<JournalEntry>();
}

} // namespace vfioctl

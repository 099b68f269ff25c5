#include "bind_engine.h"

#include "bind_refusals.h"
#include "eligibility.h"
#include "error.h"
#include "host_check.h"
#include "inventory.h"
#include "pci_scanner.h"
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

BindEngine::BindEngine(HostRoot &host, ModuleLoader &modules, std::chrono::milliseconds timeout)
    : host_(host), modules_(modules), binder_(host, timeout), journal_(host)
{
}

BindOutcome BindEngine::bind(const BindRequest &request)
{
    if (request.devices.empty())
        throw Error("no device to bind", EINVAL);
    // The freeze: on a host where passthrough cannot work, say why instead of moving devices for nothing.
    if (auto blocker = passthroughBlocker(host_, request.devices))
        throw Error(*blocker, ENODEV);
    // Under the host lock: read, decide, refuse, and put the journal on disk. The kernel work then runs without it, so
    // VMs starting at once on other groups do not wait for each other's unbinds; this journal (state binding, our
    // pid) keeps every other bind off these groups and `recover` off this live transaction.
    std::map<int, std::vector<PciAddress>> groups;
    std::optional<Journal> before;
    Journal mine{request.owner, JournalState::Binding, static_cast<int64_t>(std::time(nullptr)), ::getpid(), {}};
    std::vector<JournalEntry> added;
    {
        FileLock held = journal_.lock();
        // Only the groups involved (on a host of thousands of VFs, a VM start must not read them all).
        const Inventory inventory = scanInventoryFor(host_, request.devices);
        groups = plannedGroups(inventory, request);
        const std::vector<Journal> journals = journal_.loadAll();
        refuseSriovParents(inventory, groups, journals);
        refuseOtherOwners(journals, request.owner, groups);
        refuseSuspects(groups, journals);
        // This owner's journal so far (what it already holds, and since when), or a fresh one.
        before = previousJournal(journals, request.owner);
        if (before && runningElsewhere(*before))
            throw Error(request.owner.describe() + " is being bound by process " + std::to_string(before->pid) +
                            " right now; try again when it ends",
                        EBUSY);
        if (before) {
            mine.devices = before->devices;
            mine.since = before->since;
        }

        if (!host_.exists(joinPath(layout::pciDrivers, vfioDriver)))
            modules_.load(std::string(vfioDriver));

        // The journal is on disk before the first change, so a crash at any later step can be rolled back.
        for (const auto &[number, endpoints] : groups)
            for (const auto &address : endpoints)
                if (!mine.find(address)) {
                    added.push_back({address, binder_.stateOf(address)});
                    mine.devices.push_back(added.back());
                }
        journal_.save(mine);
    }

    std::exception_ptr failure = bindGroups(groups);
    FileLock held = journal_.lock();
    if (failure)
        rollBack(failure, added, before, request.owner);

    mine.state = JournalState::Bound;
    journal_.save(mine);
    BindOutcome outcome;
    for (const auto &[number, endpoints] : groups) {
        outcome.groups.push_back(number);
        outcome.endpoints.insert(outcome.endpoints.end(), endpoints.begin(), endpoints.end());
    }
    return outcome;
}

std::exception_ptr BindEngine::bindGroups(const std::map<int, std::vector<PciAddress>> &groups)
{
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
    for (const auto &failure : failures)
        if (failure)
            return failure;
    return nullptr;
}

void BindEngine::refuseSuspects(const std::map<int, std::vector<PciAddress>> &groups,
                                const std::vector<Journal> &journals)
{
    const auto aside = journal_.quarantined();
    if (aside.empty())
        return;
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints) {
            bool owned = std::any_of(journals.begin(), journals.end(),
                                     [&](const Journal &journal) { return journal.find(address) != nullptr; });
            if (!owned && binder_.stateOf(address).driver == vfioDriver)
                throw Error(address.str() + " (IOMMU group " + std::to_string(number) +
                                ") is on vfio-pci with no valid owner, and the journal set aside as " +
                                aside.front().path +
                                " may hold it; read it, then run 'vfioctl recover --discard-corrupt'",
                            EBUSY);
        }
}

void BindEngine::rollBack(std::exception_ptr failure, const std::vector<JournalEntry> &added,
                          const std::optional<Journal> &before, const Owner &owner)
{
    try {
        std::rethrow_exception(failure);
    } catch (const Error &error) {
        std::vector<std::string> rollbackFailures;
        restoreAll(added, rollbackFailures);
        if (!rollbackFailures.empty())
            throw Error(std::string(error.what()) + "; rolling back failed too (" + joinWith(rollbackFailures, "; ") +
                            "); run 'vfioctl recover'",
                        error.errorNumber());
        if (before)
            journal_.save(*before);
        else
            journal_.remove(owner);
        throw;
    }
    // Anything else is not a kernel refusal (an abort, a bug): the journal stays for 'vfioctl recover'.
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

std::vector<PciAddress> BindEngine::restoreByHand(const Owner &owner, Force force)
{
    if (owner.isVm() && force == Force::No) {
        std::vector<PciAddress> devices;
        for (const auto &entry : held(owner))
            devices.push_back(entry.device);
        if (!devices.empty())
            throw Error(owner.describe() + " holds " + joinAddresses(devices) +
                            "; they go back when it stops (or with 'vfioctl unassign'); use --force to take them now, "
                            "and the VM loses them while it runs",
                        EBUSY);
    }
    return restoreOwner(owner);
}

std::vector<PciAddress> BindEngine::restoreOwner(const Owner &owner)
{
    FileLock held = journal_.lock();
    auto journal = journal_.load(owner);
    if (!journal)
        return {};
    if (runningElsewhere(*journal))
        throw Error(owner.describe() + " is being bound by process " + std::to_string(journal->pid) +
                        " right now; give it back when that ends",
                    EBUSY);
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
        throw Error("cannot give back everything " + owner.describe() + " holds: " + joinWith(failures, "; ") +
                        "; run 'vfioctl recover' once the cause is fixed",
                    EIO);
    }
    journal_.remove(owner);
    std::reverse(restored.begin(), restored.end());
    return restored;
}

std::vector<PciAddress> BindEngine::forgetGone(const std::vector<PciAddress> &devices)
{
    FileLock held = journal_.lock();
    std::vector<PciAddress> dropped;
    for (auto &journal : journal_.loadAll()) {
        // A transaction still running rewrites its own journal; it finds the device gone and fails on its own.
        if (runningElsewhere(journal))
            continue;
        const size_t before = journal.devices.size();
        std::erase_if(journal.devices, [&](const JournalEntry &entry) {
            const bool gone = std::find(devices.begin(), devices.end(), entry.device) != devices.end() &&
                              !host_.exists(pciDevicePath(entry.device));
            if (gone)
                dropped.push_back(entry.device);
            return gone;
        });
        if (journal.devices.size() == before)
            continue;
        if (journal.devices.empty())
            journal_.remove(journal.owner);
        else
            journal_.save(journal);
    }
    return dropped;
}

void BindEngine::giveBack(const std::vector<PciAddress> &devices, Force force)
{
    FileLock held = journal_.lock();
    std::vector<Journal> journals = journal_.loadAll();
    auto holderOf = [&](const PciAddress &address) {
        return std::find_if(journals.begin(), journals.end(),
                            [&](const Journal &journal) { return journal.find(address) != nullptr; });
    };
    for (const auto &address : devices) {
        auto holder = holderOf(address);
        // Its process is still moving the group's drivers (kernel work runs without the host lock): not even --force
        // may pull a device out from under it.
        if (holder != journals.end() && runningElsewhere(*holder))
            throw Error(address.str() + " is being bound for " + holder->owner.describe() + " by process " +
                            std::to_string(holder->pid) + " right now; give it back when that ends",
                        EBUSY);
        if (holder != journals.end() && holder->owner.isVm() && force == Force::No)
            throw Error(address.str() + " is held by " + holder->owner.describe() +
                            "; it goes back when the VM stops (or with 'vfioctl unassign'); use --force to take it "
                            "now, and the VM loses it while it runs",
                        EBUSY);
    }
    for (const auto &address : devices) {
        auto holder = holderOf(address);
        if (holder != journals.end()) {
            binder_.restore(address, holder->find(address)->original);
            std::erase_if(holder->devices, [&](const JournalEntry &entry) { return entry.device == address; });
            if (holder->devices.empty())
                journal_.remove(holder->owner);
            else
                journal_.save(*holder);
            continue;
        }
        if (!host_.exists(pciDevicePath(address)))
            throw Error("no PCI device " + address.str() + " on this host", ENODEV);
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

std::vector<Owner> BindEngine::recover()
{
    FileLock held = journal_.lock();
    std::vector<Owner> recovered;
    std::vector<std::string> failures;
    for (const auto &journal : journal_.loadAll()) {
        if (journal.state == JournalState::Bound || runningElsewhere(journal))
            continue; // a transaction still running in its process is not a crash
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

std::vector<QuarantinedJournal> BindEngine::quarantined() const
{
    return journal_.quarantined();
}

std::vector<std::string> BindEngine::discardQuarantined()
{
    FileLock held = journal_.lock();
    return journal_.discardQuarantined();
}

std::vector<JournalEntry> BindEngine::held(const Owner &owner) const
{
    auto journal = journal_.load(owner);
    return journal ? journal->devices : std::vector<JournalEntry>();
}

} // namespace vfioctl

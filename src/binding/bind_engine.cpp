#include "bind_engine.h"

#include "bind_plan.h"
#include "bind_refusals.h"
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
#include <thread>

namespace vfioctl {

BindEngine::BindEngine(HostRoot &host, ModuleLoader &modules, std::chrono::milliseconds timeout,
                       const ProcessTable &processes)
    : host_(host), modules_(modules), processes_(processes), timeout_(timeout), binder_(host, timeout),
      journal_(host, processes)
{
}

namespace {

// A device's driver as the scan under this same lock just read it; the binder's own reading for one it did not see.
DriverState scannedState(const Inventory &inventory, const DriverBinder &binder, const PciAddress &address)
{
    if (const PciDevice *device = inventory.findPci(address))
        return {device->driver, device->driverOverride};
    return binder.stateOf(address);
}

std::optional<PciIdentity> scannedIdentity(const Inventory &inventory, const HostRoot &host, const PciAddress &address)
{
    if (const PciDevice *device = inventory.findPci(address))
        return device->identity();
    return readPciIdentity(host, address);
}

} // namespace

bool BindEngine::runningElsewhere(const Journal &journal) const
{
    return journal.process && *journal.process != processes_.self() && processes_.running(*journal.process);
}

BindEngine::Plan BindEngine::planUnderLock(const JournalLock &lock, const BindRequest &request,
                                           const LibvirtHoldings &libvirt)
{
    // Only the groups involved (on a host of thousands of VFs, a VM start must not read them all).
    Plan plan;
    plan.inventory = scanInventoryFor(host_, request.devices);
    const Inventory &inventory = plan.inventory;
    plan.groups = plannedGroups(inventory, request);
    const JournalSet state = journal_.readSettingAside(lock);
    refuseSriovParents(inventory, plan.groups, state.journals);
    refuseOtherOwners(state.journals, request.owner, plan.groups);
    for (const auto &[number, endpoints] : plan.groups)
        for (const auto &address : endpoints)
            refuseLibvirtHolder(libvirt, address, request.owner, request.force == Force::Yes);
    refuseSuspects(plan.groups, state);
    plan.handoff = planHandoff(inventory, request, plan.groups);
    if (auto refusal = openNodesRefusal(host_, inventory, plan.groups)) {
        // Stopping the policy's units (a display manager) may end the holders: asked again once they are stopped.
        if (!plan.handoff || plan.handoff->units.empty())
            throw Error(*refusal, EBUSY);
        plan.holdersPending = true;
    }
    plan.before = previousJournal(state.journals, request.owner);
    if (plan.before && runningElsewhere(*plan.before))
        throw Error(request.owner.describe() + " is being bound or given back by process " +
                        std::to_string(plan.before->process->pid) + " right now; try again when it ends",
                    EBUSY);
    plan.mine =
        plan.before.value_or(Journal{request.owner, static_cast<int64_t>(std::time(nullptr)), std::nullopt, {}});
    plan.mine.owner = request.owner; // the name it has now
    plan.mine.process = processes_.self();
    if (plan.handoff)
        plan.mine.console = withEarlierHandoff(plan.mine.console, *plan.handoff);
    const Journal *pool = nullptr;
    for (const auto &journal : state.journals)
        if (journal.owner == Owner::persist() && request.owner.isVm())
            pool = &journal;
    journalNewDevices(plan, pool);
    if (!host_.exists(joinPath(layout::pciDrivers, vfioDriver)))
        modules_.load(std::string(vfioDriver));
    return plan;
}

void BindEngine::journalNewDevices(Plan &plan, const Journal *pool) const
{
    const Inventory &inventory = plan.inventory;
    std::map<std::string, std::string> modules; // driver -> its module
    for (const auto &[number, endpoints] : plan.groups)
        for (const auto &address : endpoints) {
            if (const JournalEntry *earlier = plan.mine.find(address)) {
                // Left unfinished by an earlier process of this owner (killed midway): this bind moves it on, so a
                // failure now gives it back too, as recover would.
                if (earlier->state != EntryState::Bound)
                    plan.added.push_back(address);
                continue;
            }
            const JournalEntry *lent = pool ? pool->find(address) : nullptr;
            if (lent) {
                // What persist recorded when it claimed the device, else what is there now.
                plan.mine.devices.push_back(
                    JournalEntry{address, lent->original, EntryState::Binding, true, lent->module,
                                 lent->identity ? lent->identity : scannedIdentity(inventory, host_, address)});
            } else {
                const DriverState original = scannedState(inventory, binder_, address);
                auto [module, fresh] = modules.try_emplace(original.driver); // a driver's module, looked up once
                if (fresh)
                    module->second = moduleOf(original.driver);
                plan.mine.devices.push_back(JournalEntry{address, original, EntryState::Binding, false, module->second,
                                                         scannedIdentity(inventory, host_, address)});
            }
            plan.added.push_back(address);
        }
}

BindOutcome BindEngine::bind(const BindRequest &request)
{
    if (request.devices.empty())
        throw Error("no device to bind", EINVAL);
    // The freeze: on a host where passthrough cannot work, say why instead of moving devices for nothing.
    if (auto blocker = passthroughBlocker(host_, request.devices))
        throw Error(*blocker, ENODEV);
    // Under the lock: read, decide, refuse, and put the journal on disk (entries `binding`, our process). The kernel
    // work then runs without it, so VMs starting at once on other groups do not wait for each other's unbinds.
    const LibvirtHoldings libvirt = askLibvirt(); // before the lock (libvirt_holdings.h)
    Plan plan;
    {
        JournalLock lock = journal_.lock(lockWait_);
        plan = planUnderLock(lock, request, libvirt);
        try {
            journal_.save(lock, plan.mine);
        } catch (const Error &error) {
            throw Error("cannot record the bind before it starts (" + std::string(error.what()) +
                            "); nothing was changed",
                        error.errorNumber());
        }
    }
    if (plan.handoff)
        handOver(plan); // undone and thrown on failure, the journal as it was
    std::exception_ptr failure = bindGroups(plan.groups);
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const Error &error) {
            rollBack(error.what(), error.errorNumber(), plan);
        }
        // Anything else is not a kernel refusal (an abort, a bug, a test's simulated death): the journal stays,
        // with its devices `binding`, for 'vfioctl recover'.
    }
    try {
        JournalLock lock = journal_.lock(lockWait_);
        // What this bind moved, and nothing else: an entry an earlier process left unfinished stays for recover.
        for (const auto &[number, endpoints] : plan.groups)
            for (const auto &address : endpoints)
                plan.mine.find(address)->state = EntryState::Bound;
        plan.mine.process.reset();
        journal_.save(lock, plan.mine);
    } catch (const Error &error) {
        rollBack("cannot record that the bind finished (" + std::string(error.what()) + ")", error.errorNumber(), plan);
    }
    BindOutcome outcome;
    for (const auto &[number, endpoints] : plan.groups) {
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

void BindEngine::rollBack(const std::string &failure, int errorNumber, const Plan &plan)
{
    // The kernel first, without the lock (the journal still says `binding`, so nobody else touches these devices),
    // then the journal as it was before this bind.
    std::vector<std::string> problems;
    for (auto address = plan.added.rbegin(); address != plan.added.rend(); ++address) {
        const JournalEntry &entry = *plan.mine.find(*address);
        if (replacedAt(entry))
            continue; // another device came while this bind ran: it is not ours to move
        try {
            binder_.restore(entry.device, entry.fromPool ? DriverState{std::string(vfioDriver), std::string(vfioDriver)}
                                                         : entry.original);
        } catch (const Error &error) {
            problems.push_back(error.what());
        }
    }
    if (plan.handoff)
        for (auto &problem : giveConsoleBack(*plan.handoff, plan.handoff->units.size()))
            problems.push_back(std::move(problem));
    if (!problems.empty())
        throw Error(failure + "; rolling back failed too (" + joinWith(problems, "; ") + "); run 'vfioctl recover'",
                    errorNumber);
    restoreJournal(failure, errorNumber, plan);
}

void BindEngine::restoreJournal(const std::string &failure, int errorNumber, const Plan &plan)
{
    try {
        JournalLock lock = journal_.lock(lockWait_);
        if (plan.before)
            journal_.save(lock, *plan.before);
        else
            journal_.remove(lock, plan.mine.owner);
    } catch (const Error &error) {
        throw Error(failure + "; every device is back as it was, but its journal could not be updated (" +
                        error.what() + "); 'vfioctl recover' tidies it",
                    errorNumber);
    }
    throw Error(failure, errorNumber);
}

void BindEngine::refuseSuspects(const std::map<int, std::vector<PciAddress>> &groups, const JournalSet &state)
{
    if (state.corrupt.empty())
        return;
    for (const auto &[number, endpoints] : groups)
        for (const auto &address : endpoints)
            if (!activeHolder(state.journals, address) && binder_.stateOf(address).driver == vfioDriver)
                throw Error(address.str() + " (IOMMU group " + std::to_string(number) +
                                ") is on vfio-pci with no valid owner, and the journal set aside as " +
                                state.corrupt.front().path +
                                " may hold it; read it, then run 'vfioctl recover --discard-corrupt'",
                            EBUSY);
}

std::vector<Journal> BindEngine::status() const
{
    return journal_.read().journals;
}

std::vector<QuarantinedJournal> BindEngine::quarantined() const
{
    return journal_.read().corrupt;
}

Discarded BindEngine::discardQuarantined()
{
    JournalLock lock = journal_.lock(lockWait_);
    journal_.readSettingAside(lock); // what is corrupt now is set aside first, then forgotten with the rest
    return journal_.discardQuarantined(lock);
}

std::optional<Journal> BindEngine::journalOf(const Owner &owner) const
{
    return journal_.read(owner);
}

std::vector<JournalEntry> BindEngine::held(const Owner &owner) const
{
    auto journal = journal_.read(owner);
    return journal ? journal->devices : std::vector<JournalEntry>();
}

} // namespace vfioctl

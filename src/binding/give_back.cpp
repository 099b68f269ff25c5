// BindEngine's way back: release, restore, unbind, unpersist and recover, each in three steps (mark under the lock,
// move without it, record under it), never stopping at one failure. docs/RELIABILITY.md "The state model".
#include "bind_engine.h"

#include "bind_refusals.h"
#include "error.h"
#include "pci_scanner.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <ctime>

namespace vfioctl {

namespace {

bool contains(const std::vector<PciAddress> &list, const PciAddress &address)
{
    return std::find(list.begin(), list.end(), address) != list.end();
}

const DriverState onVfio{std::string(vfioDriver), std::string(vfioDriver)};

} // namespace

void GiveBackReport::add(const GiveBackReport &other)
{
    givenBack.insert(givenBack.end(), other.givenBack.begin(), other.givenBack.end());
    gone.insert(gone.end(), other.gone.begin(), other.gone.end());
    replaced.insert(replaced.end(), other.replaced.begin(), other.replaced.end());
    failures.insert(failures.end(), other.failures.begin(), other.failures.end());
    unrecorded.insert(unrecorded.end(), other.unrecorded.begin(), other.unrecorded.end());
}

std::string GiveBackReport::problems() const
{
    std::vector<std::string> parts;
    if (!failures.empty())
        parts.push_back(joinWith(failures, "; "));
    if (!unrecorded.empty())
        parts.push_back("the devices are as said, but this could not be recorded: " + joinWith(unrecorded, "; "));
    return joinWith(parts, "; ");
}

std::optional<std::string> BindEngine::replacedAt(const JournalEntry &entry) const
{
    if (!entry.identity)
        return std::nullopt;
    const auto now = readPciIdentity(host_, entry.device);
    if (!now || *now == *entry.identity)
        return std::nullopt;
    return entry.device.str() + " is another device now (" + now->describe() + "; " + entry.identity->describe() +
           " was recorded): it was left on its own driver, and the record of the one that went away ended";
}

// Borrowed from persist's pool: back into it while persist still claims the device.
bool BindEngine::backIntoPool(const JournalEntry &entry, PoolReturn pool, const std::optional<Journal> &poolJournal)
{
    return entry.fromPool && pool == PoolReturn::ToPool && poolJournal && poolJournal->find(entry.device);
}

std::optional<BindEngine::Marked> BindEngine::markForGiveBack(const Owner &owner, const std::vector<PciAddress> &only,
                                                              Which which, GiveBackReport &report)
{
    JournalLock lock = journal_.lock(lockWait_);
    auto journal = journal_.readSettingAside(lock, owner);
    if (!journal)
        return std::nullopt;
    if (runningElsewhere(*journal)) {
        if (which == Which::Unfinished)
            return std::nullopt; // a step still running in its process is not a crash
        throw Error(owner.describe() + " is being bound or given back by process " +
                        std::to_string(journal->process->pid) + " right now; give it back when that ends",
                    EBUSY);
    }
    Marked marked;
    for (auto &entry : journal->devices) {
        const bool chosen = which == Which::Unfinished ? entry.state != EntryState::Bound
                                                       : only.empty() || contains(only, entry.device);
        if (!chosen)
            continue;
        entry.state = EntryState::Restoring;
        marked.work.push_back(entry);
    }
    if (marked.work.empty() && !journal->process)
        return std::nullopt;
    if (owner.isVm())
        marked.pool = journal_.read(Owner::persist());
    marked.console = journal->console;
    journal->process = processes_.self();
    try {
        journal_.save(lock, *journal);
    } catch (const Error &error) {
        report.unrecorded.push_back(error.what()); // the kernel state is the truth: go on without the mark
    }
    return marked;
}

GiveBackReport BindEngine::giveBackOf(const Owner &owner, const std::vector<PciAddress> &only, Which which,
                                      PoolReturn pool)
{
    GiveBackReport report;
    const auto marked = markForGiveBack(owner, only, which, report);
    if (!marked)
        return report;
    const std::vector<JournalEntry> &work = marked->work;
    const std::optional<Journal> &poolJournal = marked->pool;
    // Reverse order: companions go back before the device that brought them, as they were taken.
    std::vector<PciAddress> done, pooled;
    for (auto entry = work.rbegin(); entry != work.rend(); ++entry) {
        try {
            if (auto replaced = replacedAt(*entry)) {
                report.replaced.push_back(*replaced);
                done.push_back(entry->device);
                continue;
            }
            reloadDriver(*entry);
            const bool intoPool = backIntoPool(*entry, pool, poolJournal);
            const auto outcome = binder_.restore(entry->device, intoPool ? onVfio : entry->original);
            (outcome == DriverBinder::Outcome::Gone ? report.gone : report.givenBack).push_back(entry->device);
            done.push_back(entry->device);
            if (intoPool && outcome != DriverBinder::Outcome::Gone)
                pooled.push_back(entry->device);
        } catch (const Error &error) {
            report.failures.push_back(error.what());
        }
    }
    std::reverse(report.givenBack.begin(), report.givenBack.end());
    // The console comes back once its GPU is on its own driver again (or gone): its framebuffers, its vtconsoles,
    // the connectors probed, then the units started in reverse. What fails is said; the record ends either way.
    const bool consoleBack = marked->console && contains(done, marked->console->gpu);
    if (consoleBack)
        for (auto &failure : giveConsoleBack(*marked->console, marked->console->units.size()))
            report.failures.push_back("the host console: " + failure);
    const std::vector<PciAddress> unpooled = recordGiveBack(owner, done, pooled, consoleBack, report);
    if (unpooled.empty())
        return report;
    std::erase_if(report.givenBack, [&](const PciAddress &device) { return contains(unpooled, device); });
    report.add(giveBackOf(owner, unpooled, Which::Listed, PoolReturn::ToHost));
    return report;
}

// The third step, under the lock: the owner's record loses what went back. Persist may have let go of a device on
// its way back into the pool (an unpersist between the two steps, which left it to this owner): the record keeps
// it, for its own driver, and it is returned for the caller to move there.
std::vector<PciAddress> BindEngine::recordGiveBack(const Owner &owner, const std::vector<PciAddress> &done,
                                                   const std::vector<PciAddress> &pooled, bool consoleBack,
                                                   GiveBackReport &report)
{
    std::vector<PciAddress> unpooled;
    try {
        JournalLock lock = journal_.lock(lockWait_);
        auto journal = journal_.readSettingAside(lock, owner);
        if (!journal)
            return {};
        const auto poolNow = pooled.empty() ? std::nullopt : journal_.read(Owner::persist());
        for (const auto &device : pooled)
            if (!poolNow || !poolNow->find(device))
                unpooled.push_back(device);
        std::erase_if(journal->devices, [&](const JournalEntry &entry) {
            return contains(done, entry.device) && !contains(unpooled, entry.device);
        });
        for (auto &entry : journal->devices)
            if (contains(unpooled, entry.device))
                entry.fromPool = false;
        journal->process.reset();
        if (consoleBack)
            journal->console.reset();
        if (journal->devices.empty() && !journal->console)
            journal_.remove(lock, owner);
        else
            journal_.save(lock, *journal);
    } catch (const Error &error) {
        report.unrecorded.push_back(error.what());
        return {};
    }
    return unpooled;
}

GiveBackReport BindEngine::restoreOwner(const Owner &owner)
{
    return giveBackOf(owner, {}, Which::Listed, PoolReturn::ToPool);
}

GiveBackReport BindEngine::restoreByHand(const Owner &owner, Force force)
{
    const LibvirtHoldings libvirt = askLibvirt();
    for (const auto &entry : held(owner))
        refuseLibvirtHolder(libvirt, entry.device, owner, force == Force::Yes);
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
    return giveBackOf(owner, {}, Which::Listed, PoolReturn::ToHost);
}

std::optional<std::string> BindEngine::unownedRefusal(const PciAddress &address) const
{
    if (!binder_.present(address))
        return "no PCI device " + address.str() + " on this host";
    const DriverState now = binder_.stateOf(address);
    if (now.driver != vfioDriver)
        return address.str() + " is not bound to vfio-pci (driver: " + (now.driver.empty() ? "none" : now.driver) +
               "), nothing to give back";
    return std::nullopt;
}

GiveBackReport BindEngine::giveBack(const std::vector<PciAddress> &devices, Force force)
{
    // libvirt first, without the lock: a VM starting now holds its domain while its hook waits for our lock.
    const LibvirtHoldings libvirt = askLibvirt();
    std::map<std::string, std::pair<Owner, std::vector<PciAddress>>> byOwner; // keyed by journal file name
    GiveBackReport report;
    {
        // Decided under the lock, and each device claimed in a journal before the lock is let go: a VM that starts
        // after this finds it held, and no start between the decision and the move can lose it.
        JournalLock lock = journal_.lock(lockWait_);
        const std::vector<Journal> journals = journal_.readSettingAside(lock).journals;
        std::vector<PciAddress> unowned;
        for (const auto &address : devices) {
            const Journal *holder = activeHolder(journals, address);
            refuseLibvirtHolder(libvirt, address, holder ? std::optional<Owner>(holder->owner) : std::nullopt,
                                force == Force::Yes);
            if (!holder) {
                if (auto refusal = unownedRefusal(address))
                    report.failures.push_back(*refusal);
                else
                    unowned.push_back(address);
                continue;
            }
            // Its process is still moving the group's drivers (kernel work runs without the host lock): not even
            // --force may pull a device out from under it.
            if (runningElsewhere(*holder))
                throw Error(address.str() + " is being bound for " + holder->owner.describe() + " by process " +
                                std::to_string(holder->process->pid) + " right now; give it back when that ends",
                            EBUSY);
            if (holder->owner.isVm() && force == Force::No)
                throw Error(address.str() + " is held by " + holder->owner.describe() +
                                "; it goes back when the VM stops (or with 'vfioctl unassign'); use --force to take "
                                "it now, and the VM loses it while it runs",
                            EBUSY);
            // By hand, a device goes to its own driver: out of the VM that has it and out of persist's pool too.
            for (const auto &journal : journals)
                if (journal.find(address))
                    byOwner.try_emplace(journalFileName(journal.owner), journal.owner, std::vector<PciAddress>{})
                        .first->second.second.push_back(address);
        }
        if (!unowned.empty()) {
            adoptUnowned(lock, journals, unowned);
            auto &manual =
                byOwner.try_emplace(journalFileName(Owner::manual()), Owner::manual(), std::vector<PciAddress>{})
                    .first->second.second;
            manual.insert(manual.end(), unowned.begin(), unowned.end());
        }
    }
    for (const auto &[name, work] : byOwner) // every one of them gives it to its own driver: any order will do
        report.add(giveBackOf(work.first, work.second, Which::Listed, PoolReturn::ToHost));
    return report;
}

void BindEngine::adoptUnowned(const JournalLock &lock, const std::vector<Journal> &journals,
                              const std::vector<PciAddress> &devices)
{
    Journal manual =
        previousJournal(journals, Owner::manual())
            .value_or(Journal{Owner::manual(), static_cast<int64_t>(std::time(nullptr)), std::nullopt, {}});
    for (const auto &address : devices) {
        const DriverState now = binder_.stateOf(address);
        // Nobody recorded what it had: it goes to whichever driver the kernel picks.
        manual.devices.push_back(
            JournalEntry{address,
                         {std::string(kernelDefaultDriver), now.override == vfioDriver ? "" : now.override},
                         EntryState::Bound,
                         false,
                         "",
                         readPciIdentity(host_, address)});
    }
    journal_.save(lock, manual);
}

GiveBackReport BindEngine::leavePool(const std::vector<PciAddress> &devices)
{
    const std::vector<Journal> journals = status();
    std::vector<PciAddress> free;
    std::vector<PciAddress> borrowed;
    for (const auto &address : devices) {
        const Journal *holder = activeHolder(journals, address);
        (holder && holder->owner.isVm() ? borrowed : free).push_back(address);
    }
    GiveBackReport report = giveBack(free);
    if (borrowed.empty())
        return report;
    // A borrowed device stays with its VM; out of the pool, its VM's stop gives it to its own driver. Which VM
    // holds it is asked again under the lock: one that stopped since the listing above gave it back to the pool,
    // and the pool must give it back itself.
    std::vector<PciAddress> returned;
    try {
        JournalLock lock = journal_.lock(lockWait_);
        const std::vector<Journal> now = journal_.readSettingAside(lock).journals;
        for (const auto &address : borrowed) {
            const Journal *holder = activeHolder(now, address);
            if (!holder || !holder->owner.isVm())
                returned.push_back(address);
        }
        std::erase_if(borrowed, [&](const PciAddress &address) { return contains(returned, address); });
        if (auto pool = journal_.readSettingAside(lock, Owner::persist())) {
            std::erase_if(pool->devices, [&](const JournalEntry &entry) { return contains(borrowed, entry.device); });
            if (pool->devices.empty())
                journal_.remove(lock, Owner::persist());
            else
                journal_.save(lock, *pool);
        }
    } catch (const Error &error) {
        report.unrecorded.push_back(error.what());
    }
    if (!returned.empty())
        report.add(giveBack(returned));
    return report;
}

std::vector<PciAddress> BindEngine::forgetGone(const std::vector<PciAddress> &devices)
{
    JournalLock lock = journal_.lock(lockWait_);
    std::vector<PciAddress> dropped;
    for (auto &journal : journal_.readSettingAside(lock).journals) {
        // A step still running rewrites its own journal; it finds the device gone on its own.
        if (runningElsewhere(journal))
            continue;
        const size_t before = journal.devices.size();
        std::erase_if(journal.devices, [&](const JournalEntry &entry) {
            const bool gone = contains(devices, entry.device) && !binder_.present(entry.device);
            if (gone)
                dropped.push_back(entry.device);
            return gone;
        });
        if (journal.devices.size() == before)
            continue;
        if (journal.devices.empty())
            journal_.remove(lock, journal.owner);
        else
            journal_.save(lock, journal);
    }
    return dropped;
}

BindEngine::Recovery BindEngine::recover()
{
    Recovery recovery;
    for (const auto &journal : status()) {
        if (journal.state() == JournalState::Bound && !journal.process)
            continue;
        const GiveBackReport report = giveBackOf(journal.owner, {}, Which::Unfinished, PoolReturn::ToPool);
        if (!report.complete())
            recovery.unfinished.push_back(journal.owner);
        else if (!report.givenBack.empty() || !report.gone.empty() || !report.replaced.empty())
            recovery.finished.push_back(journal.owner);
        recovery.report.add(report);
    }
    return recovery;
}

} // namespace vfioctl

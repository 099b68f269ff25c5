// Whole-group, all-or-nothing binding to vfio-pci with a journal first, and exact give-back of every device. The
// transitions are those of docs/RELIABILITY.md "The state model"; no other code writes state.
#pragma once

#include "bind_journal.h"
#include "driver_binder.h"
#include "inventory.h"
#include "libvirt_holdings.h"
#include "module_loader.h"
#include "process_table.h"
#include "service_manager.h"

#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class Force { No, Yes }; // Yes: take devices the host uses
// Yes: the boot GPU showing the host console may go; the console is handed over first and back after.
enum class ConsoleHandoff { No, Yes };

struct BindRequest {
    Owner owner = Owner::manual();
    std::vector<PciAddress> devices; // each brings its whole IOMMU group
    Force force = Force::No;
    // Ends the refusal of a device the host uses: what this caller's user can do about it.
    std::string hostUseHint = "use --force to take it anyway";
    ConsoleHandoff console = ConsoleHandoff::No;
    // Stopped (those running) before the console is released, started again after it is back, in reverse order.
    std::vector<std::string> stopUnits{};
    // Ends the refusal of the boot GPU without a hand-off: how this caller asks for one.
    std::string handoffHint = "use --console-handoff to hand the host console over and back";
};

struct BindOutcome {
    std::vector<int> groups;
    std::vector<PciAddress> endpoints; // every device now on vfio-pci for this owner
};

// What a give-back did. It never stops at one failure: every device is tried, then each failure is reported.
struct GiveBackReport {
    std::vector<PciAddress> givenBack; // on their original drivers (or back in persist's pool) now
    std::vector<PciAddress> gone;      // went away while held (hot-unplug): nothing to give back, its entry ended
    // Another device sits at a recorded address now (the one held went away and another came): left on its own
    // driver, its entry ended. One sentence each, naming what was recorded and what is there.
    std::vector<std::string> replaced;
    std::vector<std::string> failures;   // a device the kernel would not give back: it stays recorded
    std::vector<std::string> unrecorded; // state that could not be written; the devices are as reported anyway

    bool complete() const { return failures.empty() && unrecorded.empty(); }
    void add(const GiveBackReport &other);
    // One sentence of what went wrong ("" when complete).
    std::string problems() const;
};

// How a device lent by persist's pool goes back: to the pool (a VM's stop), or to its own driver (by hand).
enum class PoolReturn { ToPool, ToHost };

class BindEngine {
public:
    BindEngine(HostRoot &host, ModuleLoader &modules, std::chrono::milliseconds timeout,
               const ProcessTable &processes = liveProcesses());

    // How long a command waits for the host lock (it is held only for state reads and writes).
    void setLockWait(std::chrono::milliseconds wait) { lockWait_ = wait; }
    // Where a console hand-off stops and starts units; until one is set, a hand-off that names units is refused.
    void setServiceManager(ServiceManager &services) { services_ = &services; }
    // How this command asks libvirt what running VMs hold by its own record (the CLI's); without one (the hook),
    // libvirt is not asked.
    void setLibvirtAsker(LibvirtAsker ask) { askLibvirt_ = std::move(ask); }

    // Binds every endpoint of the devices' IOMMU groups, one worker per group. On any failure (a kernel step, a state
    // write) every device is put back as it was and the failure is thrown as one sentence. With a console hand-off
    // (the groups hold the boot GPU, request.console): the running units named are stopped, the console released,
    // then the groups bound; a failure undoes each step in reverse. docs/GPU.md.
    BindOutcome bind(const BindRequest &request);
    // Gives back everything `owner` holds (a VM's stop): a VM's device lent by persist goes back to the pool.
    GiveBackReport restoreOwner(const Owner &owner);
    // The same by hand (vfioctl restore): a VM's devices are refused unless forced, naming what the VM loses.
    GiveBackReport restoreByHand(const Owner &owner, Force force);
    // Gives back the named devices to their own drivers, whoever holds them; a device on vfio-pci that no owner holds
    // goes back to the kernel's default driver. A device a VM holds is refused unless forced.
    GiveBackReport giveBack(const std::vector<PciAddress> &devices, Force force = Force::No);
    // persist lets go of these devices (unpersist): those no VM has borrowed go back now; a VM's borrowed one goes
    // to its own driver when that VM stops.
    GiveBackReport leavePool(const std::vector<PciAddress> &devices);
    // Drops the journal entries of those devices that no longer exist (VFs a forced `sriov` change destroyed).
    std::vector<PciAddress> forgetGone(const std::vector<PciAddress> &devices);
    // Finishes every step whose process is gone (a crash, a kill): a device being bound or given back goes back to its
    // own driver; devices a finished bind holds stay. Returns the owners it acted on.
    struct Recovery {
        std::vector<Owner> finished;   // every unfinished step of theirs is finished now
        std::vector<Owner> unfinished; // some step failed again (the report says which)
        GiveBackReport report;
    };
    Recovery recover();

    // Reads only (any user, any time, no lock).
    std::vector<Journal> status() const;
    std::vector<QuarantinedJournal> quarantined() const;
    Discarded discardQuarantined();
    // What `owner` holds, from its one journal (nothing held: empty).
    std::vector<JournalEntry> held(const Owner &owner) const;
    // The owner's one journal (none: it holds nothing).
    std::optional<Journal> journalOf(const Owner &owner) const;
    // True while another live process has a step of this journal open.
    bool runningElsewhere(const Journal &journal) const;

private:
    struct Plan;
    Plan planUnderLock(const JournalLock &lock, const BindRequest &request, const LibvirtHoldings &libvirt);
    LibvirtHoldings askLibvirt() const { return askLibvirt_ ? askLibvirt_() : LibvirtHoldings{}; }
    // Journals each device the plan's groups bring that its owner does not hold yet: what it has now (or what
    // persist's pool recorded, for one it lends a VM) and what it is, as `binding`.
    void journalNewDevices(Plan &plan, const Journal *pool) const;
    // One worker per group; the first failure, or null.
    std::exception_ptr bindGroups(const std::map<int, std::vector<PciAddress>> &groups);
    [[noreturn]] void rollBack(const std::string &failure, int errorNumber, const Plan &plan);
    // Puts the journal back as it was before this bind (its devices are back); a failure to is added to `failure`.
    [[noreturn]] void restoreJournal(const std::string &failure, int errorNumber, const Plan &plan);
    // The console hand-off (handoff.cpp): what it will release and stop, decided under the lock; the steps; and the
    // way back, which never stops at one failure (the failures, one sentence each).
    std::optional<ConsoleRecord> planHandoff(const Inventory &inventory, const BindRequest &request,
                                             const std::map<int, std::vector<PciAddress>> &groups);
    void handOver(const Plan &plan);
    std::vector<std::string> giveConsoleBack(const ConsoleRecord &record, size_t unitsStopped);
    std::string moduleOf(const std::string &driver) const;
    // Loads the module of `entry`'s original driver when that driver is gone (unloaded while a VM had the device).
    void reloadDriver(const JournalEntry &entry);
    // A sentence when the device at `entry`'s address is no longer the one recorded (nothing when it is, when it is
    // gone, or when the entry recorded no identity): such a device is never moved on the entry's behalf.
    std::optional<std::string> replacedAt(const JournalEntry &entry) const;
    void refuseSuspects(const std::map<int, std::vector<PciAddress>> &groups, const JournalSet &state);
    // The give-back of some of one owner's devices (all when `only` is empty), in three steps: mark them under the
    // lock, move them without it, record the result under it.
    enum class Which { Listed, Unfinished };
    GiveBackReport giveBackOf(const Owner &owner, const std::vector<PciAddress> &only, Which which, PoolReturn pool);
    struct Marked {
        std::vector<JournalEntry> work;       // marked `restoring`, to be moved now
        std::optional<Journal> pool;          // persist's journal, for what a VM borrowed
        std::optional<ConsoleRecord> console; // the owner's console hand-off, given back with its GPU
    };
    // The first step: nothing when there is nothing to do.
    std::optional<Marked> markForGiveBack(const Owner &owner, const std::vector<PciAddress> &only, Which which,
                                          GiveBackReport &report);
    std::vector<PciAddress> recordGiveBack(const Owner &owner, const std::vector<PciAddress> &done,
                                           const std::vector<PciAddress> &pooled, bool consoleBack,
                                           GiveBackReport &report);
    static bool backIntoPool(const JournalEntry &entry, PoolReturn pool, const std::optional<Journal> &poolJournal);
    // Why a device no journal holds cannot be given back (not there, not on vfio-pci); nothing when it can.
    std::optional<std::string> unownedRefusal(const PciAddress &address) const;
    // Under the lock: records devices found on vfio-pci with no owner as manual's, to go to the kernel's default
    // driver, so that nothing can claim them between this decision and their move.
    void adoptUnowned(const JournalLock &lock, const std::vector<Journal> &journals,
                      const std::vector<PciAddress> &devices);

    HostRoot &host_;
    ModuleLoader &modules_;
    const ProcessTable &processes_;
    ServiceManager *services_ = nullptr;
    std::chrono::milliseconds timeout_;
    DriverBinder binder_;
    mutable BindJournal journal_;
    std::chrono::milliseconds lockWait_{std::chrono::seconds(30)};
    LibvirtAsker askLibvirt_;
};

} // namespace vfioctl

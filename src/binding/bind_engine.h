// Whole-group, all-or-nothing binding to vfio-pci with a journal first, and exact restore of every device.
#pragma once

#include "bind_journal.h"
#include "driver_binder.h"
#include "module_loader.h"

#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class Force { No, Yes }; // Yes: take devices the host uses

struct BindRequest {
    Owner owner = Owner::manual();
    std::vector<PciAddress> devices; // each brings its whole IOMMU group
    Force force = Force::No;
    // Ends the refusal of a device the host uses: what this caller's user can do about it.
    std::string hostUseHint = "use --force to take it anyway";
};

struct BindOutcome {
    std::vector<int> groups;
    std::vector<PciAddress> endpoints; // every device now on vfio-pci for this owner
};

class BindEngine {
public:
    BindEngine(HostRoot &host, ModuleLoader &modules, std::chrono::milliseconds timeout);

    // Binds every endpoint of the devices' IOMMU groups, one worker per group. On any failure every device is put
    // back as it was and the first failure is thrown as one sentence.
    BindOutcome bind(const BindRequest &request);
    // Gives back everything `owner` holds, each device to its original driver (the VM's own stop, the owner's own
    // undo). Returns what was given back; nothing held is not an error.
    std::vector<PciAddress> restoreOwner(const Owner &owner);
    // The same by hand (vfioctl restore): a VM's devices are refused unless forced, naming what the VM loses.
    std::vector<PciAddress> restoreByHand(const Owner &owner, Force force);
    // Gives back the named devices, whoever holds them; a device on vfio-pci that no owner holds goes back to the
    // kernel's default driver. A device a VM holds is refused unless forced.
    void giveBack(const std::vector<PciAddress> &devices, Force force = Force::No);
    // Drops the journal entries of those devices that no longer exist (VFs a forced `sriov` change destroyed): there
    // is nothing left to give back. Returns what was dropped.
    std::vector<PciAddress> forgetGone(const std::vector<PciAddress> &devices);
    // Rolls back every transaction that did not finish (a crash, a killed process). Returns the owners.
    std::vector<Owner> recover();
    std::vector<Journal> status() const;
    // Journals set aside as corrupt, and forgetting them (`vfioctl recover --discard-corrupt`).
    std::vector<QuarantinedJournal> quarantined() const;
    std::vector<std::string> discardQuarantined();
    // What `owner` holds, from its one journal (nothing held: empty).
    std::vector<JournalEntry> held(const Owner &owner) const;

private:
    // One worker per group; the first failure, or null.
    std::exception_ptr bindGroups(const std::map<int, std::vector<PciAddress>> &groups);
    // Puts back what this bind changed and rethrows the failure.
    [[noreturn]] void rollBack(std::exception_ptr failure, const std::vector<JournalEntry> &added,
                               const std::optional<Journal> &before, const Owner &owner);
    // While a corrupt journal is set aside, a device on vfio-pci that no valid journal holds may be its: refused.
    void refuseSuspects(const std::map<int, std::vector<PciAddress>> &groups, const std::vector<Journal> &journals);
    void restoreAll(const std::vector<JournalEntry> &entries, std::vector<std::string> &failures);

    HostRoot &host_;
    ModuleLoader &modules_;
    DriverBinder binder_;
    mutable BindJournal journal_;
};

} // namespace vfioctl

// One owner's journal as it is written to disk: what every device it holds had before we moved it.
#pragma once

#include "driver_binder.h"
#include "owner.h"
#include "pci_address.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// Binding and Restoring journals belong to a transaction that has not finished; `vfioctl recover` rolls them back.
enum class JournalState { Binding, Bound, Restoring };

struct JournalEntry {
    PciAddress device;
    DriverState original;
};

struct Journal {
    Owner owner = Owner::manual();
    JournalState state = JournalState::Binding;
    int64_t since = 0; // Unix seconds
    int pid = 0;       // the process that wrote it last
    std::vector<JournalEntry> devices;

    const JournalEntry *find(const PciAddress &device) const;
};

std::string journalStateName(JournalState state);
std::string serializeJournal(const Journal &journal);
// Throws Error naming `source` for anything but a complete, valid journal (a device listed twice included): a
// half-read journal is never acted on. A journal without owner_kind was written by vfioctl 0.1.0, whose owners were
// "manual" or a VM name.
Journal parseJournal(std::string_view text, const std::string &source);
// The journal's file name: "vm-win11.journal", "manual.journal", "persist.journal".
std::string journalFileName(const Owner &owner);
// The name vfioctl 0.1.0 gave a VM's journal ("win11.journal"), still read; none for our own owners, nor for a VM
// called like one (0.1.0 could not tell those apart from ours).
std::optional<std::string> legacyJournalFileName(const Owner &owner);

} // namespace vfioctl

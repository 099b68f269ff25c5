// One owner's journal as it is written to disk: what every device it holds had before we moved it, each device's
// step in its transaction, and the process working on it now. docs/RELIABILITY.md "The state model" is its spec.
#pragma once

#include "console_hold.h"
#include "driver_binder.h"
#include "owner.h"
#include "pci_address.h"
#include "pci_identity.h"
#include "process_table.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// Where one device stands. Binding and Restoring belong to a step that has not finished: while the process that
// wrote them runs it finishes them itself, and once it is gone `vfioctl recover` gives those devices back.
enum class EntryState { Binding, Bound, Restoring };

struct JournalEntry {
    PciAddress device;
    DriverState original;
    EntryState state = EntryState::Bound;
    // Lent by persist's pool: while persist still claims it, it goes back to vfio-pci (and the pool), not to
    // `original` (which is what the pool would give back).
    bool fromPool = false;
    // The original driver's module ("bochs" for bochs-drm), loaded again on the way back if it was unloaded
    // meanwhile; "" when the driver is built in or there was none.
    std::string module{};
    // What the device was when it was claimed; none in a journal written before identities were recorded (format 3
    // and earlier). A give-back moves the device at this address only while it is still this device.
    std::optional<PciIdentity> identity{};
};

// A console hand-off (a VM took the boot GPU showing the host console): what was released and stopped, written
// before the first of those steps, so that the way back, and `vfioctl recover` after a crash, give each back.
struct ConsoleRecord {
    PciAddress gpu;
    ConsoleHold hold;               // released (or about to be)
    std::vector<std::string> units; // stopped (or about to be), in the order they are stopped
    bool operator==(const ConsoleRecord &) const = default;
};

// What the journal as a whole says, for tables and JSON: the least finished of its devices.
enum class JournalState { Binding, Bound, Restoring };

struct Journal {
    Owner owner = Owner::manual();
    int64_t since = 0;                   // Unix seconds
    std::optional<ProcessStamp> process; // working on it now; none when no step is open
    std::vector<JournalEntry> devices;
    std::optional<ConsoleRecord> console{}; // while this owner has the host console's GPU through a hand-off

    JournalState state() const;
    const JournalEntry *find(const PciAddress &device) const;
    JournalEntry *find(const PciAddress &device);
};

std::string journalStateName(JournalState state);
std::string entryStateName(EntryState state);
std::string serializeJournal(const Journal &journal);
// Throws Error naming `source` for anything but a complete, valid journal of this format version (a device listed
// twice included): a half-read journal is never acted on.
Journal parseJournal(std::string_view text, const std::string &source);
// The journal's file name, a function of identity alone and at most 48 bytes: "vm-<uuid>.journal",
// "manual.journal", "persist.journal". No VM name ever reaches it.
std::string journalFileName(const Owner &owner);

} // namespace vfioctl

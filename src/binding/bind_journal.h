// The crash-safe record, per owner, of what every device had before we moved it (under /run/vfioctl).
#pragma once

#include "driver_binder.h"
#include "host_root.h"
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
    std::string owner; // a VM name, or "manual"
    JournalState state = JournalState::Binding;
    int64_t since = 0; // Unix seconds
    int pid = 0;       // the process that wrote it last
    std::vector<JournalEntry> devices;

    const JournalEntry *find(const PciAddress &device) const;
};

std::string journalStateName(JournalState state);
std::string serializeJournal(const Journal &journal);
// Throws Error naming `source` for anything but a complete, valid journal: a half-read journal is never acted on.
Journal parseJournal(std::string_view text, const std::string &source);

class BindJournal {
public:
    explicit BindJournal(HostRoot &host) : host_(host) {}

    // Serialises every binder and restorer on this host; held for a whole transaction.
    FileLock lock();
    void save(const Journal &journal);
    void remove(const std::string &owner);
    std::optional<Journal> load(const std::string &owner) const;
    std::vector<Journal> loadAll() const;

private:
    std::string pathOf(const std::string &owner) const;
    HostRoot &host_;
};

} // namespace vfioctl

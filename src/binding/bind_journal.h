// The crash-safe record, per owner, of what every device had before we moved it (under /run/vfioctl/owners), and
// the host-wide lock. A journal that cannot be read as valid is set aside under a name that says so, never obeyed
// and never fatal.
#pragma once

#include "host_root.h"
#include "journal_format.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

// A journal set aside because it could not be read as valid.
struct QuarantinedJournal {
    std::string path;   // as the user finds it (under --root, inside the tree): ".../owners/vm-x.journal.corrupt"
    std::string reason; // why it was set aside (empty for one set aside by an earlier run)
};

class BindJournal {
public:
    explicit BindJournal(HostRoot &host) : host_(host) {}

    // Serialises every binder and restorer on this host; held for a whole transaction.
    FileLock lock();
    void save(const Journal &journal);
    void remove(const Owner &owner);
    // The owner's journal; a corrupt one is set aside and reads as none.
    std::optional<Journal> load(const Owner &owner) const;
    // Every valid journal; the corrupt ones are set aside (see quarantined()).
    std::vector<Journal> loadAll() const;
    std::vector<QuarantinedJournal> quarantined() const;
    // Deletes the set-aside journals (`vfioctl recover --discard-corrupt`); returns their paths.
    std::vector<std::string> discardQuarantined();

private:
    std::optional<Journal> loadFile(const std::string &name) const;
    std::vector<std::string> quarantinedNames() const;
    void setAside(const std::string &name, const std::string &reason) const;

    HostRoot &host_;
    mutable std::vector<QuarantinedJournal> setAsideNow_; // this process's, with their reasons
};

// What a journal larger than this holds is not a journal.
inline constexpr size_t maxJournalBytes = 16 << 20;

} // namespace vfioctl

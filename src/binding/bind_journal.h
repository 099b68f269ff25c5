// The crash-safe record, per owner, of what every device had before we moved it (under /run/vfioctl/owners), and
// the host-wide lock. Reading never changes a file, so any user may read at any time; every change (a journal saved,
// removed or set aside as corrupt) needs the lock, and the API asks for it: only a `JournalLock` can write.
#pragma once

#include "host_root.h"
#include "journal_format.h"
#include "process_table.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

// A journal that cannot be read as valid: set aside (`NAME.journal.corrupt`), or found so by a reader that may not
// set it aside (it still has its own name then).
struct QuarantinedJournal {
    std::string path;   // as the user finds it (under --root, inside the tree)
    std::string reason; // why (empty for one set aside by an earlier run)
};

// What `vfioctl recover --discard-corrupt` did: every set-aside entry is tried, whatever it is.
struct Discarded {
    std::vector<std::string> removed;  // paths
    std::vector<std::string> failures; // one sentence each
};

struct JournalSet {
    std::vector<Journal> journals;           // the valid ones
    std::vector<QuarantinedJournal> corrupt; // set aside, or to be set aside by the next writer
};

class BindJournal;

// The host lock, held. Proof, for the writing calls, that the caller holds it.
class JournalLock {
public:
    JournalLock(JournalLock &&) = default;

private:
    friend class BindJournal;
    explicit JournalLock(FileLock lock) : lock_(std::move(lock)) {}
    FileLock lock_;
};

class BindJournal {
public:
    BindJournal(HostRoot &host, const ProcessTable &processes) : host_(host), processes_(processes) {}

    // Waits at most `wait` for the host lock; then throws an Error naming the process that holds it. It is held only
    // for reads and writes of state, never across a kernel step.
    JournalLock lock(std::chrono::milliseconds wait);

    // Reads only.
    JournalSet read() const;
    // The owner's journal; nothing when there is none or it is corrupt.
    std::optional<Journal> read(const Owner &owner) const;

    // Under the lock: what read() says, with every corrupt journal set aside under a name that says so.
    JournalSet readSettingAside(const JournalLock &lock);
    std::optional<Journal> readSettingAside(const JournalLock &lock, const Owner &owner);
    // Throws Error (ENOSPC, EIO, EROFS, ...) when it cannot be written; the file is then as it was.
    void save(const JournalLock &lock, const Journal &journal);
    void remove(const JournalLock &lock, const Owner &owner);
    // Deletes the set-aside journals (`vfioctl recover --discard-corrupt`): files, links or directories alike.
    Discarded discardQuarantined(const JournalLock &lock);

private:
    std::optional<Journal> readFile(const std::string &name, std::string &corrupt) const;
    // Returns the name it now has.
    std::string setAside(const std::string &name);
    std::vector<std::string> names() const;

    HostRoot &host_;
    const ProcessTable &processes_;
    std::vector<QuarantinedJournal> setAsideNow_; // this process's, with their reasons
};

// What a journal larger than this holds is not a journal.
inline constexpr size_t maxJournalBytes = 16 << 20;

} // namespace vfioctl

#include "bind_journal.h"

#include "error.h"
#include "state_directory.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <thread>

namespace vfioctl {

namespace {

constexpr unsigned runDirectoryMode = 0755; // any user may see that it is there; only owners/ holds state
constexpr unsigned directoryMode = 0700;
constexpr unsigned fileMode = 0600;
constexpr std::string_view journalSuffix = ".journal";
constexpr std::string_view corruptSuffix = ".corrupt";

std::string ownersDirectory()
{
    return std::string(layout::ownersDirectory);
}

std::string lockPath()
{
    return joinPath(layout::runDirectory, "lock");
}

std::string pathOf(const std::string &name)
{
    return joinPath(ownersDirectory(), name);
}

bool isSetAside(const std::string &name)
{
    return name.find(std::string(journalSuffix) + std::string(corruptSuffix)) != std::string::npos;
}

} // namespace

JournalLock BindJournal::lock(std::chrono::milliseconds wait)
{
    // Ours alone before anything in it is believed or written (a read-only /run still locks, if it has the file).
    secureStateDirectory(host_, std::string(layout::runDirectory), runDirectoryMode);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (int attempt = 0;; ++attempt) {
        if (auto held = host_.tryLockExclusive(lockPath())) {
            const ProcessStamp self = processes_.self();
            held->noteHolder(std::to_string(self.pid) + " " + std::to_string(self.start) + " " +
                             processes_.commandName(self.pid) + "\n");
            // Under the lock nobody else writes a journal: a temporary file is a killed write's.
            if (host_.factsOf(ownersDirectory())) { // else the first save makes it
                secureStateDirectory(host_, ownersDirectory(), directoryMode);
                removeAbandonedTemporaries(host_, ownersDirectory(), processes_);
            }
            return JournalLock(std::move(*held));
        }
        if (std::chrono::steady_clock::now() >= deadline)
            break;
        // The lock is held for a scan and a journal write, a few milliseconds: asked again each millisecond for the
        // first tenth of a second (sixteen VMs starting at once each wait one turn, not one poll), then every ten.
        std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 100 ? 1 : 10));
    }
    // Whoever holds it wrote its pid and start time first; a note that cannot be read, or names a process that no
    // longer runs (an earlier holder's, not yet overwritten), still leaves a whole, true sentence.
    std::string holder = "another process";
    try {
        auto words = splitWords(host_.read(lockPath(), 4096).value_or(""));
        auto pid = words.size() > 1 ? parseDecimalInRange(words[0], 1, INT32_MAX) : std::nullopt;
        auto start = words.size() > 1 ? parseDecimal(words[1]) : std::nullopt;
        if (pid && start && *start >= 0 && processes_.running({*pid, static_cast<uint64_t>(*start)}))
            holder = "process " + words[0] + (words.size() > 2 ? " (" + words[2] + ")" : "");
    } catch (const Error &) {
    }
    throw Error("the host lock " + host_.shown(lockPath()) + " is held by " + holder + " and was not released within " +
                    std::to_string(wait.count() / 1000) + " s; try again when it ends",
                EWOULDBLOCK);
}

std::vector<std::string> BindJournal::names() const
{
    // A state directory that is a file is state that cannot be read, never "nothing is held".
    if (!stateDirectoryExists(host_, std::string(layout::runDirectory)))
        return {};
    stateDirectoryExists(host_, ownersDirectory());
    return host_.list(ownersDirectory());
}

std::optional<Journal> BindJournal::readFile(const std::string &name, std::string &corrupt) const
{
    try {
        auto text = host_.read(pathOf(name), maxJournalBytes);
        if (!text)
            return std::nullopt;
        // Only root writes journals, and nobody else may: another user's file is not ours to obey.
        if (auto why = untrustedStateFile(host_, pathOf(name)))
            throw Error("journal " + host_.shown(pathOf(name)) + " is not to be trusted (" + *why + ")", EINVAL);
        Journal journal = parseJournal(*text, host_.shown(pathOf(name)));
        // The name is a function of identity: a file under another owner's name is not to be believed.
        if (name != journalFileName(journal.owner))
            throw Error("journal " + host_.shown(pathOf(name)) + " is corrupt (it names " + journal.owner.describe() +
                            ", whose journal has another name)",
                        EINVAL);
        return journal;
    } catch (const Error &error) {
        if (error.errorNumber() == EACCES || error.errorNumber() == EPERM)
            throw; // not corrupt: this user may not read it
        corrupt = error.what();
        return std::nullopt;
    }
}

JournalSet BindJournal::read() const
{
    JournalSet set;
    for (const auto &name : names()) {
        if (isSetAside(name)) {
            QuarantinedJournal entry{host_.shown(pathOf(name)), ""};
            for (const auto &now : setAsideNow_)
                if (now.path == entry.path)
                    entry.reason = now.reason;
            set.corrupt.push_back(entry);
            continue;
        }
        if (!name.ends_with(journalSuffix))
            continue; // the temporary file of a write that was interrupted
        std::string corrupt;
        if (auto journal = readFile(name, corrupt))
            set.journals.push_back(std::move(*journal));
        else if (!corrupt.empty())
            set.corrupt.push_back({host_.shown(pathOf(name)), corrupt});
    }
    return set;
}

std::optional<Journal> BindJournal::read(const Owner &owner) const
{
    std::string corrupt;
    return readFile(journalFileName(owner), corrupt);
}

std::string BindJournal::setAside(const std::string &name)
{
    // Never overwrite an earlier corrupt journal: the first free ".corrupt", ".corrupt.2", ...
    std::string aside = name + std::string(corruptSuffix);
    for (int n = 2; host_.exists(pathOf(aside)); ++n)
        aside = name + std::string(corruptSuffix) + "." + std::to_string(n);
    host_.rename(pathOf(name), pathOf(aside)); // whatever it is (a FIFO, 300 MB), it is never read again
    return aside;
}

JournalSet BindJournal::readSettingAside(const JournalLock &)
{
    JournalSet set;
    for (const auto &name : names()) {
        if (!name.ends_with(journalSuffix) || isSetAside(name))
            continue;
        std::string corrupt;
        if (auto journal = readFile(name, corrupt)) {
            set.journals.push_back(std::move(*journal));
        } else if (!corrupt.empty()) {
            setAsideNow_.push_back({host_.shown(pathOf(setAside(name))), corrupt});
        }
    }
    set.corrupt = read().corrupt;
    return set;
}

std::optional<Journal> BindJournal::readSettingAside(const JournalLock &, const Owner &owner)
{
    std::string corrupt;
    auto journal = readFile(journalFileName(owner), corrupt);
    if (!journal && !corrupt.empty()) {
        setAsideNow_.push_back({host_.shown(pathOf(setAside(journalFileName(owner)))), corrupt});
    }
    return journal;
}

void BindJournal::save(const JournalLock &, const Journal &journal)
{
    host_.makeDirectories(ownersDirectory(), directoryMode);
    host_.replaceAtomically(pathOf(journalFileName(journal.owner)), serializeJournal(journal), fileMode);
}

void BindJournal::remove(const JournalLock &, const Owner &owner)
{
    host_.remove(pathOf(journalFileName(owner)));
}

Discarded BindJournal::discardQuarantined(const JournalLock &)
{
    Discarded discarded;
    for (const auto &name : names()) {
        if (!isSetAside(name))
            continue;
        try {
            host_.removeAll(pathOf(name));
            discarded.removed.push_back(host_.shown(pathOf(name)));
        } catch (const Error &error) {
            discarded.failures.push_back(error.what());
        }
    }
    return discarded;
}

} // namespace vfioctl

#include "bind_journal.h"

#include "error.h"
#include "sysfs_layout.h"

#include <algorithm>

namespace vfioctl {

namespace {

constexpr unsigned directoryMode = 0700;
constexpr unsigned fileMode = 0600;
constexpr std::string_view journalSuffix = ".journal";
constexpr std::string_view corruptSuffix = ".corrupt";

std::string ownersDirectory()
{
    return joinPath(layout::runDirectory, "owners");
}

std::string pathOf(const std::string &name)
{
    return joinPath(ownersDirectory(), name);
}

// The journal's file name must be the one its owner would be saved under (or, for a VM, vfioctl 0.1.0's).
bool nameAgrees(const std::string &name, const Journal &journal)
{
    return name == journalFileName(journal.owner) || name == legacyJournalFileName(journal.owner);
}

} // namespace

FileLock BindJournal::lock()
{
    host_.makeDirectories(ownersDirectory(), directoryMode);
    host_.makeDirectories(std::string(layout::runDirectory), directoryMode);
    return host_.lockExclusive(joinPath(layout::runDirectory, "lock"));
}

void BindJournal::save(const Journal &journal)
{
    host_.makeDirectories(ownersDirectory(), directoryMode);
    host_.replaceAtomically(pathOf(journalFileName(journal.owner)), serializeJournal(journal), fileMode);
    if (auto legacy = legacyJournalFileName(journal.owner))
        host_.remove(pathOf(*legacy)); // now saved under this release's name
}

void BindJournal::remove(const Owner &owner)
{
    host_.remove(pathOf(journalFileName(owner)));
    if (auto legacy = legacyJournalFileName(owner))
        host_.remove(pathOf(*legacy));
}

void BindJournal::setAside(const std::string &name, const std::string &reason) const
{
    // Never overwrite an earlier corrupt journal: the first free ".corrupt", ".corrupt.2", ...
    std::string aside = name + std::string(corruptSuffix);
    for (int n = 2; host_.exists(pathOf(aside)); ++n)
        aside = name + std::string(corruptSuffix) + "." + std::to_string(n);
    host_.rename(pathOf(name), pathOf(aside)); // whatever it is (a FIFO, 300 MB), it is never read again
    setAsideNow_.push_back({host_.shown(pathOf(aside)), reason});
}

std::optional<Journal> BindJournal::loadFile(const std::string &name) const
{
    try {
        auto text = host_.read(pathOf(name), maxJournalBytes);
        if (!text)
            return std::nullopt;
        Journal journal = parseJournal(*text, host_.shown(pathOf(name)));
        if (!nameAgrees(name, journal))
            throw Error("journal " + host_.shown(pathOf(name)) + " is corrupt (it names owner " +
                            journal.owner.describe() + ", whose journal has another name)",
                        EINVAL);
        return journal;
    } catch (const Error &error) {
        if (error.errorNumber() == EACCES || error.errorNumber() == EPERM)
            throw; // not corrupt: this user may not read it
        setAside(name, error.what());
        return std::nullopt;
    }
}

std::optional<Journal> BindJournal::load(const Owner &owner) const
{
    if (auto journal = loadFile(journalFileName(owner)))
        return journal;
    if (auto legacy = legacyJournalFileName(owner))
        return loadFile(*legacy);
    return std::nullopt;
}

std::vector<Journal> BindJournal::loadAll() const
{
    std::vector<Journal> journals;
    for (const auto &name : host_.list(ownersDirectory())) {
        if (!name.ends_with(journalSuffix))
            continue; // temporary files of an interrupted write, set-aside journals
        auto journal = loadFile(name);
        if (!journal)
            continue;
        // One owner, two files (this release's name and 0.1.0's): the second is not to be trusted either.
        if (std::any_of(journals.begin(), journals.end(),
                        [&](const Journal &other) { return other.owner == journal->owner; })) {
            setAside(name, "a second journal for " + journal->owner.describe());
            continue;
        }
        journals.push_back(std::move(*journal));
    }
    return journals;
}

std::vector<std::string> BindJournal::quarantinedNames() const
{
    std::vector<std::string> names;
    for (const auto &name : host_.list(ownersDirectory()))
        if (name.find(std::string(journalSuffix) + std::string(corruptSuffix)) != std::string::npos)
            names.push_back(name);
    return names;
}

std::vector<QuarantinedJournal> BindJournal::quarantined() const
{
    std::vector<QuarantinedJournal> found;
    for (const auto &name : quarantinedNames()) {
        QuarantinedJournal entry{host_.shown(pathOf(name)), ""};
        for (const auto &now : setAsideNow_)
            if (now.path == entry.path)
                entry.reason = now.reason;
        found.push_back(entry);
    }
    return found;
}

std::vector<std::string> BindJournal::discardQuarantined()
{
    std::vector<std::string> removed;
    for (const auto &name : quarantinedNames()) {
        host_.remove(pathOf(name));
        removed.push_back(host_.shown(pathOf(name)));
    }
    return removed;
}

} // namespace vfioctl

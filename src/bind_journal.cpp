#include "bind_journal.h"

#include "error.h"
#include "sysfs_layout.h"

#include <cerrno>
#include <nlohmann/json.hpp>

namespace vfioctl {

namespace {

constexpr std::string_view header = "vfioctl-journal 1\n";
constexpr unsigned directoryMode = 0700;
constexpr unsigned fileMode = 0600;

std::string ownersDirectory()
{
    return joinPath(layout::runDirectory, "owners");
}

// VM names may hold any character but '/'; file names keep [A-Za-z0-9._-] and %-escape the rest.
std::string encodeOwner(const std::string &owner)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : owner) {
        if (std::isalnum(c) || c == '_' || c == '-' || (c == '.' && !out.empty()))
            out += static_cast<char>(c);
        else
            out += {'%', digits[c >> 4], digits[c & 15]};
    }
    return out;
}

JournalState stateFromName(const std::string &name, const std::string &source)
{
    if (name == "binding")
        return JournalState::Binding;
    if (name == "bound")
        return JournalState::Bound;
    if (name == "restoring")
        return JournalState::Restoring;
    throw Error("journal " + source + " is corrupt: unknown state '" + name + "'; refusing to act on it", EINVAL);
}

} // namespace

const JournalEntry *Journal::find(const PciAddress &device) const
{
    for (const auto &entry : devices)
        if (entry.device == device)
            return &entry;
    return nullptr;
}

std::string journalStateName(JournalState state)
{
    switch (state) {
    case JournalState::Binding: return "binding";
    case JournalState::Bound: return "bound";
    case JournalState::Restoring: return "restoring";
    }
    return "unknown";
}

std::string serializeJournal(const Journal &journal)
{
    nlohmann::ordered_json devices = nlohmann::ordered_json::array();
    for (const auto &entry : journal.devices)
        devices.push_back({{"address", entry.device.str()},
                           {"original_driver", entry.original.driver},
                           {"original_override", entry.original.override}});
    nlohmann::ordered_json document = {{"owner", journal.owner},
                                       {"state", journalStateName(journal.state)},
                                       {"since", journal.since},
                                       {"pid", journal.pid},
                                       {"devices", devices}};
    return std::string(header) + document.dump(2) + "\n";
}

Journal parseJournal(std::string_view text, const std::string &source)
{
    auto corrupt = [&](const std::string &why) {
        return Error("journal " + source + " is corrupt (" + why + "); refusing to act on it", EINVAL);
    };
    if (!text.starts_with(header))
        throw corrupt("not a version 1 vfioctl journal");
    try {
        auto document = nlohmann::json::parse(text.substr(header.size()));
        Journal journal;
        journal.owner = document.at("owner").get<std::string>();
        journal.state = stateFromName(document.at("state").get<std::string>(), source);
        journal.since = document.at("since").get<int64_t>();
        journal.pid = document.at("pid").get<int>();
        for (const auto &device : document.at("devices")) {
            auto address = PciAddress::tryParse(device.at("address").get<std::string>());
            if (!address)
                throw corrupt("bad device address");
            journal.devices.push_back(
                {*address,
                 {device.at("original_driver").get<std::string>(), device.at("original_override").get<std::string>()}});
        }
        if (journal.owner.empty())
            throw corrupt("empty owner");
        return journal;
    } catch (const nlohmann::json::exception &error) {
        throw corrupt(error.what());
    }
}

FileLock BindJournal::lock()
{
    host_.makeDirectories(ownersDirectory(), directoryMode);
    host_.makeDirectories(std::string(layout::runDirectory), directoryMode);
    return host_.lockExclusive(joinPath(layout::runDirectory, "lock"));
}

std::string BindJournal::pathOf(const std::string &owner) const
{
    return joinPath(ownersDirectory(), encodeOwner(owner) + ".journal");
}

void BindJournal::save(const Journal &journal)
{
    host_.makeDirectories(ownersDirectory(), directoryMode);
    host_.replaceAtomically(pathOf(journal.owner), serializeJournal(journal), fileMode);
}

void BindJournal::remove(const std::string &owner)
{
    host_.remove(pathOf(owner));
}

std::optional<Journal> BindJournal::load(const std::string &owner) const
{
    const std::string path = pathOf(owner);
    auto text = host_.read(path);
    if (!text)
        return std::nullopt;
    return parseJournal(*text, path);
}

std::vector<Journal> BindJournal::loadAll() const
{
    std::vector<Journal> journals;
    for (const auto &name : host_.list(ownersDirectory())) {
        if (!name.ends_with(".journal"))
            continue; // temporary files of an interrupted write: the rename never happened, nothing to act on
        const std::string path = joinPath(ownersDirectory(), name);
        if (auto text = host_.read(path))
            journals.push_back(parseJournal(*text, path));
    }
    return journals;
}

} // namespace vfioctl

#include "journal_format.h"

#include "error.h"
#include "sysfs_value.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

namespace vfioctl {

namespace {

constexpr std::string_view header = "vfioctl-journal 1\n";

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

// The inverse of encodeOwner; nothing for text it could not have written.
std::optional<std::string> decodeOwner(std::string_view text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        auto value = i + 2 < text.size() ? parseHex(text.substr(i + 1, 2)) : std::nullopt;
        if (!value || !std::isxdigit(static_cast<unsigned char>(text[i + 1])))
            return std::nullopt;
        out += static_cast<char>(*value);
        i += 2;
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
    // The owner as its file name spells it: a VM name may hold bytes that are not UTF-8, which JSON cannot carry.
    nlohmann::ordered_json document = {{"owner", encodeOwner(journal.owner.name())},
                                       {"owner_kind", journal.owner.kindName()},
                                       {"state", journalStateName(journal.state)},
                                       {"since", journal.since},
                                       {"pid", journal.pid},
                                       {"devices", devices}};
    return std::string(header) + document.dump(2) + "\n";
}

namespace {

// A number the journal holds, refused unless it is an integer within [minimum, maximum]: a float such as 1e300
// must never reach an int conversion (found by fuzz_journal).
int64_t integerField(const nlohmann::json &document, const char *name, int64_t minimum, int64_t maximum,
                     const std::function<Error(const std::string &)> &corrupt)
{
    const auto &value = document.at(name);
    if (value.is_number_unsigned() && value.get<uint64_t>() <= static_cast<uint64_t>(maximum))
        return static_cast<int64_t>(value.get<uint64_t>());
    if (value.is_number_integer() && !value.is_number_unsigned()) {
        int64_t number = value.get<int64_t>();
        if (number >= minimum && number <= maximum)
            return number;
    }
    throw corrupt(std::string("bad ") + name);
}

// Driver names as the kernel spells them: never empty of meaning, never a path.
std::string driverField(const nlohmann::json &device, const char *name,
                        const std::function<Error(const std::string &)> &corrupt)
{
    std::string value = device.at(name).get<std::string>();
    bool plausible = value.size() <= 255 && std::all_of(value.begin(), value.end(), [](unsigned char c) {
                         return c > 0x20 && c < 0x7f && c != '/';
                     });
    if (!plausible)
        throw corrupt(std::string("bad ") + name);
    return value;
}

Owner ownerOf(const nlohmann::json &document, const std::function<Error(const std::string &)> &corrupt)
{
    const std::string written = document.at("owner").get<std::string>();
    if (written.empty() || written.size() > 4096)
        throw corrupt("bad owner");
    if (!document.contains("owner_kind"))
        return Owner::named(written); // vfioctl 0.1.0 wrote the name as it is
    const auto decoded = decodeOwner(written);
    if (!decoded || encodeOwner(*decoded) != written)
        throw corrupt("bad owner");
    const std::string &name = *decoded;
    const std::string kind = document.at("owner_kind").get<std::string>();
    if (kind == "vm")
        return Owner::vm(name);
    if (kind == "manual" && name == "manual")
        return Owner::manual();
    if (kind == "persist" && name == "persist")
        return Owner::persist();
    throw corrupt("bad owner_kind");
}

} // namespace

std::string journalFileName(const Owner &owner)
{
    return (owner.isVm() ? "vm-" + encodeOwner(owner.name()) : owner.name()) + ".journal";
}

std::optional<std::string> legacyJournalFileName(const Owner &owner)
{
    if (!owner.isVm() || !Owner::named(owner.name()).isVm())
        return std::nullopt;
    return encodeOwner(owner.name()) + ".journal";
}

Journal parseJournal(std::string_view text, const std::string &source)
{
    std::function<Error(const std::string &)> corrupt = [&](const std::string &why) {
        return Error("journal " + source + " is corrupt (" + why + "); refusing to act on it", EINVAL);
    };
    if (!text.starts_with(header))
        throw corrupt("not a version 1 vfioctl journal");
    try {
        auto document = nlohmann::json::parse(text.substr(header.size()));
        Journal journal;
        journal.owner = ownerOf(document, corrupt);
        journal.state = stateFromName(document.at("state").get<std::string>(), source);
        journal.since = integerField(document, "since", 0, INT64_MAX, corrupt);
        journal.pid = static_cast<int>(integerField(document, "pid", 0, INT32_MAX, corrupt));
        for (const auto &device : document.at("devices")) {
            auto address = PciAddress::tryParse(device.at("address").get<std::string>());
            if (!address)
                throw corrupt("bad device address");
            if (journal.find(*address))
                throw corrupt(address->str() + " listed twice");
            journal.devices.push_back(
                {*address,
                 {driverField(device, "original_driver", corrupt), driverField(device, "original_override", corrupt)}});
        }
        return journal;
    } catch (const nlohmann::json::exception &error) {
        throw corrupt(error.what());
    }
}

} // namespace vfioctl

#include "journal_format.h"

#include "error.h"
#include "service_manager.h"
#include "sysfs_value.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

namespace vfioctl {

namespace {

// The format's version is its first line; a later format is told apart by it, never by a file name.
constexpr std::string_view headerPrefix = "vfioctl-journal ";
// Format 3 added each device's module and the console record, format 4 each device's identity; a journal of an
// earlier format (written before an upgrade, while its VM ran) is still read, without them.
constexpr std::string_view header = "vfioctl-journal 4\n";
constexpr std::string_view headerVersion3 = "vfioctl-journal 3\n";
constexpr std::string_view headerVersion2 = "vfioctl-journal 2\n";
constexpr size_t maxNameBytes = 4096;

using Corrupt = std::function<Error(const std::string &)>;

// VM names may hold any byte; JSON carries only UTF-8, so the name is kept as [A-Za-z0-9._-] with %-escapes.
std::string encodeName(const std::string &name)
{
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '_' || c == '-' || c == '.')
            out += static_cast<char>(c);
        else
            out += {'%', digits[c >> 4], digits[c & 15]};
    }
    return out;
}

// The inverse of encodeName; nothing for text it could not have written.
std::optional<std::string> decodeName(std::string_view text)
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
    if (encodeName(out) != text)
        return std::nullopt;
    return out;
}

EntryState entryStateFromName(const std::string &name, const Corrupt &corrupt)
{
    if (name == "binding")
        return EntryState::Binding;
    if (name == "bound")
        return EntryState::Bound;
    if (name == "restoring")
        return EntryState::Restoring;
    throw corrupt("unknown state '" + name + "'");
}

// A number the journal holds, refused unless it is an integer within [minimum, maximum]: a float such as 1e300
// must never reach an int conversion (found by fuzz_journal).
int64_t integerField(const nlohmann::json &document, const char *name, int64_t minimum, int64_t maximum,
                     const Corrupt &corrupt)
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

// Driver names as the kernel spells them: never a path, never a control character.
std::string driverField(const nlohmann::json &device, const char *name, const Corrupt &corrupt)
{
    std::string value = device.at(name).get<std::string>();
    bool plausible = value.size() <= 255 && std::all_of(value.begin(), value.end(), [](unsigned char c) {
                         return c > 0x20 && c < 0x7f && c != '/';
                     });
    if (!plausible)
        throw corrupt(std::string("bad ") + name);
    return value;
}

Owner ownerOf(const nlohmann::json &document, const Corrupt &corrupt)
{
    const std::string kind = document.at("owner_kind").get<std::string>();
    const std::string written = document.at("name").get<std::string>();
    const auto name = written.size() <= 3 * maxNameBytes ? decodeName(written) : std::nullopt;
    if (!name)
        throw corrupt("bad name");
    if (kind == "vm") {
        const std::string uuid = document.at("uuid").get<std::string>();
        if (canonicalUuid(uuid) != uuid)
            throw corrupt("bad uuid");
        return Owner::vm(uuid, *name);
    }
    if (document.contains("uuid"))
        throw corrupt("a uuid for owner_kind " + kind);
    if (kind == "manual" && *name == "manual")
        return Owner::manual();
    if (kind == "persist" && *name == "persist")
        return Owner::persist();
    throw corrupt("bad owner_kind");
}

std::optional<ProcessStamp> processOf(const nlohmann::json &document, const Corrupt &corrupt)
{
    const auto &process = document.at("process");
    if (process.is_null())
        return std::nullopt;
    return ProcessStamp{static_cast<int>(integerField(process, "pid", 1, INT32_MAX, corrupt)),
                        static_cast<uint64_t>(integerField(process, "start", 0, INT64_MAX, corrupt))};
}

enum class Format { V2, V3, V4 };

JournalEntry entryOf(const nlohmann::json &device, Format format, const Corrupt &corrupt)
{
    auto address = PciAddress::tryParse(device.at("address").get<std::string>());
    if (!address)
        throw corrupt("bad device address");
    std::optional<PciIdentity> identity;
    if (format == Format::V4 && !device.at("identity").is_null()) {
        identity = PciIdentity::fromSysfsForm(device.at("identity").get<std::string>());
        if (!identity)
            throw corrupt("bad identity");
    }
    return {*address,
            {driverField(device, "original_driver", corrupt), driverField(device, "original_override", corrupt)},
            entryStateFromName(device.at("state").get<std::string>(), corrupt),
            device.at("from_pool").get<bool>(),
            format != Format::V2 ? driverField(device, "module", corrupt) : std::string(),
            identity};
}

PciAddress addressField(const nlohmann::json &document, const char *name, const Corrupt &corrupt)
{
    auto address = PciAddress::tryParse(document.at(name).get<std::string>());
    if (!address)
        throw corrupt(std::string("bad ") + name);
    return *address;
}

ConsoleRecord consoleOf(const nlohmann::json &console, const Corrupt &corrupt)
{
    ConsoleRecord record{addressField(console, "gpu", corrupt), {}, {}};
    for (const auto &vtconsole : console.at("vtconsoles")) {
        const std::string name = vtconsole.get<std::string>();
        const bool plausible = name.size() > 5 && name.size() < 16 && name.starts_with("vtcon") &&
                               name.find_first_not_of("0123456789", 5) == std::string::npos;
        if (!plausible)
            throw corrupt("bad vtconsole");
        record.hold.vtconsoles.push_back(name);
    }
    for (const auto &framebuffer : console.at("framebuffers")) {
        PlatformFramebuffer released{driverField(framebuffer, "device", corrupt),
                                     driverField(framebuffer, "driver", corrupt)};
        if (!isFramebufferDriver(released.driver))
            throw corrupt("bad framebuffer driver");
        record.hold.framebuffers.push_back(released);
    }
    for (const auto &unit : console.at("units")) {
        const std::string name = unit.get<std::string>();
        if (!isUnitName(name) || record.units.size() == maxStopUnits)
            throw corrupt("bad unit");
        record.units.push_back(name);
    }
    return record;
}

nlohmann::ordered_json consoleDocument(const ConsoleRecord &console)
{
    nlohmann::ordered_json framebuffers = nlohmann::ordered_json::array();
    for (const auto &framebuffer : console.hold.framebuffers)
        framebuffers.push_back({{"device", framebuffer.device}, {"driver", framebuffer.driver}});
    return {{"gpu", console.gpu.str()},
            {"vtconsoles", console.hold.vtconsoles},
            {"framebuffers", framebuffers},
            {"units", console.units}};
}

} // namespace

JournalState Journal::state() const
{
    auto any = [&](EntryState state) {
        return std::any_of(devices.begin(), devices.end(), [&](const JournalEntry &e) { return e.state == state; });
    };
    if (any(EntryState::Binding))
        return JournalState::Binding;
    if (any(EntryState::Restoring))
        return JournalState::Restoring;
    return JournalState::Bound;
}

const JournalEntry *Journal::find(const PciAddress &device) const
{
    for (const auto &entry : devices)
        if (entry.device == device)
            return &entry;
    return nullptr;
}

JournalEntry *Journal::find(const PciAddress &device)
{
    return const_cast<JournalEntry *>(static_cast<const Journal *>(this)->find(device));
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

std::string entryStateName(EntryState state)
{
    switch (state) {
    case EntryState::Binding: return "binding";
    case EntryState::Bound: return "bound";
    case EntryState::Restoring: return "restoring";
    }
    return "unknown";
}

std::string serializeJournal(const Journal &journal)
{
    nlohmann::ordered_json devices = nlohmann::ordered_json::array();
    for (const auto &entry : journal.devices)
        devices.push_back({{"address", entry.device.str()},
                           {"original_driver", entry.original.driver},
                           {"original_override", entry.original.override},
                           {"state", entryStateName(entry.state)},
                           {"from_pool", entry.fromPool},
                           {"module", entry.module},
                           {"identity", entry.identity ? nlohmann::ordered_json(entry.identity->sysfsForm())
                                                       : nlohmann::ordered_json(nullptr)}});
    nlohmann::ordered_json document = {{"owner_kind", journal.owner.kindName()}};
    if (journal.owner.isVm())
        document["uuid"] = journal.owner.uuid();
    document["name"] = encodeName(journal.owner.name());
    document["since"] = journal.since;
    document["process"] = journal.process
                              ? nlohmann::ordered_json{{"pid", journal.process->pid}, {"start", journal.process->start}}
                              : nlohmann::ordered_json(nullptr);
    document["devices"] = devices;
    document["console"] = journal.console ? consoleDocument(*journal.console) : nlohmann::ordered_json(nullptr);
    return std::string(header) + document.dump(2) + "\n";
}

Journal parseJournal(std::string_view text, const std::string &source)
{
    Corrupt corrupt = [&](const std::string &why) {
        return Error("journal " + source + " is corrupt (" + why + "); refusing to act on it", EINVAL);
    };
    const Format format = text.starts_with(headerVersion2)   ? Format::V2
                          : text.starts_with(headerVersion3) ? Format::V3
                                                             : Format::V4;
    const size_t headerSize = header.size(); // the same for all
    if (format == Format::V4 && !text.starts_with(header)) {
        const size_t end = std::min(text.find('\n'), std::min<size_t>(text.size(), 40));
        if (text.starts_with(headerPrefix))
            throw corrupt("format " + std::string(text.substr(headerPrefix.size(), end - headerPrefix.size())) +
                          ", not this release's format 4 (or 3, 2)");
        throw corrupt("not a vfioctl journal");
    }
    try {
        auto document = nlohmann::json::parse(text.substr(headerSize));
        Journal journal;
        journal.owner = ownerOf(document, corrupt);
        journal.since = integerField(document, "since", 0, INT64_MAX, corrupt);
        journal.process = processOf(document, corrupt);
        for (const auto &device : document.at("devices")) {
            JournalEntry entry = entryOf(device, format, corrupt);
            if (journal.find(entry.device))
                throw corrupt(entry.device.str() + " listed twice");
            journal.devices.push_back(entry);
        }
        if (format != Format::V2 && !document.at("console").is_null())
            journal.console = consoleOf(document.at("console"), corrupt);
        return journal;
    } catch (const nlohmann::json::exception &error) {
        throw corrupt(error.what());
    }
}

std::string journalFileName(const Owner &owner)
{
    return (owner.isVm() ? "vm-" + owner.uuid() : owner.kindName()) + ".journal";
}

} // namespace vfioctl

#include "persistence.h"

#include "error.h"
#include "state_directory.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <cstdio>

namespace vfioctl {

namespace {

std::optional<uint16_t> hex4(std::string_view text)
{
    if (text.size() != 4 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
        return std::nullopt;
    auto value = parseHex(text);
    if (!value || *value > 0xffff)
        return std::nullopt;
    return static_cast<uint16_t>(*value);
}

std::optional<PersistEntry> idEntry(std::string_view vendor, std::string_view device)
{
    auto v = hex4(vendor), d = hex4(device);
    if (!v || !d)
        return std::nullopt;
    return PersistEntry{std::nullopt, *v, *d, std::nullopt};
}

const char *marker = "# vfioctl persist: claimed for vfio-pci from boot by udev-rules/40-vfioctl-persist.rules\n";

} // namespace

std::string PersistEntry::fileName() const
{
    if (address)
        return "pci-" + address->str() + (identity ? "@" + identity->sysfsForm() : "");
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "id-0x%04x:0x%04x", vendor, device);
    return buffer;
}

std::string PersistEntry::text() const
{
    if (address)
        return address->str();
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04x:%04x", vendor, device);
    return buffer;
}

bool PersistEntry::matches(const PciAddress &at, const PciIdentity &now) const
{
    if (address)
        return *address == at && (!identity || *identity == now);
    return vendor == now.vendor && device == now.device;
}

bool PersistEntry::sameTarget(const PersistEntry &other) const
{
    if (address || other.address)
        return address == other.address;
    return vendor == other.vendor && device == other.device;
}

PersistEntry parsePersistTarget(std::string_view text)
{
    if (auto address = PciAddress::tryParse(text))
        return {address, 0, 0, std::nullopt};
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos)
        if (auto entry = idEntry(text.substr(0, colon), text.substr(colon + 1)))
            return *entry;
    throw Error("'" + std::string(text.substr(0, 64)) +
                    "' is neither a PCI address (0000:01:00.0, 01:00.0) nor a VENDOR:DEVICE id (10de:1b80)",
                EINVAL);
}

std::optional<PersistEntry> entryOfFileName(std::string_view name)
{
    if (name.starts_with("pci-")) {
        // Only the kernel's own form: the rule matches $kernel, nothing else; the identity as the rule builds it.
        const std::string_view rest = name.substr(4);
        const size_t at = rest.find('@');
        auto address = PciAddress::fromKernelName(rest.substr(0, at));
        if (!address)
            return std::nullopt;
        if (at == std::string_view::npos)
            return PersistEntry{address, 0, 0, std::nullopt};
        if (auto identity = PciIdentity::fromSysfsForm(rest.substr(at + 1)))
            return PersistEntry{address, 0, 0, identity};
    } else if (name.starts_with("id-0x") && name.size() == 16 && name.substr(9, 3) == ":0x") {
        // Lower case only, as udev spells $attr{vendor}: a file the rule would never match is not listed.
        auto entry = idEntry(name.substr(5, 4), name.substr(12, 4));
        if (entry && entry->fileName() == name)
            return entry;
    }
    return std::nullopt;
}

std::vector<PersistEntry> PersistStore::list() const
{
    std::vector<PersistEntry> entries;
    if (!stateDirectoryExists(host_, persistMarkerDirectory))
        return entries;
    for (const auto &name : host_.list(persistMarkerDirectory))
        if (auto entry = entryOfFileName(name))
            entries.push_back(*entry);
    return entries;
}

bool PersistStore::add(const PersistEntry &entry)
{
    const std::string path = joinPath(persistMarkerDirectory, entry.fileName());
    if (host_.exists(path))
        return false;
    secureStateDirectory(host_, persistMarkerDirectory, 0755);
    removeAbandonedTemporaries(host_, persistMarkerDirectory, liveProcesses());
    host_.replaceAtomically(path, marker, 0644);
    // Written first, then the old one removed: a crash between leaves both, and the next persist or unpersist of
    // the address tidies it.
    for (const auto &name : host_.list(persistMarkerDirectory))
        if (auto other = entryOfFileName(name); other && other->sameTarget(entry) && name != entry.fileName())
            host_.remove(joinPath(persistMarkerDirectory, name));
    return true;
}

bool PersistStore::remove(const PersistEntry &entry)
{
    if (!stateDirectoryExists(host_, persistMarkerDirectory))
        return false;
    secureStateDirectory(host_, persistMarkerDirectory, 0755);
    bool removed = false;
    for (const auto &name : host_.list(persistMarkerDirectory))
        if (auto other = entryOfFileName(name); other && other->sameTarget(entry)) {
            host_.remove(joinPath(persistMarkerDirectory, name));
            removed = true;
        }
    return removed;
}

} // namespace vfioctl

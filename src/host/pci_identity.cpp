#include "pci_identity.h"

#include "error.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <cstdio>

namespace vfioctl {

namespace {

std::string hex(uint32_t value, int digits, bool prefix)
{
    char text[16];
    std::snprintf(text, sizeof text, prefix ? "0x%0*x" : "%0*x", digits, value);
    return text;
}

} // namespace

std::string PciIdentity::describe() const
{
    return hex(vendor, 4, false) + ":" + hex(device, 4, false) + " (subsystem " + hex(subsystemVendor, 4, false) + ":" +
           hex(subsystemDevice, 4, false) + ", class " + hex(classCode, 6, false) + ")";
}

std::string PciIdentity::sysfsForm() const
{
    return hex(vendor, 4, true) + ":" + hex(device, 4, true) + ":" + hex(subsystemVendor, 4, true) + ":" +
           hex(subsystemDevice, 4, true) + ":" + hex(classCode, 6, true);
}

std::optional<PciIdentity> PciIdentity::fromSysfsForm(std::string_view text)
{
    const std::string_view whole = text;
    uint32_t fields[5];
    const size_t widths[5] = {4, 4, 4, 4, 6};
    for (size_t i = 0; i < 5; ++i) {
        const size_t size = 2 + widths[i];
        if (text.size() < size || !text.starts_with("0x"))
            return std::nullopt;
        auto value = parseHexAtMost(text.substr(0, size), widths[i] == 4 ? 0xffff : 0xffffff);
        if (!value)
            return std::nullopt;
        fields[i] = *value;
        text.remove_prefix(size);
        if (i < 4 && !text.starts_with(":"))
            return std::nullopt;
        if (i < 4)
            text.remove_prefix(1);
    }
    PciIdentity identity{static_cast<uint16_t>(fields[0]), static_cast<uint16_t>(fields[1]),
                         static_cast<uint16_t>(fields[2]), static_cast<uint16_t>(fields[3]), fields[4]};
    // One spelling only (lower-case digits, the kernel's widths): the marker's name must be the rule's text.
    if (!text.empty() || identity.sysfsForm() != whole)
        return std::nullopt;
    return identity;
}

std::optional<PciIdentity> readPciIdentity(const HostRoot &host, const PciAddress &address)
{
    const std::string device = joinPath(layout::pciDevices, address.str());
    if (auto modalias = host.read(joinPath(device, "modalias"), 256))
        if (auto parsed = parsePciModalias(*modalias))
            return *parsed;
    PciIdentity identity;
    const std::pair<const char *, uint32_t *> wide[] = {{"class", &identity.classCode}};
    const std::pair<const char *, uint16_t *> narrow[] = {{"vendor", &identity.vendor},
                                                          {"device", &identity.device},
                                                          {"subsystem_vendor", &identity.subsystemVendor},
                                                          {"subsystem_device", &identity.subsystemDevice}};
    for (auto [name, field] : narrow) {
        auto text = host.read(joinPath(device, name), 64);
        auto value = text ? parseHexAtMost(trimmed(*text), 0xffff) : std::nullopt;
        if (!value)
            return std::nullopt;
        *field = static_cast<uint16_t>(*value);
    }
    for (auto [name, field] : wide) {
        auto text = host.read(joinPath(device, name), 64);
        auto value = text ? parseHexAtMost(trimmed(*text), 0xffffff) : std::nullopt;
        if (!value)
            return std::nullopt;
        *field = *value;
    }
    return identity;
}

} // namespace vfioctl

#include "pci_address.h"

#include "error.h"

#include <algorithm>
#include <cctype>

namespace vfioctl {

namespace {

// Reads exactly `digits` hex digits from text at pos.
std::optional<uint32_t> hexField(std::string_view text, size_t &pos, size_t digits)
{
    if (pos + digits > text.size())
        return std::nullopt;
    uint32_t value = 0;
    for (size_t i = 0; i < digits; ++i) {
        char c = text[pos + i];
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
        value = value * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(c))
                                                       ? c - '0'
                                                       : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    }
    pos += digits;
    return value;
}

bool expect(std::string_view text, size_t &pos, char c)
{
    if (pos >= text.size() || text[pos] != c)
        return false;
    ++pos;
    return true;
}

std::optional<PciAddress> build(uint32_t domain, uint32_t bus, uint32_t slot, uint32_t function)
{
    if (slot > 31 || function > 7)
        return std::nullopt;
    return PciAddress{domain, static_cast<uint8_t>(bus), static_cast<uint8_t>(slot), static_cast<uint8_t>(function)};
}

std::optional<PciAddress> parseNodeDeviceName(std::string_view text)
{
    // pci_DDDD_BB_SS_F
    size_t pos = 4;
    auto domain = hexField(text, pos, 4);
    if (!domain || !expect(text, pos, '_'))
        return std::nullopt;
    auto bus = hexField(text, pos, 2);
    if (!bus || !expect(text, pos, '_'))
        return std::nullopt;
    auto slot = hexField(text, pos, 2);
    if (!slot || !expect(text, pos, '_'))
        return std::nullopt;
    auto function = hexField(text, pos, 1);
    if (!function || pos != text.size())
        return std::nullopt;
    return build(*domain, *bus, *slot, *function);
}

} // namespace

std::optional<PciAddress> PciAddress::fromKernelName(std::string_view text)
{
    auto address = tryParse(text);
    if (!address || address->str() != text)
        return std::nullopt;
    return address;
}

std::optional<PciAddress> PciAddress::tryParse(std::string_view text)
{
    if (text.starts_with("pci_"))
        return parseNodeDeviceName(text);

    size_t pos = 0;
    uint32_t domain = 0;
    // With a domain the text is 12 characters ("0000:01:00.0"), without it 7 ("01:00.0").
    if (text.size() == 12) {
        auto parsed = hexField(text, pos, 4);
        if (!parsed || !expect(text, pos, ':'))
            return std::nullopt;
        domain = *parsed;
    } else if (text.size() != 7) {
        return std::nullopt;
    }
    auto bus = hexField(text, pos, 2);
    if (!bus || !expect(text, pos, ':'))
        return std::nullopt;
    auto slot = hexField(text, pos, 2);
    if (!slot || !expect(text, pos, '.'))
        return std::nullopt;
    auto function = hexField(text, pos, 1);
    if (!function || pos != text.size())
        return std::nullopt;
    return build(domain, *bus, *slot, *function);
}

PciAddress PciAddress::parse(std::string_view text)
{
    if (auto address = tryParse(text))
        return *address;
    std::string shown;
    for (char c : text.substr(0, 64))
        shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    if (text.size() > 64)
        shown += "...";
    throw Error("'" + shown + "' is not a PCI address (expected 0000:01:00.0, 01:00.0 or pci_0000_01_00_0)", EINVAL);
}

namespace {

// printf's "%0*x", without printf: a listing formats an address for every one of tens of thousands of functions.
void appendHex(std::string &out, uint32_t value, int minimumDigits)
{
    char digits[8];
    int count = 0;
    do {
        digits[count++] = "0123456789abcdef"[value & 0xf];
        value >>= 4;
    } while (value);
    out.append(static_cast<size_t>(std::max(0, minimumDigits - count)), '0');
    while (count)
        out += digits[--count];
}

} // namespace

std::string PciAddress::str() const
{
    std::string text;
    text.reserve(16);
    appendHex(text, domain, 4); // "%04x:%02x:%02x.%x"
    text += ':';
    appendHex(text, bus, 2);
    text += ':';
    appendHex(text, slot, 2);
    text += '.';
    appendHex(text, function, 1);
    return text;
}

std::string joinAddresses(const std::vector<PciAddress> &addresses)
{
    std::string joined;
    for (const auto &address : addresses)
        joined += (joined.empty() ? "" : ", ") + address.str();
    return joined;
}

} // namespace vfioctl

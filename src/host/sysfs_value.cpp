#include "sysfs_value.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace vfioctl {

namespace {
bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
} // namespace

std::string trimmed(std::string_view text)
{
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return std::string(text);
}

std::optional<uint32_t> parseHex(std::string_view text)
{
    std::string value = trimmed(text);
    std::string_view digits = value;
    if (digits.starts_with("0x") || digits.starts_with("0X"))
        digits.remove_prefix(2);
    if (digits.empty() || digits.size() > 8)
        return std::nullopt;
    uint32_t result = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), result, 16);
    if (error != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    return result;
}

std::optional<int64_t> parseDecimal(std::string_view text)
{
    std::string value = trimmed(text);
    if (value.empty())
        return std::nullopt;
    int64_t result = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), result, 10);
    if (error != std::errc() || end != value.data() + value.size())
        return std::nullopt;
    return result;
}

std::optional<int> parseDecimalInRange(std::string_view text, int minimum, int maximum)
{
    auto value = parseDecimal(text);
    if (!value || *value < minimum || *value > maximum)
        return std::nullopt;
    return static_cast<int>(*value);
}

std::optional<uint32_t> parseHexAtMost(std::string_view text, uint32_t maximum)
{
    auto value = parseHex(text);
    if (!value || *value > maximum)
        return std::nullopt;
    return value;
}

std::string parseDriverOverride(std::string_view text)
{
    std::string value = trimmed(text);
    return value == "(null)" ? std::string() : value;
}

std::vector<std::string> splitWords(std::string_view text)
{
    std::vector<std::string> words;
    size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && isSpace(text[pos]))
            ++pos;
        size_t start = pos;
        while (pos < text.size() && !isSpace(text[pos]))
            ++pos;
        if (pos > start)
            words.emplace_back(text.substr(start, pos - start));
    }
    return words;
}

std::string joinWith(const std::vector<std::string> &items, std::string_view separator)
{
    std::string out;
    for (const auto &item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::vector<std::string> splitLines(std::string_view text)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::optional<PciModalias> parsePciModalias(std::string_view text)
{
    // Each field a tag and a fixed number of upper-case hex digits, in this order.
    auto field = [&](std::string_view tag, size_t digits, uint32_t maximum) -> std::optional<uint32_t> {
        if (!text.starts_with(tag) || text.size() < tag.size() + digits)
            return std::nullopt;
        const std::string_view value = text.substr(tag.size(), digits);
        if (!std::all_of(value.begin(), value.end(),
                         [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            return std::nullopt;
        text.remove_prefix(tag.size() + digits);
        return parseHexAtMost(value, maximum);
    };
    auto vendor = field("pci:v", 8, 0xffff), device = field("d", 8, 0xffff);
    auto subsystemVendor = field("sv", 8, 0xffff), subsystemDevice = field("sd", 8, 0xffff);
    auto base = field("bc", 2, 0xff), sub = field("sc", 2, 0xff), interface = field("i", 2, 0xff);
    if (!vendor || !device || !subsystemVendor || !subsystemDevice || !base || !sub || !interface ||
        !(text.empty() || text == "\n"))
        return std::nullopt;
    return PciModalias{static_cast<uint16_t>(*vendor), static_cast<uint16_t>(*device),
                       static_cast<uint16_t>(*subsystemVendor), static_cast<uint16_t>(*subsystemDevice),
                       *base << 16 | *sub << 8 | *interface};
}

} // namespace vfioctl

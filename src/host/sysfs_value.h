// Parsers for the small text values sysfs and procfs hand back ("0x8086\n", "-1\n", "(null)\n").
#pragma once

#include "pci_identity.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// The text without surrounding white space.
std::string trimmed(std::string_view text);
// "0x8086" or "8086" as a number; nothing for anything else.
std::optional<uint32_t> parseHex(std::string_view text);
// A decimal integer, optionally negative; nothing for anything else.
std::optional<int64_t> parseDecimal(std::string_view text);
// A decimal integer within [minimum, maximum]; nothing otherwise, never a wrapped or truncated number.
std::optional<int> parseDecimalInRange(std::string_view text, int minimum, int maximum);
// A hexadecimal number no larger than `maximum` ("0x18086" is no 16-bit id); nothing otherwise.
std::optional<uint32_t> parseHexAtMost(std::string_view text, uint32_t maximum);
// What a PCI device's `modalias` says ("pci:v00008086d0000154Csv00000000sd00000000bc02sc00i00\n"): the same fields
// the kernel prints as its vendor, device, subsystem_vendor, subsystem_device and class attributes.
using PciModalias = PciIdentity;
// Only the kernel's form, its newline optional; nothing for anything else.
std::optional<PciModalias> parsePciModalias(std::string_view text);
// driver_override reads "(null)" when unset; that is returned as an empty string.
std::string parseDriverOverride(std::string_view text);
// White-space separated words.
std::vector<std::string> splitWords(std::string_view text);
// The items with `separator` between them; "" for none.
std::string joinWith(const std::vector<std::string> &items, std::string_view separator);
// Lines, without their newline characters.
std::vector<std::string> splitLines(std::string_view text);

} // namespace vfioctl

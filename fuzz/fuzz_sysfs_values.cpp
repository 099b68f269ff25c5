// libFuzzer target: everything read from sysfs and procfs files (a captured --root tree is untrusted input).
#include "host_addresses.h"
#include "host_facts.h"
#include "mount_table.h"
#include "sysfs_value.h"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    (void)vfioctl::trimmed(text);
    (void)vfioctl::parseHex(text);
    (void)vfioctl::parseDecimal(text);
    (void)vfioctl::parseDriverOverride(text);
    (void)vfioctl::parsePciModalias(text);
    (void)vfioctl::splitWords(text);
    (void)vfioctl::splitLines(text);
    // Split the input in two for the parsers that read a pair of files.
    size_t half = size / 2;
    (void)vfioctl::parseMountTable(text.substr(0, half), text.substr(half));
    (void)vfioctl::parseIpv4Routes(text);
    (void)vfioctl::parseLocalIpv4Addresses(text);
    (void)vfioctl::parseIpv6Addresses(text);
    (void)vfioctl::parseIpv6DefaultRouteInterfaces(text);
    std::string owned(text);
    (void)vfioctl::parseKernelCommandLine(owned);
    (void)vfioctl::parseKernelVersion(owned);
    (void)vfioctl::libvirtVersionOfLibraryName(text);
    return 0;
}

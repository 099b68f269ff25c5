// libFuzzer target: PCI addresses and persist targets as users type them (they become sysfs paths and file names).
#include "error.h"
#include "pci_address.h"
#include "persistence.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    if (auto address = vfioctl::PciAddress::tryParse(text)) {
        // The kernel form is canonical: it parses back to the same address and never holds a path separator.
        std::string canonical = address->str();
        if (vfioctl::PciAddress::tryParse(canonical) != address || canonical.find('/') != std::string::npos ||
            canonical.size() != 12)
            std::abort();
    }
    try {
        vfioctl::PersistEntry entry = vfioctl::parsePersistTarget(text);
        auto back = vfioctl::entryOfFileName(entry.fileName());
        if (!back || !(*back == entry) || entry.fileName().find('/') != std::string::npos)
            std::abort();
    } catch (const vfioctl::Error &) {
    }
    (void)vfioctl::entryOfFileName(text);
    return 0;
}

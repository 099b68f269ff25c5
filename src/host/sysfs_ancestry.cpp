#include "sysfs_ancestry.h"

#include <vector>

namespace vfioctl {

std::optional<PciAddress> nearestPciAncestor(std::string_view canonicalPath, int skipTrailing)
{
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start < canonicalPath.size()) {
        size_t end = canonicalPath.find('/', start);
        if (end == std::string_view::npos)
            end = canonicalPath.size();
        if (end > start)
            parts.push_back(canonicalPath.substr(start, end - start));
        start = end + 1;
    }
    for (int i = static_cast<int>(parts.size()) - 1 - skipTrailing; i >= 0; --i) {
        // Only the full kernel form names a PCI device in a sysfs path; "pci0000:00" is the host bridge root.
        if (parts[static_cast<size_t>(i)].size() != 12)
            continue;
        if (auto address = PciAddress::tryParse(parts[static_cast<size_t>(i)]))
            return address;
    }
    return std::nullopt;
}

} // namespace vfioctl

#include "scan_scope.h"

#include "sysfs_value.h"

namespace vfioctl {

bool ScanScope::wants(const HostRoot &host, std::string_view directory, const std::string &entry) const
{
    if (!devices_)
        return true;
    auto target = host.readLink(joinPath(directory, entry));
    if (!target)
        return true; // not a link: read it as a full scan would
    bool belowPci = false;
    size_t start = 0;
    while (start <= target->size()) {
        size_t end = target->find('/', start);
        if (end == std::string::npos)
            end = target->size();
        std::string_view component(target->data() + start, end - start);
        // Only the kernel's own spelling of a PCI device directory ("0000:03:00.0"), never another form.
        if (auto address = PciAddress::fromKernelName(component)) {
            belowPci = true;
            if (devices_->count(*address))
                return true;
        }
        start = end + 1;
    }
    return !belowPci;
}

} // namespace vfioctl

#include "kernel_version.h"

#include <charconv>

namespace vfioctl {

std::optional<KernelVersion> parseKernelVersion(const std::string &release)
{
    KernelVersion version;
    int *fields[] = {&version.major, &version.minor, &version.patch};
    const char *at = release.data();
    const char *end = release.data() + release.size();
    for (int i = 0; i < 3; ++i) {
        auto [next, status] = std::from_chars(at, end, *fields[i]);
        if (status != std::errc()) {
            if (i < 2)
                return std::nullopt;
            break;
        }
        at = next;
        if (at == end || *at != '.')
            break;
        ++at;
    }
    return version;
}

} // namespace vfioctl

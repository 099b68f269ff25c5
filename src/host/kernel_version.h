// The running kernel's version as its release string gives it ("6.1.0-26-amd64" -> 6.1.0), for what depends on it:
// the checks, and what a kernel's sysfs means (reset_method since Linux 5.15).
#pragma once

#include <optional>
#include <string>

namespace vfioctl {

struct KernelVersion {
    int major = 0;
    int minor = 0;
    int patch = 0;
    auto operator<=>(const KernelVersion &) const = default;
};

// Since Linux 5.15 a device the kernel can reset has reset_method and one it cannot has none (the attribute is
// hidden, not empty): from this version on, no reset_method means no reset method.
inline constexpr KernelVersion resetMethodsPublishedSince{5, 15, 0};
inline constexpr KernelVersion iommufdSince{6, 2, 0};
inline constexpr KernelVersion vfioDeviceCdevSince{6, 6, 0};

// Nothing when the release does not start with MAJOR.MINOR.
std::optional<KernelVersion> parseKernelVersion(const std::string &release);

} // namespace vfioctl

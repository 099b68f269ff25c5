#include "host_facts.h"

#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <iterator>

namespace vfioctl {

std::map<std::string, std::string> parseKernelCommandLine(const std::string &text)
{
    std::map<std::string, std::string> parameters;
    for (const auto &word : splitWords(text)) {
        size_t equals = word.find('=');
        std::string name = word.substr(0, equals);
        // The kernel treats '-' and '_' alike in parameter names (not in values).
        std::replace(name.begin(), name.end(), '-', '_');
        parameters[name] = equals == std::string::npos ? "" : word.substr(equals + 1);
    }
    return parameters;
}

std::optional<std::string> libvirtVersionOfLibraryName(std::string_view name)
{
    constexpr std::string_view prefix = "libvirt.so.0.";
    if (!name.starts_with(prefix))
        return std::nullopt;
    name.remove_prefix(prefix.size());
    const size_t dot = name.find('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    auto combined = parseDecimalInRange(name.substr(0, dot), 0, 1000000);
    auto micro = parseDecimalInRange(name.substr(dot + 1), 0, 999);
    if (!combined || !micro)
        return std::nullopt;
    return std::to_string(*combined / 1000) + "." + std::to_string(*combined % 1000) + "." + std::to_string(*micro);
}

std::optional<std::string> libvirtLibraryVersion(const HostRoot &host)
{
    std::vector<std::string> directories(std::begin(layout::libraryDirectories), std::end(layout::libraryDirectories));
    for (const auto &name : host.list(std::string(layout::libraryDirectory)))
        if (name.find("-linux-") != std::string::npos)
            directories.insert(directories.begin(), joinPath(layout::libraryDirectory, name));
    for (const auto &directory : directories)
        for (const auto &name : host.list(directory))
            if (auto version = libvirtVersionOfLibraryName(name))
                return version;
    return std::nullopt;
}

} // namespace vfioctl

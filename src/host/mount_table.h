// Which block devices the host has mounted or uses as swap, from /proc/self/mountinfo and /proc/swaps.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct MountTable {
    std::map<std::string, std::vector<std::string>> byMajorMinor; // "259:2" -> {"/", "/boot"}
    std::map<std::string, std::vector<std::string>> bySource;     // "nvme0n1p2" -> {"/"} (from "/dev/nvme0n1p2")
    std::set<std::string> swapDevices;                            // "sda3"
    std::map<std::string, std::vector<std::string>> byShareTag;   // 9p/virtiofs mount tag -> mount points
};

MountTable parseMountTable(std::string_view mountInfo, std::string_view swaps);

} // namespace vfioctl

// Reads a whole file descriptor, refusing more than a limit, so a runaway writer cannot exhaust the hook's memory.
#pragma once

#include <cstddef>
#include <string>

namespace vfioctl::hook {

// Throws Error when more than `limit` bytes arrive or read(2) fails.
std::string readBounded(int fd, size_t limit);

} // namespace vfioctl::hook

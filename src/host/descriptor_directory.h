// The pieces of DirectoryHostRoot that work on an open directory descriptor.
#pragma once

#include "host_root.h"
#include "unique_fd.h"

#include <memory>
#include <string>
#include <vector>

namespace vfioctl {

// Absent, as opposed to unreadable: only these errors mean "there is no such file".
bool meansAbsent(int error);
// The entries of an open directory from its offset on, "." and ".." left out, in the directory's order: getdents64
// on the descriptor itself, where opendir(3) would cost an fcntl and an fstat more. `shown` names it in errors.
std::vector<std::string> directoryEntries(int fd, const std::string &shown);
// A HostDirectory reading relative to `fd` (opened O_RDONLY | O_DIRECTORY, taken over).
std::unique_ptr<HostDirectory> openedDirectory(UniqueFd fd, std::string shown);

} // namespace vfioctl

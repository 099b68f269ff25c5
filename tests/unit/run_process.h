// Runs an executable with a fixed argv (no shell) and captures its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace vfioctl::testing {

struct ProcessResult {
    int exitCode = -1;
    std::string out;
    std::string err;
};

ProcessResult runProcess(const std::vector<std::string> &argv, const std::string &input = "");

} // namespace vfioctl::testing

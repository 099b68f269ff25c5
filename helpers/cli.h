// The vfioctl command line: global options, dispatch through the command table, error printing.
#pragma once

#include "command.h"

#include <iosfwd>
#include <string>
#include <vector>

namespace vfioctl::cli {

// The main: opens the host --root names (this machine for /), runs the command, prints any failure as one line.
int run(int argc, char **argv);
// The same on a host opened by the caller (tests: a simulated kernel); --root is refused here.
int runOn(HostHandles host, const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

} // namespace vfioctl::cli

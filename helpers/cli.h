// The vfioctl command line: global options, dispatch through the command table, error printing.
#pragma once

namespace vfioctl::cli {

int run(int argc, char **argv);

} // namespace vfioctl::cli

// The checks checkHost() runs, in groups of one file each (host_check.cpp: hardware and kernel; software_checks.cpp:
// what is installed and what vfioctl left behind).
#pragma once

#include "host_check.h"

namespace vfioctl::checks {

CheckResult vfioModules(const HostFacts &facts);
CheckResult libvirt(const HostFacts &facts);
CheckResult hookInstalled(const HostFacts &facts);
CheckResult journals(const HostFacts &facts);

} // namespace vfioctl::checks

// The checks the table in host_check.cpp runs, in groups of one file each (kernel_checks.cpp: hardware and kernel;
// software_checks.cpp: what is installed and what vfioctl left behind; vfio_interface_checks.cpp: iommufd and the
// VFIO device cdev).
#pragma once

#include "host_check.h"

namespace vfioctl::checks {

Finding cpuVirtualization(const HostFacts &facts);
Finding kvmDevice(const HostFacts &facts);
Finding kernelVersion(const HostFacts &facts);
Finding iommu(const HostFacts &facts);
Finding commandLine(const HostFacts &facts);
Finding passthroughMode(const HostFacts &facts);
Finding interruptRemapping(const HostFacts &facts);
Finding vfioDevice(const HostFacts &facts);
Finding driverOverride(const HostFacts &facts);
Finding acsOverride(const HostFacts &facts);
Finding vfioPciIds(const HostFacts &facts);

Finding vfioModules(const HostFacts &facts);
Finding libvirt(const HostFacts &facts);
Finding hookInstalled(const HostFacts &facts);
Finding journals(const HostFacts &facts);
Finding gpuReset(const HostFacts &facts);

Finding iommufd(const HostFacts &facts);
Finding vfioDeviceCdev(const HostFacts &facts);

} // namespace vfioctl::checks

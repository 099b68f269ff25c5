// A realistic fake workstation shared by the inventory, eligibility, affected and CLI tests.
#pragma once

#include "fake_host.h"

namespace vfioctl::testing {

// Groups: 0 host bridge; 1 root port + GPU (VGA + audio); 2 boot iGPU; 3 xhci with a keyboard; 4 SATA with the root
// disk; 5 NVMe, unused; 6 two-port NIC whose first port has the host's address; 7-9 SR-IOV PF and two VFs;
// 10 a NIC in bridge br0; 0000:06:00.0 has no IOMMU group.
void buildWorkstation(FakeHost &fake);

} // namespace vfioctl::testing

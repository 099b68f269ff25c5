// A synthetic host of N PCI functions for the benchmarks: NICs with 255 SR-IOV VFs each, GPUs with their audio
// function, NVMe drives, each behind its own root port, with realistic IOMMU groups and binary config space so that
// pciutils can read the same tree.
#pragma once

#include "fake_host.h"

namespace vfioctl::bench {

// Adds about `functions` PCI functions (never fewer) to `fake`; returns how many it added.
int buildSyntheticHost(testing::FakeHost &fake, int functions);

} // namespace vfioctl::bench

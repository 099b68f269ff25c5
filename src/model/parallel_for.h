// Work on independent items spread over the machine's cores: reading ten thousand sysfs directories is system-call
// bound, and each core can walk its own share.
#pragma once

#include <cstddef>
#include <functional>

namespace vfioctl {

// How many threads a scan of `items` items uses: one below `serialBelow` items (a thread costs more than it
// saves on a workstation), else one per core this process may run on, at most 8.
unsigned scanWorkers(size_t items, size_t serialBelow = 256);

// Calls work(i) for every i in [0, count), on `workers` threads taking chunks as they finish. work must touch only
// its own item. The first exception a call throws is thrown here, after every thread has stopped.
void forEachIndex(size_t count, unsigned workers, const std::function<void(size_t)> &work);

} // namespace vfioctl

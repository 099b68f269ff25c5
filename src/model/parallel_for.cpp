#include "parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <sched.h>
#include <system_error>
#include <thread>
#include <vector>

namespace vfioctl {

namespace {

constexpr size_t chunk = 32; // items a thread takes at a time: few atomic steps, balanced ends

// The cores this process may run on: a management container or a pinned service gets fewer than the machine has.
unsigned usableCores()
{
    cpu_set_t allowed;
    if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        return static_cast<unsigned>(CPU_COUNT(&allowed));
    return std::thread::hardware_concurrency();
}

} // namespace

unsigned scanWorkers(size_t items, size_t serialBelow)
{
    if (items < serialBelow)
        return 1;
    return std::clamp(usableCores(), 1u, 8u);
}

void forEachIndex(size_t count, unsigned workers, const std::function<void(size_t)> &work)
{
    if (workers <= 1 || count <= chunk) {
        for (size_t i = 0; i < count; ++i)
            work(i);
        return;
    }
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr firstError;
    std::mutex errorMutex;
    auto run = [&] {
        try {
            for (size_t start; !failed && (start = next.fetch_add(chunk)) < count;)
                for (size_t i = start; i < std::min(start + chunk, count); ++i)
                    work(i);
        } catch (...) {
            std::lock_guard lock(errorMutex);
            if (!firstError)
                firstError = std::current_exception();
            failed = true;
        }
    };
    {
        std::vector<std::jthread> threads;
        try {
            for (unsigned i = 1; i < workers; ++i)
                threads.emplace_back(run);
        } catch (const std::system_error &) {
            // No thread to be had (a limit on tasks): the ones that started, and this one, do the work.
        }
        run();
    } // the threads join here
    if (firstError)
        std::rethrow_exception(firstError);
}

} // namespace vfioctl

#include "bounded_input.h"

#include "error.h"

#include <cerrno>
#include <unistd.h>

namespace vfioctl::hook {

std::string readBounded(int fd, size_t limit)
{
    std::string data;
    char buffer[65536];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw Error("cannot read the domain XML from stdin: " + errnoText(errno), errno);
        }
        if (got == 0)
            return data;
        if (data.size() + static_cast<size_t>(got) > limit)
            throw Error("the domain XML on stdin is larger than " + std::to_string(limit) + " bytes; refusing it",
                        EFBIG);
        data.append(buffer, static_cast<size_t>(got));
    }
}

} // namespace vfioctl::hook

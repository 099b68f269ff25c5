#include "error.h"

#include <cstring>

namespace vfioctl {

std::string errnoText(int errorNumber)
{
    return std::strerror(errorNumber);
}

} // namespace vfioctl

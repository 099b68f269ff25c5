// The one error type the library throws: a full sentence with context, printed by the mains.
#pragma once

#include <stdexcept>
#include <string>

namespace vfioctl {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string &message, int errorNumber = 0) : std::runtime_error(message), errno_(errorNumber)
    {
    }

    // The errno behind the failure, 0 when it was not a system call.
    int errorNumber() const { return errno_; }

private:
    int errno_;
};

// "Device or resource busy" for EBUSY; kept here so every message spells errno the same way.
std::string errnoText(int errorNumber);

} // namespace vfioctl

// One-line human descriptions of devices, in the spirit of `lspci -nn`.
#pragma once

#include "devices.h"

#include <string>

namespace vfioctl::cli {

// "VGA compatible controller [0300]: NVIDIA Corporation GA102 [10de:2204] (rev a1)"
std::string describePci(const PciDevice &device);
std::string describeUsb(const UsbDevice &device);
std::string orDash(const std::string &text);

} // namespace vfioctl::cli

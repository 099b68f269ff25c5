// One-line human descriptions of devices, in the spirit of `lspci -nn`.
#pragma once

#include "devices.h"
#include "eligibility.h"

#include <string>

namespace vfioctl::cli {

// "VGA compatible controller [0300]: NVIDIA Corporation GA102 [10de:2204] (rev a1)"
std::string describePci(const PciDevice &device);
std::string describeUsb(const UsbDevice &device);
std::string orDash(const std::string &text);
// The PASSTHROUGH column: "yes", "no", or "hand-off" (the boot GPU's group: only with a console hand-off).
std::string passthroughText(const Eligibility &eligibility);
// "only with a console hand-off (console=\"handoff\" in the VM's policy, or --console-handoff); the host loses
// meanwhile: ..."
std::string handoffNote(const ConsoleHandoffNeed &need);

} // namespace vfioctl::cli

// Names a fleet engine's operator reads: Nova alias names and KubeVirt resource names ("nvidia.com/GP104_..."),
// made from the hardware database's names, or from the ids when the host has none.
#pragma once

#include "devices.h"

#include <string>

namespace vfioctl {

// 0x10de -> "10de": how Nova, KubeVirt and sysfs spell an id.
std::string hexId(uint16_t id);
// "GP104 [GeForce GTX 1080]" -> "gp104-geforce-gtx-1080"; `prefix` given: "PREFIX-10de-1b80".
std::string novaAliasName(const PciDevice &device, const std::string &prefix);
// KubeVirt's convention, a Kubernetes extended resource name: "DOMAIN/NAME" with the vendor's DNS domain and a name
// of at most 63 characters [A-Za-z0-9_.-] that starts and ends with a letter or digit.
std::string kubevirtResourceName(const PciDevice &device);

} // namespace vfioctl

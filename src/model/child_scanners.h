// Readers for the devices that hang below PCI functions: USB, SCSI, network interfaces and block devices.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"

#include <vector>

namespace vfioctl {

std::vector<UsbDevice> scanUsbDevices(const HostRoot &host, const HardwareNames &names);
std::vector<ScsiDevice> scanScsiDevices(const HostRoot &host);
std::vector<NetInterface> scanNetInterfaces(const HostRoot &host);
std::vector<BlockDevice> scanBlockDevices(const HostRoot &host);
std::vector<SharedFilesystem> scanSharedFilesystems(const HostRoot &host);

} // namespace vfioctl

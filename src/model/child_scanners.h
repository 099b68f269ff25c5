// Readers for the devices that hang below PCI functions: USB, SCSI, network interfaces and block devices.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"

#include <vector>

namespace vfioctl {

// Each appends a note to `notes` for an entry it had to skip (unreadable, a link loop).
std::vector<UsbDevice> scanUsbDevices(const HostRoot &host, const HardwareNames &names,
                                      std::vector<std::string> &notes);
std::vector<ScsiDevice> scanScsiDevices(const HostRoot &host, std::vector<std::string> &notes);
std::vector<NetInterface> scanNetInterfaces(const HostRoot &host, std::vector<std::string> &notes);
std::vector<BlockDevice> scanBlockDevices(const HostRoot &host, std::vector<std::string> &notes);
std::vector<SharedFilesystem> scanSharedFilesystems(const HostRoot &host, std::vector<std::string> &notes);

} // namespace vfioctl

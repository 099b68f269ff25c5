// Readers for the devices that hang below PCI functions: USB, SCSI, network interfaces and block devices.
#pragma once

#include "devices.h"
#include "hardware_names.h"
#include "host_root.h"
#include "scan_scope.h"

#include <vector>

namespace vfioctl {

// Each appends a note to `notes` for an entry it had to skip (unreadable, a link loop).
// Each reads the entries of its class or bus directory that `scope` wants (all by default).
std::vector<UsbDevice> scanUsbDevices(const HostRoot &host, const HardwareNames &names, std::vector<std::string> &notes,
                                      const ScanScope &scope = {});
std::vector<ScsiDevice> scanScsiDevices(const HostRoot &host, std::vector<std::string> &notes,
                                        const ScanScope &scope = {});
std::vector<NetInterface> scanNetInterfaces(const HostRoot &host, std::vector<std::string> &notes,
                                            const ScanScope &scope = {});
std::vector<BlockDevice> scanBlockDevices(const HostRoot &host, std::vector<std::string> &notes,
                                          const ScanScope &scope = {});
std::vector<SharedFilesystem> scanSharedFilesystems(const HostRoot &host, std::vector<std::string> &notes,
                                                    const ScanScope &scope = {});

} // namespace vfioctl

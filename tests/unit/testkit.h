// What many suites set up the same way: the simulated workstation with vfio-pci available, the GPU + audio group,
// and lookups by address (a test never finds a device by its position in a listing).
#pragma once

#include "fake_host.h"
#include "fake_module_loader.h"
#include "journal_format.h"
#include "pci_address.h"
#include "process_table.h"
#include "simulated_kernel.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace vfioctl::testing {

PciAddress at(const char *text);

// The root port 0000:00:01.0 of IOMMU group `group` with an NVIDIA GPU (0000:01:00.0 on `gpuDriver`) and its HDMI
// audio function (0000:01:00.1 on snd_hda_intel) behind it: the group most passthrough users meet.
void addGpuWithAudio(FakeHost &fake, const std::string &gpuDriver, int group);

// The workstation (workstation.h) on the simulated kernel, vfio-pci loaded and willing to take the GPU.
struct SimulatedWorkstation {
    SimulatedWorkstation();
    std::string driverOf(const char *address) const;

    FakeHost fake;
    std::unique_ptr<SimulatedKernel> kernel;
    std::unique_ptr<FakeModuleLoader> modules;
};

// The element of a JSON array whose "address" is `address`; a test failure (and null) when there is none.
const nlohmann::json &byAddress(const nlohmann::json &array, const std::string &address);
// The same by another key ("name" for block devices and interfaces, "target" for persisted targets).
const nlohmann::json &byKey(const nlohmann::json &array, const char *key, const std::string &value);

} // namespace vfioctl::testing

namespace vfioctl::testing {

// A VM owner for tests: its UUID derived from its name, so different names are different VMs and the same name the
// same one (as a test means it).
std::string uuidFor(const std::string &vmName);
Owner vmOwner(const std::string &vmName);
// The domain XML as libvirt would hand it to the hook of VM `vmName`: with that VM's <uuid> (uuidFor) when the
// text has none, or in place of the one it has, and `vmName` as its <name>.
std::string withVmIdentity(const std::string &xml, const std::string &vmName);
// Puts a journal on disk as a process of vfioctl would (under the lock).
void saveJournal(HostRoot &host, const Journal &journal);

} // namespace vfioctl::testing

namespace vfioctl::testing {

// A process table in which this process is a stranger that has since died: what such a process wrote, another
// process finds unfinished (its pid is ours, its start time is not).
const ProcessTable &deadProcess();

} // namespace vfioctl::testing

namespace vfioctl::testing {

// A rescan after the workstation's VF 0000:04:00.3 was removed (SimulatedKernel::removeDevice): it comes back with no
// driver and is probed, as Linux adds a device it finds again.
void rescanWorkstationVf(SimulatedWorkstation &host);

} // namespace vfioctl::testing

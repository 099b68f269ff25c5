// Which VMs hold which PCI devices, in their persistent definition or while they run.
#pragma once

#include "eligibility.h"
#include "hypervisor.h"
#include "libvirt_holdings.h"
#include "pci_address.h"

#include <map>
#include <string>
#include <vector>

namespace vfioctl {

struct Holder {
    std::string vm;
    VmState state = VmState::ShutOff;
    bool inConfig = false; // the persistent definition lists it
    bool inLive = false;   // the running VM has it now
};

using HolderMap = std::map<PciAddress, std::vector<Holder>>;

// Domains whose XML cannot be read as a domain are skipped: one odd domain must not hide the others' holdings.
HolderMap findHolders(const std::vector<VmInfo> &domains);
// What running VMs hold by libvirt's own record (their live XML), for the engine's refusals (libvirt_holdings.h).
LibvirtHoldings runningHoldings(const std::vector<VmInfo> &domains);
// "held by running VM win11" / "assigned to stopped VM linux"
std::string describeHolder(const Holder &holder);
// Adds "held by running VM X" (a VM running with it) to the reasons; a stopped VM's assignment is only a note.
void addHolderReasons(Eligibility &eligibility, const std::vector<Holder> &holders);

} // namespace vfioctl

// vfioctl assign/unassign: a PCI device and the other endpoints of its IOMMU group into or out of a VM's definition
// (--config) and/or the running VM (--live, through the binding engine and hot-plug).
#pragma once

#include "bind_engine.h"
#include "host_root.h"
#include "hypervisor.h"

#include <chrono>
#include <string>
#include <vector>

namespace vfioctl {

struct AssignOptions {
    bool config = false; // neither set: config
    bool live = false;
    // --console-handoff: the group holds the boot GPU, and the live bind hands the host console over (the units the
    // VM's policy names are stopped first).
    bool consoleHandoff = false;
};

struct AssignmentReport {
    std::vector<PciAddress> group;         // the device and its group's other endpoints (bridges excluded)
    std::vector<PciAddress> configChanged; // added to / removed from the persistent definition
    std::vector<PciAddress> liveChanged;   // hot-plugged / unplugged
    bool vmActive = false;
};

class Assigner {
public:
    Assigner(HostRoot &host, Hypervisor &hypervisor, BindEngine &engine,
             std::chrono::milliseconds unplugWait = std::chrono::seconds(10)); // the CLI passes --timeout

    // Refuses (Error, nothing changed) a bridge, a device without IOMMU group, any endpoint the host uses, and any
    // endpoint another VM holds. Already-assigned endpoints are left as they are.
    AssignmentReport assign(const std::string &vm, const PciAddress &device, AssignOptions options);
    // Live: unplugs, waits for the guest to let go, then gives the drivers back; a device the guest keeps is
    // reported and stays on vfio-pci until the VM stops (the hook gives it back then).
    AssignmentReport unassign(const std::string &vm, const PciAddress &device, AssignOptions options);

private:
    enum class Check { Eligibility, Nothing }; // assign refuses what cannot go; unassign takes what is there
    std::vector<PciAddress> groupEndpoints(const PciAddress &device, Check check);
    void refuseOtherHolders(const std::string &vm, const PciAddress &device, const std::vector<PciAddress> &group);
    void plugLive(const VmInfo &vm, const std::vector<PciAddress> &toPlug, bool consoleHandoff,
                  AssignmentReport &report);
    std::string undoPlug(const std::string &vmName, const std::vector<PciAddress> &boundHere,
                         const AssignmentReport &report);
    void unplugLive(const VmInfo &vm, const std::vector<PciAddress> &plugged, AssignmentReport &report);

    HostRoot &host_;
    Hypervisor &hypervisor_;
    BindEngine &engine_;
    std::chrono::milliseconds unplugWait_;
};

} // namespace vfioctl

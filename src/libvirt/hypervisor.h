// The VMs of a hypervisor as vfioctl needs them, behind an interface: libvirt in production (libvirt_hypervisor.h,
// linked only into the CLI, never the hook), a fake in tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class VmState { Running, Paused, ShutOff, Other };

struct VmInfo {
    std::string name;
    VmState state = VmState::ShutOff;
    std::string configXml;              // the persistent (inactive) definition
    std::optional<std::string> liveXml; // while it runs
    bool active() const { return liveXml.has_value(); }
};

class Hypervisor {
public:
    virtual ~Hypervisor() = default;
    virtual std::vector<VmInfo> domains() = 0;
    // Throws Error "no VM named X" when there is none.
    virtual VmInfo domain(const std::string &name) = 0;
    // Replaces the persistent definition.
    virtual void define(const std::string &xml) = 0;
    virtual void attachLive(const std::string &vm, const std::string &deviceXml) = 0;
    virtual void detachLive(const std::string &vm, const std::string &deviceXml) = 0;
};

std::string vmStateName(VmState state); // "running", "paused", "shut off", "other"

} // namespace vfioctl

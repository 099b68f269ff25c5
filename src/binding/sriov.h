// A physical function's virtual functions: who holds each, and changing how many exist (sriov_numvfs).
#pragma once

#include "bind_engine.h"
#include "inventory.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

struct VfState {
    PciAddress address;
    std::string driver;                // empty: none
    std::optional<Owner> heldBy;       // from the journals
    std::vector<std::string> hostUses; // a netdev with an address, in a bridge...
};

struct SriovState {
    PciAddress pf;
    std::string driver;
    SriovCounts counts;
    std::vector<VfState> vfs;
};

class SriovControl {
public:
    SriovControl(HostRoot &host, BindEngine &engine) : host_(host), engine_(engine) {}

    // Error for a device that is not an SR-IOV physical function.
    SriovState state(const PciAddress &pf) const;
    // Sets the VF count. Refuses N above the total, and, unless forced, while a VF that would go away is held or used
    // by the host. The kernel's refusal (a driver that cannot change it) is reported as it says it. Returns what was
    // lost (forced) as sentences.
    std::vector<std::string> setCount(const PciAddress &pf, int count, Force force);

private:
    HostRoot &host_;
    BindEngine &engine_;
};

} // namespace vfioctl

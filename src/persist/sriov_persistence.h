// SR-IOV across reboots, as marker files in /etc/vfioctl/persist.d that udev-rules/40-vfioctl-persist.rules reads:
// - "sriov-PF" keeps a PF's VF count; the rule imports VFIOCTL_SRIOV_NUMVFS=N from it when the PF's driver binds and
//   writes it to sriov_numvfs;
// - "vfs-of-PF" claims every VF of a PF for vfio-pci. udev cannot follow a VF's physfn link, so each VF the PF can
//   make has its own "vf-ADDRESS" marker, which the rule tests with $kernel as for a persisted address; vfs-of-PF
//   lists them so that they are listed and removed as one.
#pragma once

#include "host_root.h"
#include "pci_address.h"

#include <optional>
#include <vector>

namespace vfioctl {

struct KeptVfCount {
    PciAddress pf;
    int count = 0;
};

struct ClaimedVfs {
    PciAddress pf;
    std::vector<PciAddress> vfs; // every VF the PF can make, present or not
};

// Where each VF the PF can make appears: its routing ID is the PF's plus sriov_offset plus index times
// sriov_stride (PCIe SR-IOV 3.3.10-11), for index below sriov_totalvfs. Throws Error for a PF that does not say.
std::vector<PciAddress> possibleVirtualFunctions(const HostRoot &host, const PciAddress &pf);

class SriovPersistStore {
public:
    explicit SriovPersistStore(HostRoot &host) : host_(host) {}

    std::vector<KeptVfCount> keptCounts() const;
    std::optional<KeptVfCount> keptCount(const PciAddress &pf) const;
    void keepCount(const KeptVfCount &kept);
    bool forgetCount(const PciAddress &pf); // false: nothing was kept

    std::vector<ClaimedVfs> claims() const;
    bool claim(const ClaimedVfs &claim);                     // false: claimed already
    std::optional<ClaimedVfs> unclaim(const PciAddress &pf); // what was claimed

private:
    std::optional<ClaimedVfs> claimOf(const PciAddress &pf) const;
    HostRoot &host_;
};

} // namespace vfioctl

// persist / unpersist as a policy over the store and the engine: an address brings its IOMMU group, what the host
// uses is refused, and the change is applied now unless only the next boot should see it.
#pragma once

#include "bind_engine.h"
#include "inventory.h"
#include "persistence.h"
#include "sriov_persistence.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class ApplyNow { No, Yes }; // No: change only what the next boot does

// Why a device cannot be claimed for vfio-pci: it is an SR-IOV PF whose VFs exist (never), or the host uses it
// (only with --force). persist and persist --vfs-of word the refusal each in their own terms.
struct ClaimRefusal {
    PciAddress device;
    std::string reason;   // "SR-IOV physical function with ...", or what the host would lose
    bool hostUse = false; // true: --force would claim it anyway
};
// The first refusal among `devices` (every PF with VFs before any host use), or nothing when all can be claimed.
std::optional<ClaimRefusal> firstClaimRefusal(const Inventory &inventory, const std::vector<PciAddress> &devices,
                                              Force force);

struct PresentDevice {
    PciAddress address;
    std::string driver; // empty: none
};

struct PersistedTarget {
    PersistEntry entry;
    std::vector<PresentDevice> present; // devices of this host it claims (bridges never)
    // An address entry whose address holds another device now (not claimed): what is there.
    std::optional<PciIdentity> foundInstead{};
};

struct PersistedVfs {
    ClaimedVfs claim;
    std::vector<PresentDevice> present; // the VFs that exist now
};

struct PersistReport {
    std::vector<std::string> added;    // targets newly persisted
    std::vector<PciAddress> boundNow;  // on vfio-pci now for the owner `persist`
    std::vector<PciAddress> uncovered; // bound now as companions of an id, but not persisted themselves
};

struct UnpersistReport {
    std::vector<std::string> removed;
    std::vector<PciAddress> givenBack; // back on their drivers now
    std::vector<PciAddress> heldByVms; // stay on vfio-pci until their VM stops
};

class Persister {
public:
    Persister(HostRoot &host, BindEngine &engine) : host_(host), engine_(engine) {}

    std::vector<PersistedTarget> list() const;
    PersistReport persist(const std::vector<PersistEntry> &targets, Force force, ApplyNow now);
    UnpersistReport unpersist(const std::vector<PersistEntry> &targets, ApplyNow now);

    // Every VF the PF can make, claimed for vfio-pci as it appears (persist --vfs-of); the VFs present now, with their
    // IOMMU group companions, bound now. A VF whose group holds its PF or another PF with VFs is refused.
    std::vector<PersistedVfs> listVfClaims() const;
    PersistReport persistVfsOf(const PciAddress &pf, Force force, ApplyNow now);
    UnpersistReport unpersistVfsOf(const PciAddress &pf, ApplyNow now);

private:
    // Gives back what is on vfio-pci for no VM among `present`: bound by `persist` now, or at boot by the rule.
    void giveBackUnheld(const std::vector<PciAddress> &present, UnpersistReport &report);

    HostRoot &host_;
    BindEngine &engine_;
};

} // namespace vfioctl

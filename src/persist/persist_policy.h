// persist / unpersist as a policy over the store and the engine: an address brings its IOMMU group, what the host
// uses is refused, and the change is applied now unless only the next boot should see it.
#pragma once

#include "bind_engine.h"
#include "persistence.h"

#include <string>
#include <vector>

namespace vfioctl {

enum class ApplyNow { No, Yes }; // No: change only what the next boot does

struct PresentDevice {
    PciAddress address;
    std::string driver; // empty: none
};

struct PersistedTarget {
    PersistEntry entry;
    std::vector<PresentDevice> present; // devices of this host it claims (bridges never)
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

private:
    HostRoot &host_;
    BindEngine &engine_;
};

} // namespace vfioctl

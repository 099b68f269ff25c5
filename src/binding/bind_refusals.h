// What bind refuses before anything moves, each rule in one place: the plan (bridges, group-less devices, what the
// host uses), SR-IOV parents, groups another owner holds, and a transaction still running in another process.
#pragma once

#include "bind_engine.h"
#include "inventory.h"

#include <map>
#include <optional>
#include <vector>

namespace vfioctl {

// The endpoints to bind, grouped by IOMMU group, after refusing bridges, group-less devices and (without --force)
// devices the host uses.
std::map<int, std::vector<PciAddress>> plannedGroups(const Inventory &inventory, const BindRequest &request);
// A PF whose VFs exist never moves, whatever --force says: refused naming the VFs and who holds them.
void refuseSriovParents(const Inventory &inventory, const std::map<int, std::vector<PciAddress>> &groups,
                        const std::vector<Journal> &journals);
// Refuses a group another owner holds.
void refuseOtherOwners(const std::vector<Journal> &journals, const Owner &owner,
                       const std::map<int, std::vector<PciAddress>> &groups);
std::optional<Journal> previousJournal(const std::vector<Journal> &journals, const Owner &owner);
// A transaction that has not finished and whose process (not this one) still runs: bind, give back and recover leave
// it alone, since that process is moving its devices now without the lock.
bool runningElsewhere(const Journal &journal);

} // namespace vfioctl

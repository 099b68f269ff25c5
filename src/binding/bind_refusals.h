// What bind refuses before anything moves, each rule in one place: the plan (bridges, group-less devices, what the
// host uses), SR-IOV parents, and groups another owner holds.
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
// A device whose nodes a process holds open (a display server on /dev/dri/card0) is refused whatever --force says:
// its driver would not let go, and the unbind would hang. The refusal, naming each holder; nothing when none is open.
std::optional<std::string> openNodesRefusal(const HostRoot &host, const Inventory &inventory,
                                            const std::map<int, std::vector<PciAddress>> &groups);
// Who has the device now: the VM that holds it (a VM may have borrowed it from persist's pool), else the journal
// that lists it; null for none.
const Journal *activeHolder(const std::vector<Journal> &journals, const PciAddress &address);
// Refuses a group another owner holds. A VM may borrow what persist's pool holds and no other VM has.
void refuseOtherOwners(const std::vector<Journal> &journals, const Owner &owner,
                       const std::map<int, std::vector<PciAddress>> &groups);
std::optional<Journal> previousJournal(const std::vector<Journal> &journals, const Owner &owner);

} // namespace vfioctl

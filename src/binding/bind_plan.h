// What one bind decided under the lock, shared by the engine (bind_engine.cpp) and the console hand-off
// (handoff.cpp): the engine's own type, not part of its interface.
#pragma once

#include "bind_engine.h"
#include "inventory.h"

#include <map>
#include <optional>
#include <vector>

namespace vfioctl {

struct BindEngine::Plan {
    Inventory inventory; // the groups involved, as they were read under the lock
    std::map<int, std::vector<PciAddress>> groups;
    std::optional<Journal> before;        // this owner's journal as it was
    Journal mine;                         // as saved before the first kernel step
    std::vector<PciAddress> added;        // what this bind moves
    std::optional<ConsoleRecord> handoff; // the console hand-off this bind starts (also in `mine`)
    bool holdersPending = false;          // nodes are open now: the units stopped must end their holders
};

} // namespace vfioctl

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
    std::vector<PciAddress> added;        // what this bind moves (and gives back if it fails)
    std::optional<ConsoleRecord> handoff; // the console hand-off this bind starts (also in `mine`)
    bool holdersPending = false;          // nodes are open now: the units stopped must end their holders
};

// The console record of an owner whose journal already has one (an earlier attempt killed midway, say) and hands
// over again: what the earlier one released and stopped stays, with what this one adds after it, so the way back
// gives back both. This bind's own steps (and their undo) are `now` alone.
ConsoleRecord withEarlierHandoff(const std::optional<ConsoleRecord> &earlier, const ConsoleRecord &now);

} // namespace vfioctl

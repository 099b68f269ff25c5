// vfioctl's state is ours alone (docs/RELIABILITY.md "Who may write the state"): /run/vfioctl, its owners/ and
// /etc/vfioctl/persist.d belong to the owner of the root ("/": root) and no one else may write them. A directory
// found with a looser mode is made so; one that belongs to another user, or is not a directory at all, is refused in
// one sentence, never trusted as found. A file in them that another user owns or may write is not believed.
#pragma once

#include "host_root.h"
#include "process_table.h"

#include <optional>
#include <string>

namespace vfioctl {

// Before a write: creates the directory (and its parents) with `mode` if missing, then makes sure it is a directory
// of the root's owner that nobody else may write (its mode set to `mode` when group or others may write it).
void secureStateDirectory(HostRoot &host, const std::string &path, unsigned mode);
// Before a read: throws an Error when the path exists but is not a directory, so that no reader answers "nothing"
// for state it could not read. True when it exists.
bool stateDirectoryExists(const HostRoot &host, const std::string &path);
// Why a state file must not be believed ("it belongs to uid 1000", "group or others may write it", "it is not a
// regular file"); nothing when it is the root owner's own.
std::optional<std::string> untrustedStateFile(const HostRoot &host, const std::string &path);
// Removes the temporary files of writes that were killed ("NAME.tmp.PID.N", HostRoot::replaceAtomically) from a
// state directory; one whose process still runs is kept. Best effort: what cannot be removed stays for next time.
void removeAbandonedTemporaries(HostRoot &host, const std::string &directory, const ProcessTable &processes);

} // namespace vfioctl

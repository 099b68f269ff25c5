// The owner a user means by what they typed: "manual", "persist", a VM's UUID, or the name a VM holding devices is
// recorded under — exactly, never a near match, and never one of two VMs that share a name.
#pragma once

#include "journal_format.h"

#include <optional>
#include <string>
#include <vector>

namespace vfioctl {

enum class VmOnly { No, Yes }; // Yes: the text names a VM even when it reads "manual" or "persist" (restore --vm)

// Nothing when no journal holds a VM of that name (nothing is held); Error when two do.
std::optional<Owner> ownerNamed(const std::vector<Journal> &journals, const std::string &text, VmOnly vmOnly);

} // namespace vfioctl

// How the commands reach libvirt: the --connect option, and the rule that a listing works without libvirtd.
#pragma once

#include "command.h"
#include "holders.h"
#include "hypervisor.h"

#include <memory>
#include <optional>

namespace vfioctl::cli {

inline constexpr const char *defaultConnectUri = "qemu:///system";

void addConnectOption(po::options_description &options);
// For commands that need libvirt: connects or throws the reason.
std::unique_ptr<Hypervisor> connectOrFail(const po::variables_map &values, bool readOnly);
// For listings: the VMs' holdings, or nothing (with a one-line note on stderr) when libvirt is not reachable. Under
// --root without --connect libvirt is not asked: the tree is not this host.
std::optional<HolderMap> holdingsForListing(CommandContext &context, const po::variables_map &values);

} // namespace vfioctl::cli

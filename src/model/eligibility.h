// Whether a PCI function can be passed through, and if not, every reason why in words a user can act on.
#pragma once

#include "inventory.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// A device the kernel cannot reset: a VM that used it may leave it in a state the host driver cannot take back.
inline constexpr std::string_view noResetNote = "no reset method: it may not work on the host again after a VM used it";
// True when the kernel says it cannot reset `device` (an empty reset_method, or none on a kernel that publishes it).
bool hasNoResetMethod(const Inventory &inventory, const PciDevice &device);

enum class IneligibleKind {
    Bridge,          // PCI/host bridges stay with the host
    NoIommuGroup,    // IOMMU off or unsupported
    UsedByHost,      // a child disk is mounted/swap/held, a child NIC has an address or the default route
    GroupMemberUsed, // another endpoint of the same IOMMU group is used by the host
    HeldByVm,        // a running VM has it (known only when libvirt was asked)
    SriovParent      // an SR-IOV physical function whose virtual functions exist
};

struct Ineligibility {
    IneligibleKind kind;
    std::string detail; // a full phrase: "nvme0n1p2 mounted at /"
};

// A device whose IOMMU group holds the boot VGA device showing the host console: it can go to a VM only through a
// console hand-off (the VM's policy console="handoff", or bind --console-handoff), and the host loses these meanwhile.
struct ConsoleHandoffNeed {
    PciAddress gpu;
    std::vector<std::string> hostLoses; // "the host console on 0000:00:01.0 (driver bochs-drm)", "vtcon1 (...)", ...
};

struct Eligibility {
    std::vector<Ineligibility> reasons;
    std::vector<std::string> notes; // worth knowing, not a reason: "assigned to stopped VM linux"
    std::optional<ConsoleHandoffNeed> handoff;
    bool eligible() const { return reasons.empty(); }
};

// The boot VGA device shows the host console: what bind says when it is asked to take it without a hand-off.
std::string hostConsoleLoss(const PciDevice &gpu);

// What the host would lose if this one function went away (its own disks, NICs, console).
std::vector<std::string> hostUsesOf(const Inventory &inventory, const PciDevice &device);
Eligibility assessEligibility(const Inventory &inventory, const PciDevice &device);
// What taking this very device from the host costs it (its uses, the console): what persist refuses without --force.
// Bind refuses the uses the same way, and the console unless it hands it over.
std::vector<std::string> hostLosses(const Inventory &inventory, const PciDevice &device);
std::string kindName(IneligibleKind kind);
// Why a PF with VFs cannot go: how many, which, and the fix.
std::string sriovParentReason(const PciDevice &device);

} // namespace vfioctl

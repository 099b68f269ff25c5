#include "owner_lookup.h"

#include "error.h"
#include "sysfs_value.h"

namespace vfioctl {

std::optional<Owner> ownerNamed(const std::vector<Journal> &journals, const std::string &text, VmOnly vmOnly)
{
    if (vmOnly == VmOnly::No && text == "manual")
        return Owner::manual();
    if (vmOnly == VmOnly::No && text == "persist")
        return Owner::persist();
    if (auto uuid = uuidAsTyped(text)) {
        for (const auto &journal : journals)
            if (journal.owner.isVm() && journal.owner.uuid() == *uuid)
                return journal.owner;
        return Owner::vm(*uuid, "");
    }
    // A name with white space around it is what a script cut badly, not a VM's name: looked up, it would find
    // nothing and say so with exit 0 while the VM it meant keeps its devices.
    if (trimmed(text) != text || text.empty())
        throw Error("'" + text +
                        "' is neither a VM's UUID nor a name without white space around it; give the UUID "
                        "('virsh domuuid VM') or the name as libvirt shows it",
                    EINVAL);
    std::vector<Owner> named;
    for (const auto &journal : journals)
        if (journal.owner.isVm() && journal.owner.name() == text)
            named.push_back(journal.owner);
    if (named.size() > 1) {
        std::vector<std::string> uuids;
        for (const auto &owner : named)
            uuids.push_back(owner.uuid());
        throw Error("more than one VM called '" + text + "' holds devices (" + joinWith(uuids, ", ") +
                        "); name the one you mean by its UUID",
                    EINVAL);
    }
    if (named.empty())
        return std::nullopt;
    return named.front();
}

} // namespace vfioctl

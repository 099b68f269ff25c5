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
    if (auto uuid = canonicalUuid(text)) {
        for (const auto &journal : journals)
            if (journal.owner.isVm() && journal.owner.uuid() == *uuid)
                return journal.owner;
        return Owner::vm(*uuid, "");
    }
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

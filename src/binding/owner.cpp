#include "owner.h"

#include "error.h"
#include "sysfs_value.h"

#include <cctype>
#include <cerrno>

namespace vfioctl {

std::optional<std::string> canonicalUuid(std::string_view text)
{
    std::string digits;
    for (char c : text) {
        if (c == '-')
            continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)) || digits.size() == 32)
            return std::nullopt;
        digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (digits.size() != 32)
        return std::nullopt;
    return digits.substr(0, 8) + "-" + digits.substr(8, 4) + "-" + digits.substr(12, 4) + "-" + digits.substr(16, 4) +
           "-" + digits.substr(20);
}

std::optional<std::string> uuidAsTyped(std::string_view text)
{
    const std::string bare = trimmed(text);
    std::string_view inner = bare;
    if (inner.starts_with("urn:uuid:"))
        inner.remove_prefix(9);
    if (inner.size() > 2 && inner.front() == '{' && inner.back() == '}')
        inner = inner.substr(1, inner.size() - 2);
    return canonicalUuid(inner);
}

Owner Owner::vm(std::string uuid, std::string name)
{
    auto canonical = canonicalUuid(uuid);
    if (!canonical || *canonical != uuid)
        throw Error("'" + uuid + "' is not a VM's UUID in canonical form", EINVAL);
    return Owner(Kind::Vm, std::move(uuid), std::move(name));
}

std::string Owner::label() const
{
    if (!isVm())
        return name_;
    if (name_.empty())
        return uuid_;
    return name_ == "manual" || name_ == "persist" ? "VM " + name_ : name_;
}

std::string Owner::describe() const
{
    return isVm() ? "VM '" + (name_.empty() ? uuid_ : name_) + "'" : name_;
}

std::string Owner::restoreArgument() const
{
    return isVm() ? uuid_ : name_;
}

std::string Owner::kindName() const
{
    switch (kind_) {
    case Kind::Vm: return "vm";
    case Kind::Manual: return "manual";
    case Kind::Persist: return "persist";
    }
    return "vm";
}

} // namespace vfioctl

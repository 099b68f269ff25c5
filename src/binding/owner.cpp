#include "owner.h"

namespace vfioctl {

Owner Owner::named(const std::string &text)
{
    if (text == "manual")
        return manual();
    if (text == "persist")
        return persist();
    return vm(text);
}

std::string Owner::label() const
{
    if (isVm() && !named(name_).isVm())
        return "VM " + name_;
    return name_;
}

std::string Owner::describe() const
{
    return isVm() ? "VM '" + name_ + "'" : name_;
}

std::string Owner::restoreArgument() const
{
    return isVm() && !named(name_).isVm() ? "--vm " + name_ : name_;
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

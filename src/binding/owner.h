// Who holds devices on vfio-pci: a VM (by its libvirt name), or vfioctl itself (bound by hand, or by persist). The
// kinds never share a journal, whatever a VM is called.
#pragma once

#include <string>

namespace vfioctl {

class Owner {
public:
    enum class Kind { Vm, Manual, Persist };

    static Owner vm(std::string name) { return Owner(Kind::Vm, std::move(name)); }
    static Owner manual() { return Owner(Kind::Manual, "manual"); }
    static Owner persist() { return Owner(Kind::Persist, "persist"); }
    // What a user types: "manual" and "persist" are vfioctl's own owners, anything else names a VM.
    static Owner named(const std::string &text);

    Kind kind() const { return kind_; }
    const std::string &name() const { return name_; }
    bool isVm() const { return kind_ == Kind::Vm; }
    // For tables and messages: the name, or "VM manual" for a VM whose name is one of ours.
    std::string label() const;
    // "VM 'win11'", "manual", "persist"
    std::string describe() const;
    // How restore names it back: "win11", "--vm manual", "manual".
    std::string restoreArgument() const;
    // "vm", "manual", "persist": the journal's owner_kind and the JSON's.
    std::string kindName() const;

    bool operator==(const Owner &) const = default;

private:
    Owner(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
    Kind kind_;
    std::string name_;
};

} // namespace vfioctl

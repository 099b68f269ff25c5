// Who holds devices on vfio-pci: a VM, known by its libvirt UUID (its name is kept for people and can change), or
// vfioctl itself (bound by hand, or by persist). Two owners are the same only by kind and UUID: a name never
// identifies, so a VM can never be taken for another, nor for one of ours, whatever it is called.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

// A UUID in libvirt's canonical form ("4dea22b3-1d52-d8f3-2516-782e98ab3fa0"); nothing for text that is not one.
// libvirt also accepts upper case and dashes in other places; those are read as the same UUID.
std::optional<std::string> canonicalUuid(std::string_view text);
// A UUID as people paste it: white space around it (cut from `virsh dominfo`), braces, upper case, "urn:uuid:";
// canonical, or nothing for text that is no UUID.
std::optional<std::string> uuidAsTyped(std::string_view text);

class Owner {
public:
    enum class Kind { Vm, Manual, Persist };

    // `uuid` must be canonical (canonicalUuid); `name` is what people call the VM now.
    static Owner vm(std::string uuid, std::string name);
    static Owner manual() { return Owner(Kind::Manual, "", "manual"); }
    static Owner persist() { return Owner(Kind::Persist, "", "persist"); }

    Kind kind() const { return kind_; }
    bool isVm() const { return kind_ == Kind::Vm; }
    const std::string &uuid() const { return uuid_; } // empty for our own owners
    const std::string &name() const { return name_; }
    // For tables and messages: the name, or "VM manual" for a VM whose name is one of ours.
    std::string label() const;
    // "VM 'win11'", "manual", "persist"
    std::string describe() const;
    // How `vfioctl restore` names it without doubt: a VM's UUID, "manual", "persist".
    std::string restoreArgument() const;
    // "vm", "manual", "persist": the journal's owner_kind and the JSON's.
    std::string kindName() const;

    // Identity: the kind and, for a VM, its UUID. The name is not part of it.
    bool operator==(const Owner &other) const { return kind_ == other.kind_ && uuid_ == other.uuid_; }

private:
    Owner(Kind kind, std::string uuid, std::string name) : kind_(kind), uuid_(std::move(uuid)), name_(std::move(name))
    {
    }
    Kind kind_;
    std::string uuid_;
    std::string name_;
};

} // namespace vfioctl

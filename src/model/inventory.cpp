#include "inventory.h"

#include "child_scanners.h"
#include "error.h"
#include "kernel_version.h"
#include "pci_scanner.h"
#include "scan_notes.h"
#include "scan_scope.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

namespace vfioctl {

namespace {

template <typename Device, typename Field>
std::vector<const Device *> below(const std::vector<Device> &devices, Field field, const PciAddress &parent)
{
    std::vector<const Device *> found;
    for (const auto &device : devices)
        if (device.*field == parent)
            found.push_back(&device);
    return found;
}

} // namespace

const PciDevice *Inventory::findPci(const PciAddress &address) const
{
    auto found =
        std::lower_bound(pci.begin(), pci.end(), address,
                         [](const PciDevice &device, const PciAddress &wanted) { return device.address < wanted; });
    return found != pci.end() && found->address == address ? &*found : nullptr;
}

const PciDevice &Inventory::requirePci(const PciAddress &address) const
{
    if (const PciDevice *device = findPci(address))
        return *device;
    throw Error("no PCI device " + address.str() + " on this host", ENODEV);
}

GroupMembers Inventory::membersOf(const PciDevice &device) const
{
    GroupMembers members;
    members.group = device.iommuGroup ? findGroup(*device.iommuGroup) : nullptr;
    auto add = [&](const PciDevice &member) {
        (member.isBridge() ? members.bridges : members.endpoints).push_back(&member);
    };
    if (!members.group) {
        add(device);
        return members;
    }
    for (const auto &address : members.group->devices)
        if (const PciDevice *member = findPci(address))
            add(*member);
    return members;
}

std::vector<PciAddress> Inventory::groupEndpoints(const PciAddress &address) const
{
    const PciDevice &device = requirePci(address);
    if (device.isBridge())
        throw Error(address.str() + " is a bridge, which stays with the host", EINVAL);
    if (!device.iommuGroup)
        throw Error(address.str() +
                        " has no IOMMU group (the IOMMU is off or not supported: enable VT-d/AMD-Vi, boot with "
                        "intel_iommu=on or amd_iommu=on; see 'vfioctl check')",
                    ENODEV);
    const GroupMembers members = membersOf(device);
    if (!members.group)
        throw Error(address.str() + " names IOMMU group " + std::to_string(*device.iommuGroup) +
                        ", which does not exist under /sys/kernel/iommu_groups",
                    ENODEV);
    std::vector<PciAddress> endpoints;
    for (const PciDevice *endpoint : members.endpoints)
        endpoints.push_back(endpoint->address);
    return endpoints;
}

const IommuGroup *Inventory::findGroup(int number) const
{
    // Sorted by number (groupsOf): a lookup per device must not be a scan of every group.
    auto found = std::lower_bound(groups.begin(), groups.end(), number,
                                  [](const IommuGroup &group, int wanted) { return group.number < wanted; });
    return found != groups.end() && found->number == number ? &*found : nullptr;
}

const NetInterface *Inventory::findNet(const std::string &name) const
{
    for (const auto &interface : net)
        if (interface.name == name)
            return &interface;
    return nullptr;
}

std::vector<const UsbDevice *> Inventory::usbBelow(const PciAddress &controller) const
{
    return below(usb, &UsbDevice::controller, controller);
}

std::vector<const ScsiDevice *> Inventory::scsiBelow(const PciAddress &hba) const
{
    return below(scsi, &ScsiDevice::hba, hba);
}

std::vector<const NetInterface *> Inventory::netBelow(const PciAddress &device) const
{
    return below(net, &NetInterface::pciDevice, device);
}

std::vector<const BlockDevice *> Inventory::blockBelow(const PciAddress &device) const
{
    return below(block, &BlockDevice::pciDevice, device);
}

std::vector<const SharedFilesystem *> Inventory::sharesBelow(const PciAddress &device) const
{
    return below(shares, &SharedFilesystem::pciDevice, device);
}

namespace {

// The groups' members from the devices' own iommu_group links (already read), the groups from one listing: the same
// PCI members as each group's devices/ directory (the kernel keeps both), without a listing per group.
std::vector<IommuGroup> groupsOf(const HostRoot &host, const std::vector<PciDevice> &devices)
{
    std::vector<IommuGroup> groups;
    for (const auto &entry : host.list(std::string(layout::iommuGroups)))
        if (auto number = parseDecimalInRange(entry, 0, INT32_MAX))
            groups.push_back({*number, {}});
    std::sort(groups.begin(), groups.end(),
              [](const IommuGroup &a, const IommuGroup &b) { return a.number < b.number; });
    for (const auto &device : devices) {
        if (!device.iommuGroup)
            continue;
        auto found = std::lower_bound(groups.begin(), groups.end(), *device.iommuGroup,
                                      [](const IommuGroup &group, int wanted) { return group.number < wanted; });
        if (found != groups.end() && found->number == *device.iommuGroup)
            found->devices.push_back(device.address); // devices come sorted, so members do too
    }
    return groups;
}

// The groups the scanned devices name, each only if /sys/kernel/iommu_groups holds it (as its listing would say):
// a group whose members were listed has been seen there, any other is looked up.
std::vector<IommuGroup> groupsNamedBy(const HostRoot &host, const std::vector<PciDevice> &devices,
                                      const std::set<int> &seen)
{
    std::map<int, IommuGroup> groups;
    for (const auto &device : devices)
        if (device.iommuGroup && (groups.count(*device.iommuGroup) || seen.count(*device.iommuGroup) ||
                                  host.exists(joinPath(layout::iommuGroups, std::to_string(*device.iommuGroup)))))
            groups.try_emplace(*device.iommuGroup, IommuGroup{*device.iommuGroup, {}})
                .first->second.devices.push_back(device.address);
    std::vector<IommuGroup> sorted;
    for (auto &[number, group] : groups)
        sorted.push_back(std::move(group));
    return sorted;
}

// Whether a device without reset_method is one the kernel cannot reset (resetMethodsPublishedSince).
bool kernelPublishesResetMethods(const HostRoot &host)
{
    const auto version = parseKernelVersion(trimmed(host.read(std::string(layout::kernelRelease)).value_or("")));
    return version && *version >= resetMethodsPublishedSince;
}

// The console's hold, read only on a host whose boot VGA device drives the console (most servers have none).
ConsoleHold consoleHoldIfShown(const HostRoot &host, const std::vector<PciDevice> &devices)
{
    for (const auto &device : devices)
        if (device.showsHostConsole())
            return consoleHold(host);
    return {};
}

// The named scans are what a listing shows; the unnamed ones are what a decision needs (PciFacts::decisions).
Inventory scanInventoryWith(const HostRoot &host, const HardwareNames &names, PciFacts facts)
{
    Inventory inventory;
    inventory.pci = scanPciDevices(host, names, inventory.notes, facts);
    inventory.resetMethodsPublished = kernelPublishesResetMethods(host);
    inventory.console = consoleHoldIfShown(host, inventory.pci);
    inventory.usb = scanUsbDevices(host, names, inventory.notes);
    inventory.scsi = scanScsiDevices(host, inventory.notes);
    inventory.net = scanNetInterfaces(host, inventory.notes);
    inventory.block = scanBlockDevices(host, inventory.notes);
    inventory.shares = scanSharedFilesystems(host, inventory.notes);
    inventory.groups = groupsOf(host, inventory.pci);
    return inventory;
}

Inventory scanInventoryForWith(const HostRoot &host, const HardwareNames &names, const std::vector<PciAddress> &devices,
                               PciFacts facts)
{
    Inventory inventory;
    PciDeviceReader reader(host, names, facts);
    std::set<PciAddress> wanted;
    // In three rounds, each device once: the requested ones, then the members their groups list, then the VFs of a
    // PF among them.
    auto readOnce = [&](const std::vector<PciAddress> &addresses) {
        for (const auto &address : addresses)
            if (wanted.insert(address).second)
                if (auto device = reader.readOrNote(address, address.str(), inventory.notes))
                    inventory.pci.push_back(std::move(*device));
    };
    readOnce(devices);
    // Every member of their IOMMU groups, as each group's devices/ directory lists it (the device's own link named
    // the group when it was read).
    std::set<int> listedGroups;
    std::vector<PciAddress> members;
    for (size_t i = 0, requested = inventory.pci.size(); i < requested; ++i) {
        const std::optional<int> group = inventory.pci[i].iommuGroup;
        if (!group || listedGroups.count(*group))
            continue;
        const std::string directory = joinPath(joinPath(layout::iommuGroups, std::to_string(*group)), "devices");
        const size_t before = members.size();
        forEachEntry(host, directory, inventory.notes, [&](const std::string &entry) {
            if (auto member = PciAddress::fromKernelName(entry))
                members.push_back(*member);
        });
        if (members.size() > before) // an empty listing may be a group that is not there: looked up below
            listedGroups.insert(*group);
    }
    readOnce(members);
    // The VFs of a PF among them go away with it: they are listed too (in groups of their own).
    std::vector<PciAddress> virtualFunctions;
    for (const auto &device : inventory.pci)
        for (const auto &vf : device.virtualFunctions)
            if (!wanted.count(vf))
                virtualFunctions.push_back(vf);
    readOnce(virtualFunctions);
    std::sort(inventory.pci.begin(), inventory.pci.end(),
              [](const PciDevice &a, const PciDevice &b) { return a.address < b.address; });
    inventory.resetMethodsPublished = kernelPublishesResetMethods(host);
    inventory.console = consoleHoldIfShown(host, inventory.pci);
    const ScanScope scope(std::move(wanted));
    inventory.usb = scanUsbDevices(host, names, inventory.notes, scope);
    inventory.scsi = scanScsiDevices(host, inventory.notes, scope);
    inventory.net = scanNetInterfaces(host, inventory.notes, scope);
    inventory.block = scanBlockDevices(host, inventory.notes, scope);
    inventory.shares = scanSharedFilesystems(host, inventory.notes, scope);
    inventory.groups = groupsNamedBy(host, inventory.pci, listedGroups);
    return inventory;
}

} // namespace

Inventory scanInventory(const HostRoot &host, const HardwareNames &names, PciFacts facts)
{
    return scanInventoryWith(host, names, facts);
}

Inventory scanInventory(const HostRoot &host)
{
    return scanInventoryWith(host, NoHardwareNames(), PciFacts::decisions);
}

Inventory scanInventoryFor(const HostRoot &host, const HardwareNames &names, const std::vector<PciAddress> &devices)
{
    return scanInventoryForWith(host, names, devices, PciFacts::all);
}

Inventory scanInventoryFor(const HostRoot &host, const std::vector<PciAddress> &devices)
{
    return scanInventoryForWith(host, NoHardwareNames(), devices, PciFacts::decisions);
}

} // namespace vfioctl

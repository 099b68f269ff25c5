// One PCI function's directory read into a PciDevice: which entries it has decides what is read.
#include "pci_facts.h"

#include "pci_scanner.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <tuple>

namespace vfioctl {

namespace {

// An id attribute; 0 when absent or out of its width (a value that does not fit is not the device's id).
uint32_t hexAttribute(const HostDirectory &device, const char *name, uint32_t maximum)
{
    auto text = device.readAttribute(name);
    if (!text)
        return 0;
    return parseHexAtMost(*text, maximum).value_or(0);
}

std::optional<PciAddress> linkedAddress(const HostDirectory &device, const std::string &link)
{
    auto target = device.readLink(link);
    if (!target)
        return std::nullopt;
    return PciAddress::tryParse(baseName(*target));
}

// "/a/b/../c/./d" -> "/a/c/d"; ".." never climbs above the root.
std::string normalized(std::string_view path)
{
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = std::min(path.find('/', start), path.size());
        std::string_view part = path.substr(start, end - start);
        if (part == "..") {
            if (!parts.empty())
                parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = end + 1;
    }
    std::string out;
    for (auto part : parts) {
        out += '/';
        out += part;
    }
    return out.empty() ? "/" : out;
}

// Where /sys/bus/pci/devices/ENTRY points, its link read from the open devices directory. The kernel's link is
// relative and /sys/devices has no symlinks inside it, so resolving the one link by its text is enough and saves a
// readlink per path component; anything else is resolved component by component.
std::string devicePathOf(const HostRoot &host, const HostDirectory &devices, const std::string &entry)
{
    const std::string link = joinPath(layout::pciDevices, entry);
    auto target = devices.readLink(entry);
    if (!target || target->empty())
        return host.canonical(link);
    return normalized(target->front() == '/' ? *target : dirName(link) + "/" + *target);
}

// The entries of a device directory that decide what is read: an entry that is not there costs no failed open.
struct DeviceEntries {
    bool modalias = false, driver = false, driverOverride = false, iommuGroup = false, numaNode = false;
    bool revision = false, physfn = false, totalVfs = false, enabledVfs = false, resetMethod = false, bootVga = false;
    bool drm = false, graphics = false;
    std::vector<std::string> virtfns;
    bool listed = false; // false: the entries are tried, not known (PciFacts::decisions)

    explicit DeviceEntries(std::vector<std::string> entries) : listed(true)
    {
        for (auto &entry : entries) {
            if (entry.starts_with("virtfn") && parseDecimal(std::string_view(entry).substr(6)))
                virtfns.push_back(std::move(entry));
            else
                flag(entry);
        }
    }

    // For a decision: each attribute is tried rather than the directory listed. A listing costs more than the
    // lookups that fail (ext4, where a captured tree usually lives, hashes every entry of a listed directory, and a
    // VF has 19); the two directories are asked for by name. What the kernel never shows on a device of the kind is
    // left out once the kind is known (withoutWhatTheKernelHides).
    static DeviceEntries tried(const HostDirectory &attributes)
    {
        DeviceEntries has;
        has.modalias = has.driver = has.driverOverride = has.iommuGroup = has.physfn = true;
        has.totalVfs = has.enabledVfs = has.resetMethod = has.bootVga = true;
        has.drm = attributes.has("drm");
        has.graphics = !has.drm && attributes.has("graphics"); // either one is enough
        return has;
    }

    // drivers/pci/iov.c shows sriov_* and the virtfn links on a PF only, and a VF is never one; pci-sysfs.c shows
    // boot_vga on a VGA device only.
    void withoutWhatTheKernelHides(const PciDevice &device)
    {
        if (device.physicalFunction)
            totalVfs = enabledVfs = false;
        const uint32_t classAndSubclass = device.classCode >> 8;
        bootVga = bootVga && (classAndSubclass == 0x0300 || classAndSubclass == 0x0001);
    }

private:
    DeviceEntries() = default;

    void flag(std::string_view entry)
    {
        static const std::pair<std::string_view, bool DeviceEntries::*> known[] = {
            {"modalias", &DeviceEntries::modalias},
            {"driver", &DeviceEntries::driver},
            {"driver_override", &DeviceEntries::driverOverride},
            {"iommu_group", &DeviceEntries::iommuGroup},
            {"numa_node", &DeviceEntries::numaNode},
            {"revision", &DeviceEntries::revision},
            {"physfn", &DeviceEntries::physfn},
            {"sriov_totalvfs", &DeviceEntries::totalVfs},
            {"sriov_numvfs", &DeviceEntries::enabledVfs},
            {"reset_method", &DeviceEntries::resetMethod},
            {"boot_vga", &DeviceEntries::bootVga},
            {"drm", &DeviceEntries::drm},
            {"graphics", &DeviceEntries::graphics}};
        for (const auto &[name, member] : known)
            if (entry == name)
                this->*member = true;
    }
};

// Class and ids. One read for five attributes: the kernel prints modalias from the same fields. A tree without it
// (or with one not in the kernel's form) is read file by file.
void readIds(const HostDirectory &attributes, const DeviceEntries &has, PciDevice &device)
{
    auto modaliasText = has.modalias ? attributes.readAttribute("modalias") : std::nullopt;
    if (auto modalias = modaliasText ? parsePciModalias(*modaliasText) : std::nullopt) {
        device.vendorId = modalias->vendor;
        device.deviceId = modalias->device;
        device.subsystemVendorId = modalias->subsystemVendor;
        device.subsystemDeviceId = modalias->subsystemDevice;
        device.classCode = modalias->classCode;
    } else {
        device.classCode = hexAttribute(attributes, "class", 0xffffff);
        device.vendorId = static_cast<uint16_t>(hexAttribute(attributes, "vendor", 0xffff));
        device.deviceId = static_cast<uint16_t>(hexAttribute(attributes, "device", 0xffff));
        device.subsystemVendorId = static_cast<uint16_t>(hexAttribute(attributes, "subsystem_vendor", 0xffff));
        device.subsystemDeviceId = static_cast<uint16_t>(hexAttribute(attributes, "subsystem_device", 0xffff));
    }
}

// A PF's counts and VF links. Tried entries list the directory only for a device that may have VFs: a PF with its
// counts, or a tree with the links and not the counts.
void readSriov(const HostDirectory &attributes, DeviceEntries &has, PciDevice &device)
{
    for (auto [present, name, count] : {std::tuple{has.totalVfs, "sriov_totalvfs", &SriovCounts::total},
                                        std::tuple{has.enabledVfs, "sriov_numvfs", &SriovCounts::enabled}})
        if (present)
            if (auto text = attributes.readAttribute(name)) {
                if (!device.sriov)
                    device.sriov = SriovCounts{};
                (*device.sriov).*count = parseDecimalInRange(*text, 0, 65535).value_or(0);
            }
    if (!has.listed && !device.physicalFunction && (device.sriov || attributes.has("virtfn0")))
        has.virtfns = DeviceEntries(attributes.list()).virtfns;
    for (const auto &entry : has.virtfns)
        if (auto vf = linkedAddress(attributes, entry))
            device.virtualFunctions.push_back(*vf);
    std::sort(device.virtualFunctions.begin(), device.virtualFunctions.end());
    if (!device.sriov && !device.virtualFunctions.empty()) // a tree without the counts: its links say how many
        device.sriov = SriovCounts{static_cast<int>(device.virtualFunctions.size()),
                                   static_cast<int>(device.virtualFunctions.size())};
}

} // namespace

std::optional<PciDevice> readPciFacts(const HostRoot &host, const HostDirectory &devices, const PciAddress &address,
                                      PciFacts facts)
{
    auto directory = host.openDirectory(pciDevicePath(address));
    if (!directory)
        return std::nullopt;
    const HostDirectory &attributes = *directory;
    DeviceEntries has = facts.listsDirectory ? DeviceEntries(attributes.list()) : DeviceEntries::tried(attributes);

    PciDevice device;
    device.address = address;
    readIds(attributes, has, device);
    if (facts.revision && has.revision)
        device.revision = static_cast<uint8_t>(hexAttribute(attributes, "revision", 0xff));
    if (auto driver = has.driver ? attributes.readLink("driver") : std::nullopt)
        device.driver = baseName(*driver);
    if (auto text =
            facts.driverOverride && has.driverOverride ? attributes.readAttribute("driver_override") : std::nullopt)
        device.driverOverride = parseDriverOverride(*text);
    if (auto group = has.iommuGroup ? attributes.readLink("iommu_group") : std::nullopt)
        device.iommuGroup = parseDecimalInRange(baseName(*group), 0, INT32_MAX); // "4294967298" is not group 2
    if (auto text = facts.numaNode && has.numaNode ? attributes.readAttribute("numa_node") : std::nullopt)
        device.numaNode = parseDecimalInRange(*text, 0, INT32_MAX);
    if (facts.parent)
        device.parentBridge = nearestPciAncestor(devicePathOf(host, devices, address.str()), 1);
    if (has.physfn)
        device.physicalFunction = linkedAddress(attributes, "physfn");
    if (!has.listed)
        has.withoutWhatTheKernelHides(device);
    readSriov(attributes, has, device);
    if (auto methods = has.resetMethod ? attributes.readAttribute("reset_method") : std::nullopt) {
        device.resetMethods = splitWords(*methods);
        device.resetMethodsKnown = true;
    }
    if (auto vga = has.bootVga ? attributes.readAttribute("boot_vga") : std::nullopt)
        device.bootVga = trimmed(*vga) == "1";
    device.publishesNodes = has.drm || has.graphics;
    return device;
}

} // namespace vfioctl

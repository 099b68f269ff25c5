#include "pci_scanner.h"

#include "error.h"
#include "parallel_for.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>
#include <map>
#include <mutex>
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

} // namespace

const PciNames &SharedPciNames::get() const
{
    static const PciNames none;
    return names_ ? *names_ : none;
}

std::string pciDevicePath(const PciAddress &address)
{
    return joinPath(layout::pciDevices, address.str());
}

std::string currentDriver(const HostRoot &host, const PciAddress &address)
{
    auto target = host.readLink(joinPath(pciDevicePath(address), "driver"));
    return target ? baseName(*target) : std::string();
}

namespace {

// The entries of a device directory that decide what is read: an entry that is not there costs no failed open.
struct DeviceEntries {
    bool modalias = false, driver = false, driverOverride = false, iommuGroup = false, numaNode = false;
    bool revision = false, physfn = false, totalVfs = false, enabledVfs = false, resetMethod = false, bootVga = false;
    bool drm = false, graphics = false;
    std::vector<std::string> virtfns;

    explicit DeviceEntries(std::vector<std::string> entries)
    {
        for (auto &entry : entries) {
            if (entry.starts_with("virtfn") && parseDecimal(std::string_view(entry).substr(6)))
                virtfns.push_back(std::move(entry));
            else
                flag(entry);
        }
    }

private:
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

// Everything sysfs says about one function, but its names: safe to call from several threads at once (the hardware
// database is not, and names are looked up afterwards). `devices` is /sys/bus/pci/devices, opened once per scan.
// The directory is listed first, so only what is there is read.
std::optional<PciDevice> readPciFacts(const HostRoot &host, const HostDirectory &devices, const PciAddress &address)
{
    const std::string path = pciDevicePath(address);
    auto directory = host.openDirectory(path);
    if (!directory)
        return std::nullopt;
    const HostDirectory &attributes = *directory;
    const DeviceEntries has(attributes.list());

    PciDevice device;
    device.address = address;
    readIds(attributes, has, device);
    if (has.revision)
        device.revision = static_cast<uint8_t>(hexAttribute(attributes, "revision", 0xff));
    if (auto driver = has.driver ? attributes.readLink("driver") : std::nullopt)
        device.driver = baseName(*driver);
    if (auto text = has.driverOverride ? attributes.readAttribute("driver_override") : std::nullopt)
        device.driverOverride = parseDriverOverride(*text);
    if (auto group = has.iommuGroup ? attributes.readLink("iommu_group") : std::nullopt)
        device.iommuGroup = parseDecimalInRange(baseName(*group), 0, INT32_MAX); // "4294967298" is not group 2
    if (auto text = has.numaNode ? attributes.readAttribute("numa_node") : std::nullopt)
        device.numaNode = parseDecimalInRange(*text, 0, INT32_MAX);
    device.parentBridge = nearestPciAncestor(devicePathOf(host, devices, address.str()), 1);
    for (const auto &entry : has.virtfns)
        if (auto vf = linkedAddress(attributes, entry))
            device.virtualFunctions.push_back(*vf);
    if (has.physfn)
        device.physicalFunction = linkedAddress(attributes, "physfn");
    for (auto [present, name, count] : {std::tuple{has.totalVfs, "sriov_totalvfs", &SriovCounts::total},
                                        std::tuple{has.enabledVfs, "sriov_numvfs", &SriovCounts::enabled}})
        if (present) {
            if (!device.sriov)
                device.sriov = SriovCounts{};
            (*device.sriov).*count =
                parseDecimalInRange(attributes.readAttribute(name).value_or(""), 0, 65535).value_or(0);
        }
    if (auto methods = has.resetMethod ? attributes.readAttribute("reset_method") : std::nullopt) {
        device.resetMethods = splitWords(*methods);
        device.resetMethodsKnown = true;
    }
    if (auto vga = has.bootVga ? attributes.readAttribute("boot_vga") : std::nullopt)
        device.bootVga = trimmed(*vga) == "1";
    device.publishesNodes = has.drm || has.graphics;
    std::sort(device.virtualFunctions.begin(), device.virtualFunctions.end());
    if (!device.sriov && !device.virtualFunctions.empty()) // a tree without the counts: its links say how many
        device.sriov = SriovCounts{static_cast<int>(device.virtualFunctions.size()),
                                   static_cast<int>(device.virtualFunctions.size())};
    return device;
}

// The names of a device's ids. A scan passes its cache: functions with the same ids share one copy.
using NameCache = std::map<std::tuple<uint16_t, uint16_t, uint16_t, uint16_t, uint32_t>, SharedPciNames>;

void addNames(PciDevice &device, const HardwareNames &names, NameCache &cache)
{
    auto key = std::make_tuple(device.vendorId, device.deviceId, device.subsystemVendorId, device.subsystemDeviceId,
                               device.classCode);
    auto found = cache.find(key);
    if (found == cache.end()) {
        auto looked = std::make_shared<const PciNames>(names.pci(
            device.vendorId, device.deviceId, device.subsystemVendorId, device.subsystemDeviceId, device.classCode));
        found = cache.emplace(key, SharedPciNames(std::move(looked))).first;
    }
    device.names = found->second;
}

std::string skippedNote(std::string_view entry, const Error &error)
{
    return joinPath(layout::pciDevices, entry) + " skipped: " + error.what();
}

} // namespace

struct PciDeviceReader::Names {
    NameCache cache;
};

PciDeviceReader::PciDeviceReader(const HostRoot &host, const HardwareNames &names)
    : host_(host), names_(names), devices_(host.openDirectory(std::string(layout::pciDevices))),
      cache_(std::make_unique<Names>())
{
}

PciDeviceReader::~PciDeviceReader() = default;

std::optional<PciDevice> PciDeviceReader::read(const PciAddress &address)
{
    if (!devices_)
        return std::nullopt;
    auto device = readPciFacts(host_, *devices_, address);
    if (device)
        addNames(*device, names_, cache_->cache);
    return device;
}

std::optional<PciDevice> PciDeviceReader::readOrNote(const PciAddress &address, std::string_view entry,
                                                     std::vector<std::string> &notes)
{
    try {
        return read(address);
    } catch (const Error &error) {
        notes.push_back(skippedNote(entry, error));
        return std::nullopt;
    }
}

std::optional<PciDevice> readPciDevice(const HostRoot &host, const HardwareNames &names, const PciAddress &address)
{
    return PciDeviceReader(host, names).read(address);
}

std::vector<PciDevice> scanPciDevices(const HostRoot &host, const HardwareNames &names, std::vector<std::string> &notes)
{
    auto devicesDirectory = host.openDirectory(std::string(layout::pciDevices));
    if (!devicesDirectory)
        return {};
    std::vector<std::pair<PciAddress, std::string>> entries;
    for (auto &entry : devicesDirectory->list())
        if (auto address = PciAddress::tryParse(entry)) // else not a device the kernel would name; never followed
            entries.emplace_back(*address, std::move(entry));
    std::sort(entries.begin(), entries.end()); // by address: the devices come out in this order

    // Each device is read into its own slot, on as many cores as the host has; the slots keep the listing's order,
    // so notes and devices come out as a serial scan gives them.
    std::vector<PciDevice> devices(entries.size());
    std::vector<char> present(entries.size(), 0);
    std::mutex notesMutex;
    std::vector<std::pair<size_t, std::string>> skipped;
    forEachIndex(entries.size(), scanWorkers(entries.size()), [&](size_t i) {
        try {
            if (auto device = readPciFacts(host, *devicesDirectory, entries[i].first)) {
                devices[i] = std::move(*device);
                present[i] = 1;
            }
        } catch (const Error &error) {
            std::lock_guard lock(notesMutex);
            skipped.emplace_back(i, skippedNote(entries[i].second, error));
        }
    });
    std::sort(skipped.begin(), skipped.end());
    for (auto &[index, note] : skipped)
        notes.push_back(std::move(note));

    size_t kept = 0;
    NameCache cache;
    for (size_t i = 0; i < devices.size(); ++i)
        if (present[i]) {
            addNames(devices[i], names, cache);
            if (kept != i)
                devices[kept] = std::move(devices[i]);
            ++kept;
        }
    devices.resize(kept);
    return devices;
}

} // namespace vfioctl

#include "pci_scanner.h"

#include "error.h"
#include "parallel_for.h"
#include "sysfs_layout.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

namespace vfioctl {

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

PciDeviceReader::PciDeviceReader(const HostRoot &host, const HardwareNames &names, PciFacts facts)
    : host_(host), names_(names), facts_(facts), devices_(host.openDirectory(std::string(layout::pciDevices))),
      cache_(std::make_unique<Names>())
{
}

PciDeviceReader::~PciDeviceReader() = default;

std::optional<PciDevice> PciDeviceReader::read(const PciAddress &address)
{
    if (!devices_)
        return std::nullopt;
    auto device = readPciFacts(host_, *devices_, address, facts_);
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

std::optional<PciDevice> readPciDevice(const HostRoot &host, const HardwareNames &names, const PciAddress &address,
                                       PciFacts facts)
{
    return PciDeviceReader(host, names, facts).read(address);
}

std::vector<PciDevice> scanPciDevices(const HostRoot &host, const HardwareNames &names, std::vector<std::string> &notes,
                                      PciFacts facts)
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
            if (auto device = readPciFacts(host, *devicesDirectory, entries[i].first, facts)) {
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

#include "hardware_names.h"

#include "shared_library.h"

#include <cstdio>
#include <libudev.h>
#include <optional>

namespace vfioctl {

namespace {

// libudev is opened when names are first wanted: the hook never wants them, and so never maps it.
struct Libudev {
    decltype(&udev_new) newContext;
    decltype(&udev_unref) unref;
    decltype(&udev_hwdb_new) hwdbNew;
    decltype(&udev_hwdb_unref) hwdbUnref;
    decltype(&udev_hwdb_get_properties_list_entry) properties;
    decltype(&udev_list_entry_get_next) next;
    decltype(&udev_list_entry_get_name) name;
    decltype(&udev_list_entry_get_value) value;
};

std::optional<Libudev> openLibudev()
{
    return SharedLibrary::load<Libudev>(
        "libudev.so.1", symbol(&Libudev::newContext, "udev_new"), symbol(&Libudev::unref, "udev_unref"),
        symbol(&Libudev::hwdbNew, "udev_hwdb_new"), symbol(&Libudev::hwdbUnref, "udev_hwdb_unref"),
        symbol(&Libudev::properties, "udev_hwdb_get_properties_list_entry"),
        symbol(&Libudev::next, "udev_list_entry_get_next"), symbol(&Libudev::name, "udev_list_entry_get_name"),
        symbol(&Libudev::value, "udev_list_entry_get_value"));
}

using Properties = std::map<std::string, std::string>;

class HwdbNames : public HardwareNames {
public:
    HwdbNames(const Libudev &libudev, udev *context, udev_hwdb *hwdb) : u_(libudev), udev_(context), hwdb_(hwdb) {}
    ~HwdbNames() override
    {
        u_.hwdbUnref(hwdb_);
        u_.unref(udev_);
    }
    HwdbNames(const HwdbNames &) = delete;
    HwdbNames &operator=(const HwdbNames &) = delete;

    PciNames pci(uint16_t vendor, uint16_t device, uint16_t subVendor, uint16_t subDevice,
                 uint32_t classCode) const override
    {
        char key[96];
        std::snprintf(key, sizeof key, "pci:v%08Xd%08X", vendor, device);
        const Properties &plain = lookup(key);
        std::snprintf(key, sizeof key, "pci:v%08Xd%08Xsv%08Xsd%08X", vendor, device, subVendor, subDevice);
        const Properties &withSubsystem = lookup(key);
        std::snprintf(key, sizeof key, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", vendor, device, subVendor,
                      subDevice, (classCode >> 16) & 0xff, (classCode >> 8) & 0xff, classCode & 0xff);
        const Properties &full = lookup(key);

        PciNames names;
        names.vendor = value(plain, "ID_VENDOR_FROM_DATABASE");
        names.device = value(plain, "ID_MODEL_FROM_DATABASE");
        std::string subsystemModel = value(withSubsystem, "ID_MODEL_FROM_DATABASE");
        if (subsystemModel != names.device)
            names.subsystem = subsystemModel;
        names.className = value(full, "ID_PCI_SUBCLASS_FROM_DATABASE");
        if (names.className.empty())
            names.className = value(full, "ID_PCI_CLASS_FROM_DATABASE");
        return names;
    }

    UsbNames usb(uint16_t vendor, uint16_t product) const override
    {
        char key[48];
        std::snprintf(key, sizeof key, "usb:v%04Xp%04X", vendor, product);
        const Properties &found = lookup(key);
        return {value(found, "ID_VENDOR_FROM_DATABASE"), value(found, "ID_MODEL_FROM_DATABASE")};
    }

private:
    // Hosts repeat the same ids many times (SR-IOV functions); each key is looked up once.
    const Properties &lookup(const std::string &key) const
    {
        auto found = cache_.find(key);
        if (found != cache_.end())
            return found->second;
        Properties properties;
        udev_list_entry *entry = u_.properties(hwdb_, key.c_str(), 0);
        for (; entry; entry = u_.next(entry))
            properties[u_.name(entry)] = u_.value(entry);
        return cache_.emplace(key, std::move(properties)).first->second;
    }

    static std::string value(const Properties &properties, const std::string &name)
    {
        auto found = properties.find(name);
        return found == properties.end() ? std::string() : found->second;
    }

    const Libudev &u_;
    udev *udev_;
    udev_hwdb *hwdb_;
    mutable std::map<std::string, Properties> cache_;
};

} // namespace

std::unique_ptr<HardwareNames> openHardwareDatabase()
{
    static const std::optional<Libudev> libudev = openLibudev();
    udev *context = libudev ? libudev->newContext() : nullptr;
    if (!context)
        return std::make_unique<NoHardwareNames>();
    udev_hwdb *hwdb = libudev->hwdbNew(context);
    if (!hwdb) {
        libudev->unref(context);
        return std::make_unique<NoHardwareNames>();
    }
    return std::make_unique<HwdbNames>(*libudev, context, hwdb);
}

} // namespace vfioctl

#include "tree_hardware_names.h"

#include "error.h"
#include "shared_library.h"
#include "sysfs_layout.h"
#include "unique_fd.h"

#include <cstdlib>
#include <map>
#include <pci/pci.h>
#include <sys/mman.h>
#include <tuple>
#include <unistd.h>

namespace vfioctl {

namespace {

// libpci is opened only for a tree that has a pci.ids: the live host and the hook never map it.
struct Libpci {
    decltype(&pci_alloc) alloc;
    decltype(&pci_cleanup) cleanup;
    decltype(&pci_set_name_list_path) setPath;
    decltype(&pci_lookup_name) lookup;
};

std::optional<Libpci> openLibpci()
{
    return SharedLibrary::load<Libpci>(
        "libpci.so.3", symbol(&Libpci::alloc, "pci_alloc"), symbol(&Libpci::cleanup, "pci_cleanup"),
        symbol(&Libpci::setPath, "pci_set_name_list_path"), symbol(&Libpci::lookup, "pci_lookup_name"));
}

void quiet(char *, ...) {}
__attribute__((noreturn)) void fatal(char *, ...) // libpci's own spelling: clang wants it to match
{
    std::abort(); // libpci calls it only when memory runs out
}

class PciIdsNames : public HardwareNames {
public:
    PciIdsNames(const Libpci &libpci, UniqueFd ids) : libpci_(libpci), ids_(std::move(ids))
    {
        access_ = libpci_.alloc();
        access_->error = fatal;
        access_->warning = quiet;
        access_->debug = quiet;
        path_ = "/proc/self/fd/" + std::to_string(ids_.get());
        libpci_.setPath(access_, path_.data(), 0);
    }
    ~PciIdsNames() override { libpci_.cleanup(access_); }
    PciIdsNames(const PciIdsNames &) = delete;
    PciIdsNames &operator=(const PciIdsNames &) = delete;

    PciNames pci(uint16_t vendor, uint16_t device, uint16_t subVendor, uint16_t subDevice,
                 uint32_t classCode) const override
    {
        auto key = std::make_tuple(vendor, device, subVendor, subDevice, classCode);
        if (auto found = cache_.find(key); found != cache_.end())
            return found->second;
        PciNames names;
        names.vendor = lookup(PCI_LOOKUP_VENDOR, vendor);
        names.device = lookup(PCI_LOOKUP_DEVICE, vendor, device);
        names.subsystem = lookup(PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, vendor, device, subVendor, subDevice);
        if (names.subsystem == names.device)
            names.subsystem.clear();
        names.className = lookup(PCI_LOOKUP_CLASS, static_cast<int>(classCode >> 8));
        return cache_.emplace(key, names).first->second;
    }
    UsbNames usb(uint16_t, uint16_t) const override { return {}; }

private:
    template <typename... Ids> std::string lookup(int flags, Ids... ids) const
    {
        char buffer[512];
        const char *name = libpci_.lookup(access_, buffer, sizeof buffer,
                                          flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, static_cast<int>(ids)...);
        return name ? name : "";
    }

    Libpci libpci_;
    UniqueFd ids_; // the tree's pci.ids, opened inside the tree; libpci reads it through /proc/self/fd
    pci_access *access_ = nullptr;
    std::string path_;
    mutable std::map<std::tuple<uint16_t, uint16_t, uint16_t, uint16_t, uint32_t>, PciNames> cache_;
};

// A copy of the tree's pci.ids in memory: read through the tree's confinement, handed to libpci as a descriptor.
UniqueFd treePciIds(const HostRoot &tree)
{
    for (const std::string_view path : layout::pciIdsFiles) {
        auto text = tree.read(std::string(path));
        if (!text)
            continue;
        UniqueFd copy(::memfd_create("pci.ids", MFD_CLOEXEC));
        if (!copy.valid() || ::write(copy.get(), text->data(), text->size()) != static_cast<ssize_t>(text->size()))
            return UniqueFd();
        return copy;
    }
    return UniqueFd();
}

} // namespace

std::unique_ptr<HardwareNames> openTreeHardwareNames(const HostRoot &tree)
{
    UniqueFd ids = treePciIds(tree);
    if (!ids.valid())
        return std::make_unique<NoHardwareNames>();
    auto libpci = openLibpci();
    if (!libpci)
        return std::make_unique<NoHardwareNames>();
    return std::make_unique<PciIdsNames>(*libpci, std::move(ids));
}

} // namespace vfioctl

// Builds fake host trees (sysfs + procfs) in a temporary directory, shaped as Linux lays them out, with relative
// symlinks so nothing ever points at the real /sys.
#pragma once

#include "host_root.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vfioctl::testing {

struct PciSpec {
    std::string address;    // "0000:01:00.0"
    uint32_t classCode = 0; // 0x030000
    uint16_t vendor = 0x8086;
    uint16_t device = 0x1234;
    uint16_t subVendor = 0;
    uint16_t subDevice = 0;
    uint8_t revision = 0;
    std::string driver;       // "" for none
    std::optional<int> group; // IOMMU group
    std::string parent;       // the bridge above, "" for the root bus
    bool bootVga = false;
    std::string resetMethod; // "flr bus"
    int numaNode = -1;
    std::string physfn; // for an SR-IOV VF: the PF's address
};

struct PartitionSpec {
    std::string name;
    std::string majorMinor;
};

class FakeHost {
public:
    FakeHost();
    ~FakeHost();
    FakeHost(const FakeHost &) = delete;
    FakeHost &operator=(const FakeHost &) = delete;

    const std::string &root() const { return root_; }
    DirectoryHostRoot &host() { return *host_; }

    FakeHost &addDriver(const std::string &name);
    FakeHost &addPci(const PciSpec &spec);
    // A USB device below a PCI controller; "usbN" names make a root hub. `parentUsb` nests behind a hub.
    FakeHost &addUsb(const std::string &name, const std::string &controller, uint16_t vendor, uint16_t product, int bus,
                     int device, const std::string &parentUsb = "");
    FakeHost &addScsiDisk(const std::string &hctl, const std::string &hba, const std::string &vendor,
                          const std::string &model, const std::string &disk, const std::string &majorMinor,
                          const std::vector<PartitionSpec> &partitions = {});
    FakeHost &addNvmeDisk(const std::string &controllerAddress, const std::string &disk, const std::string &majorMinor,
                          const std::vector<PartitionSpec> &partitions = {});
    // A NIC below a PCI device, or a virtual one (bridge, bond, lo) with pci "".
    FakeHost &addNet(const std::string &name, const std::string &pci, const std::string &mac,
                     const std::string &master = "");
    FakeHost &addIpv4(const std::string &interface, const std::string &address, int prefix);
    FakeHost &addIpv6(const std::string &interface, const std::string &hex32, int prefix, int scope);
    FakeHost &addDefaultRoute(const std::string &interface);
    FakeHost &addMount(const std::string &majorMinor, const std::string &source, const std::string &mountPoint);
    FakeHost &addSwap(const std::string &device);
    FakeHost &addHolder(const std::string &blockName, const std::string &holder);

    // Raw access for tests that need an odd file. A new FakeHost is a modern Intel host with the IOMMU on,
    // interrupt remapping and VFIO available (the files `vfioctl check` reads); tests change them to break it.
    void removePath(const std::string &hostPath);
    void writeFile(const std::string &hostPath, const std::string &content);
    void makeDirectory(const std::string &hostPath);
    // A relative symlink at `hostPath` pointing at `targetHostPath`.
    void link(const std::string &hostPath, const std::string &targetHostPath);
    std::string devicePath(const std::string &pciAddress) const;
    std::string read(const std::string &hostPath) const;
    // Takes away every VF of `pf` as the kernel does when SR-IOV is disabled: devices, links, their groups.
    void removeVirtualFunctions(const std::string &pf);
    // Leaves the tree on disk when this object goes (the benchmarks hand it to lspci and vfioctl).
    void keepTree() { keep_ = true; }

private:
    void writeProcNet();
    void writeCapableHost();
    void addBlock(const std::string &parentPath, const std::string &disk, const std::string &majorMinor,
                  const std::vector<PartitionSpec> &partitions);

    std::string root_;
    bool keep_ = false;
    std::unique_ptr<DirectoryHostRoot> host_;
    std::map<std::string, int> virtualFunctions_;    // PF address -> VFs linked so far
    std::map<std::string, std::string> devicePaths_; // PCI address -> /sys/devices path
    std::map<std::string, std::string> usbPaths_;
    struct Ipv4 {
        std::string interface;
        uint32_t address;
        int prefix;
    };
    std::vector<Ipv4> ipv4_;
    std::vector<std::string> ipv6Lines_;
    std::vector<std::string> defaultRoutes_;
    std::vector<std::string> mountLines_;
    std::vector<std::string> swapLines_;
};

} // namespace vfioctl::testing

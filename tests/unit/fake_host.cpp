#include "fake_host.h"

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace vfioctl::testing {

namespace {

std::string hex(uint32_t value, int digits)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%0*x", digits, value);
    return buffer;
}

// "0000:01:00.0" -> "pci0000:00" root name for its domain.
// A type 0 (type 1 for bridges) configuration header with the ids and class; no capabilities.
std::string configSpace(const PciSpec &spec)
{
    std::string config(256, '\0');
    auto put16 = [&](size_t offset, uint16_t value) {
        config[offset] = static_cast<char>(value & 0xff);
        config[offset + 1] = static_cast<char>(value >> 8);
    };
    put16(0x00, spec.vendor);
    put16(0x02, spec.device);
    put16(0x04, 0x0006); // memory space and bus master enabled
    config[0x08] = static_cast<char>(spec.revision);
    config[0x09] = static_cast<char>(spec.classCode & 0xff);
    config[0x0a] = static_cast<char>((spec.classCode >> 8) & 0xff);
    config[0x0b] = static_cast<char>((spec.classCode >> 16) & 0xff);
    bool bridge = (spec.classCode >> 8) == 0x0604;
    config[0x0e] = bridge ? 0x01 : 0x00;
    if (!bridge) {
        put16(0x2c, spec.subVendor);
        put16(0x2e, spec.subDevice);
    }
    return config;
}

std::string resourceLines()
{
    std::string lines;
    for (int i = 0; i < 13; ++i)
        lines += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
    return lines;
}

std::string modalias(const PciSpec &spec)
{
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", spec.vendor, spec.device,
                  spec.subVendor, spec.subDevice, (spec.classCode >> 16) & 0xff, (spec.classCode >> 8) & 0xff,
                  spec.classCode & 0xff);
    return buffer;
}

std::string rootBusName(const std::string &address)
{
    return "pci" + address.substr(0, 4) + ":00";
}

} // namespace

FakeHost::FakeHost()
{
    std::string pattern = (fs::temp_directory_path() / "vfioctl-fake-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    host_ = std::make_unique<DirectoryHostRoot>(root_);
    for (const char *dir : {"/sys/bus/pci/devices", "/sys/bus/pci/drivers", "/sys/kernel/iommu_groups",
                            "/sys/bus/usb/devices", "/sys/bus/scsi/devices", "/sys/class/net", "/sys/class/block",
                            "/sys/devices/virtual/net", "/proc/self", "/proc/net", "/run"})
        makeDirectory(dir);
    writeFile("/sys/bus/pci/drivers_probe", "");
    writeProcNet();
    writeFile("/proc/self/mountinfo", "");
    writeFile("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n");
    writeCapableHost();
}

void FakeHost::writeCapableHost()
{
    writeFile("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7-9700K\n"
                               "flags\t\t: fpu vme de pse msr pae vmx ssse3 sse4_1 x2apic\n\n");
    writeFile("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-26-amd64 root=UUID=0d1e ro quiet intel_iommu=on\n");
    writeFile("/proc/sys/kernel/osrelease", "6.1.0-26-amd64\n");
    writeFile("/proc/interrupts", "           CPU0\n 24:          0  IR-PCI-MSI 327680-edge      xhci_hcd\n");
    makeDirectory("/sys/class/iommu/dmar0");
    writeFile("/lib/modules/6.1.0-26-amd64/modules.dep",
              "kernel/drivers/vfio/vfio.ko: kernel/drivers/iommu/iommufd/iommufd.ko\n"
              "kernel/drivers/vfio/vfio_iommu_type1.ko: kernel/drivers/vfio/vfio.ko\n"
              "kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/vfio-pci-core.ko\n"
              "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko:\n");
    writeFile("/lib/modules/6.1.0-26-amd64/modules.builtin", "kernel/drivers/pci/pci-stub.ko\n");
    writeFile("/dev/kvm", "");
}

void FakeHost::removePath(const std::string &hostPath)
{
    fs::remove_all(root_ + hostPath);
}

FakeHost::~FakeHost()
{
    // Kept when the test failed, so the tree can be inspected (ccache's habit).
    const auto *test = ::testing::UnitTest::GetInstance()->current_test_info();
    if (keep_)
        return;
    if (test && test->result()->Failed()) {
        std::fprintf(stderr, "fake host tree kept at %s\n", root_.c_str());
        return;
    }
    std::error_code ignored;
    fs::remove_all(root_, ignored);
}

void FakeHost::writeFile(const std::string &hostPath, const std::string &content)
{
    fs::path path = root_ + hostPath;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void FakeHost::makeDirectory(const std::string &hostPath)
{
    fs::create_directories(root_ + hostPath);
}

std::string FakeHost::read(const std::string &hostPath) const
{
    std::ifstream in(root_ + hostPath, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void FakeHost::link(const std::string &hostPath, const std::string &targetHostPath)
{
    fs::path at = root_ + hostPath;
    fs::create_directories(at.parent_path());
    fs::path relative = fs::path(targetHostPath).lexically_relative(fs::path(hostPath).parent_path());
    fs::remove(at);
    fs::create_symlink(relative, at);
}

std::string FakeHost::devicePath(const std::string &pciAddress) const
{
    auto found = devicePaths_.find(pciAddress);
    if (found == devicePaths_.end())
        throw std::runtime_error("fixture: no PCI device " + pciAddress);
    return found->second;
}

FakeHost &FakeHost::addDriver(const std::string &name)
{
    const std::string path = "/sys/bus/pci/drivers/" + name;
    for (const char *file : {"bind", "unbind", "new_id", "remove_id"})
        writeFile(path + "/" + file, "");
    return *this;
}

FakeHost &FakeHost::addPci(const PciSpec &spec)
{
    std::string parentPath =
        spec.parent.empty() ? "/sys/devices/" + rootBusName(spec.address) : devicePath(spec.parent);
    const std::string path = parentPath + "/" + spec.address;
    devicePaths_[spec.address] = path;
    writeFile(path + "/class", hex(spec.classCode, 6) + "\n");
    writeFile(path + "/vendor", hex(spec.vendor, 4) + "\n");
    writeFile(path + "/device", hex(spec.device, 4) + "\n");
    writeFile(path + "/subsystem_vendor", hex(spec.subVendor, 4) + "\n");
    writeFile(path + "/subsystem_device", hex(spec.subDevice, 4) + "\n");
    writeFile(path + "/revision", hex(spec.revision, 2) + "\n");
    writeFile(path + "/driver_override", "(null)\n");
    writeFile(path + "/numa_node", std::to_string(spec.numaNode) + "\n");
    writeFile(path + "/remove", "");
    // What pciutils' sysfs backend reads too, so `lspci -A linux-sysfs` can list a fake tree.
    writeFile(path + "/config", configSpace(spec));
    writeFile(path + "/irq", "0\n");
    writeFile(path + "/resource", resourceLines());
    writeFile(path + "/modalias", modalias(spec));
    if (!spec.resetMethod.empty())
        writeFile(path + "/reset_method", spec.resetMethod + "\n");
    if ((spec.classCode >> 16) == 0x03)
        writeFile(path + "/boot_vga", spec.bootVga ? "1\n" : "0\n");
    link("/sys/bus/pci/devices/" + spec.address, path);
    if (!spec.driver.empty()) {
        if (!fs::exists(root_ + "/sys/bus/pci/drivers/" + spec.driver))
            addDriver(spec.driver);
        link(path + "/driver", "/sys/bus/pci/drivers/" + spec.driver);
        link("/sys/bus/pci/drivers/" + spec.driver + "/" + spec.address, path);
    }
    if (spec.group) {
        const std::string group = "/sys/kernel/iommu_groups/" + std::to_string(*spec.group);
        makeDirectory(group + "/devices");
        link(path + "/iommu_group", group);
        link(group + "/devices/" + spec.address, path);
    }
    if (!spec.physfn.empty()) {
        const std::string pf = devicePath(spec.physfn);
        link(path + "/physfn", pf);
        int index = virtualFunctions_[spec.physfn]++;
        link(pf + "/virtfn" + std::to_string(index), path);
    }
    return *this;
}

void FakeHost::removeVirtualFunctions(const std::string &pf)
{
    const std::string pfPath = devicePath(pf);
    for (int index = 0; index < virtualFunctions_[pf]; ++index) {
        const std::string link = pfPath + "/virtfn" + std::to_string(index);
        const std::string vf = baseName(host_->canonical(link));
        const std::string path = devicePath(vf);
        if (auto driver = host_->readLink(path + "/driver"))
            removePath("/sys/bus/pci/drivers/" + baseName(*driver) + "/" + vf);
        if (auto group = host_->readLink(path + "/iommu_group"))
            removePath("/sys/kernel/iommu_groups/" + baseName(*group));
        removePath("/sys/bus/pci/devices/" + vf);
        removePath(path);
        removePath(link);
        devicePaths_.erase(vf);
    }
    virtualFunctions_[pf] = 0;
}

FakeHost &FakeHost::addUsb(const std::string &name, const std::string &controller, uint16_t vendor, uint16_t product,
                           int bus, int device, const std::string &parentUsb)
{
    const std::string parent = parentUsb.empty() ? devicePath(controller) : usbPaths_.at(parentUsb);
    const std::string path = parent + "/" + name;
    usbPaths_[name] = path;
    writeFile(path + "/idVendor", hex(vendor, 4).substr(2) + "\n");
    writeFile(path + "/idProduct", hex(product, 4).substr(2) + "\n");
    writeFile(path + "/busnum", std::to_string(bus) + "\n");
    writeFile(path + "/devnum", std::to_string(device) + "\n");
    writeFile(path + "/product", "Fake USB " + name + "\n");
    link("/sys/bus/usb/devices/" + name, path);
    return *this;
}

void FakeHost::addBlock(const std::string &parentPath, const std::string &disk, const std::string &majorMinor,
                        const std::vector<PartitionSpec> &partitions)
{
    const std::string path = parentPath + "/" + disk;
    writeFile(path + "/dev", majorMinor + "\n");
    makeDirectory(path + "/holders");
    link("/sys/class/block/" + disk, path);
    int number = 1;
    for (const auto &partition : partitions) {
        const std::string partitionPath = path + "/" + partition.name;
        writeFile(partitionPath + "/dev", partition.majorMinor + "\n");
        writeFile(partitionPath + "/partition", std::to_string(number++) + "\n");
        makeDirectory(partitionPath + "/holders");
        link("/sys/class/block/" + partition.name, partitionPath);
    }
}

FakeHost &FakeHost::addScsiDisk(const std::string &hctl, const std::string &hba, const std::string &vendor,
                                const std::string &model, const std::string &disk, const std::string &majorMinor,
                                const std::vector<PartitionSpec> &partitions)
{
    const std::string hostNumber = hctl.substr(0, hctl.find(':'));
    const std::string target = hctl.substr(0, hctl.rfind(':'));
    const std::string path = devicePath(hba) + "/host" + hostNumber + "/target" + target + "/" + hctl;
    writeFile(path + "/vendor", vendor + "\n");
    writeFile(path + "/model", model + "\n");
    writeFile(path + "/type", "0\n");
    link("/sys/bus/scsi/devices/" + hctl, path);
    makeDirectory("/sys/bus/scsi/devices/host" + hostNumber); // hosts and targets are listed too; must be skipped
    if (!disk.empty())
        addBlock(path + "/block", disk, majorMinor, partitions);
    return *this;
}

FakeHost &FakeHost::addNvmeDisk(const std::string &controllerAddress, const std::string &disk,
                                const std::string &majorMinor, const std::vector<PartitionSpec> &partitions)
{
    addBlock(devicePath(controllerAddress) + "/nvme/nvme0", disk, majorMinor, partitions);
    return *this;
}

FakeHost &FakeHost::addNet(const std::string &name, const std::string &pci, const std::string &mac,
                           const std::string &master)
{
    const std::string path = pci.empty() ? "/sys/devices/virtual/net/" + name : devicePath(pci) + "/net/" + name;
    writeFile(path + "/address", mac + "\n");
    link("/sys/class/net/" + name, path);
    if (!pci.empty())
        link(path + "/device", devicePath(pci));
    if (!master.empty())
        link(path + "/master", "/sys/devices/virtual/net/" + master);
    return *this;
}

FakeHost &FakeHost::addIpv4(const std::string &interface, const std::string &address, int prefix)
{
    in_addr parsed{};
    if (inet_pton(AF_INET, address.c_str(), &parsed) != 1)
        throw std::runtime_error("fixture: bad IPv4 address " + address);
    ipv4_.push_back({interface, ntohl(parsed.s_addr), prefix});
    writeProcNet();
    return *this;
}

FakeHost &FakeHost::addIpv6(const std::string &interface, const std::string &hex32, int prefix, int scope)
{
    char line[160];
    std::snprintf(line, sizeof line, "%s %02x %02x %02x %02x %8s", hex32.c_str(), 2, prefix, scope, 0x80,
                  interface.c_str());
    ipv6Lines_.push_back(line);
    writeProcNet();
    return *this;
}

FakeHost &FakeHost::addDefaultRoute(const std::string &interface)
{
    defaultRoutes_.push_back(interface);
    writeProcNet();
    return *this;
}

void FakeHost::writeProcNet()
{
    // /proc/net/route prints network-order words as native integers.
    auto word = [](uint32_t hostOrder) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%08X", htonl(hostOrder));
        return std::string(buffer);
    };
    std::string route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
    for (const auto &interface : defaultRoutes_)
        route += interface + "\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
    std::string trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n";
    for (const auto &entry : ipv4_) {
        uint32_t mask = entry.prefix == 0 ? 0 : ~uint32_t(0) << (32 - entry.prefix);
        route += entry.interface + "\t" + word(entry.address & mask) + "\t00000000\t0001\t0\t0\t0\t" + word(mask) +
                 "\t0\t0\t0\n";
        in_addr raw{htonl(entry.address)};
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &raw, text, sizeof text);
        trie += "     |-- " + std::string(text) + "\n        /32 host LOCAL\n";
    }
    trie += "Local:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 127.0.0.1\n        /32 host LOCAL\n";
    writeFile("/proc/net/route", route);
    writeFile("/proc/net/fib_trie", trie);
    std::string inet6;
    for (const auto &line : ipv6Lines_)
        inet6 += line + "\n";
    writeFile("/proc/net/if_inet6", inet6);
    writeFile("/proc/net/ipv6_route", "");
}

FakeHost &FakeHost::addMount(const std::string &majorMinor, const std::string &source, const std::string &mountPoint)
{
    mountLines_.push_back(std::to_string(20 + mountLines_.size()) + " 1 " + majorMinor + " / " + mountPoint +
                          " rw,relatime shared:1 - ext4 " + source + " rw");
    std::string text;
    for (const auto &line : mountLines_)
        text += line + "\n";
    writeFile("/proc/self/mountinfo", text);
    return *this;
}

FakeHost &FakeHost::addSwap(const std::string &device)
{
    swapLines_.push_back("/dev/" + device + "                               partition\t8388604\t0\t-2");
    std::string text = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    for (const auto &line : swapLines_)
        text += line + "\n";
    writeFile("/proc/swaps", text);
    return *this;
}

FakeHost &FakeHost::addHolder(const std::string &blockName, const std::string &holder)
{
    const std::string path = host_->canonical("/sys/class/block/" + blockName);
    makeDirectory("/sys/devices/virtual/block/" + holder);
    link(path + "/holders/" + holder, "/sys/devices/virtual/block/" + holder);
    return *this;
}

} // namespace vfioctl::testing

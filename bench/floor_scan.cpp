// floor_scan ROOT: the raw floor for enumeration. A minimal loop with plain system calls that reads exactly the PCI
// attributes `vfioctl list --json` reports (ids, class, revision, driver, override, group, NUMA node, reset methods,
// boot VGA, SR-IOV links) and nothing else: no names, no eligibility, no USB/SCSI/net/block. Each device directory
// is opened once and read relative to it, one read per attribute, as vfioctl does. Prints the count.
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

size_t readAttribute(int directory, const char *name, char *buffer, size_t size)
{
    int fd = ::openat(directory, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = ::read(fd, buffer, size);
    ::close(fd);
    return got > 0 ? static_cast<size_t>(got) : 0;
}

std::vector<std::string> entries(const std::string &path)
{
    std::vector<std::string> names;
    if (DIR *dir = ::opendir(path.c_str())) {
        while (dirent *entry = ::readdir(dir))
            if (entry->d_name[0] != '.')
                names.emplace_back(entry->d_name);
        ::closedir(dir);
    }
    return names;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: floor_scan ROOT\n");
        return 2;
    }
    const std::string devices = std::string(argv[1]) + "/sys/bus/pci/devices/";
    static const char *attributes[] = {
        "class",    "vendor",          "device",    "subsystem_vendor", "subsystem_device",
        "revision", "driver_override", "numa_node", "reset_method",     "boot_vga"};
    char buffer[4096];
    size_t bytes = 0, count = 0;
    for (const auto &name : entries(devices)) {
        const std::string device = devices + name + "/";
        int directory = ::open(device.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (directory < 0)
            continue;
        for (const char *attribute : attributes)
            bytes += readAttribute(directory, attribute, buffer, sizeof buffer);
        for (const char *link : {"driver", "iommu_group", "physfn"}) {
            ssize_t length = ::readlinkat(directory, link, buffer, sizeof buffer);
            bytes += length > 0 ? static_cast<size_t>(length) : 0;
        }
        for (const auto &entry : entries(device))
            if (entry.rfind("virtfn", 0) == 0) {
                ssize_t length = ::readlinkat(directory, entry.c_str(), buffer, sizeof buffer);
                bytes += length > 0 ? static_cast<size_t>(length) : 0;
            }
        ::close(directory);
        ++count;
    }
    std::printf("%zu devices, %zu bytes\n", count, bytes);
    return 0;
}

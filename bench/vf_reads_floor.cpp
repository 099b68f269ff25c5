// vf_reads_floor ROOT ADDRESS...: the floor for a VM start's reads of its VFs. Per address it makes only the reads
// a decision about a VF needs, as the hook makes them in a captured tree (openat2 RESOLVE_IN_ROOT from the tree):
// the device's directory, its ids (modalias), driver, override, IOMMU group, PF and reset methods, whether it has
// drm/ or graphics/, and the listing of its group. No parsing, no decision, no journal: what 16 VFs cost over one
// here is the least any hook can add for them on this machine.
#include <fcntl.h>
#include <linux/openat2.h>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

int openInTree(int root, const std::string &path)
{
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return static_cast<int>(::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how));
}

void readAttribute(int directory, const char *name)
{
    char buffer[4096];
    int fd = ::openat(directory, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    if (::read(fd, buffer, sizeof buffer) < 0)
        ::perror(name);
    ::close(fd);
}

std::string linkTarget(int directory, const char *name)
{
    char buffer[4096];
    ssize_t got = ::readlinkat(directory, name, buffer, sizeof buffer);
    return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : std::string();
}

void listGroup(int root, const std::string &groupLink)
{
    const std::string group = groupLink.substr(groupLink.rfind('/') + 1);
    int fd = openInTree(root, "/sys/kernel/iommu_groups/" + group + "/devices");
    alignas(8) char buffer[32768];
    while (fd >= 0 && ::syscall(SYS_getdents64, fd, buffer, sizeof buffer) > 0) {
    }
    if (fd >= 0)
        ::close(fd);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int root = ::open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
    for (int i = 2; i < argc; ++i) {
        int device = openInTree(root, std::string("/sys/bus/pci/devices/") + argv[i]);
        if (device < 0)
            return 1;
        struct stat status;
        if (::fstatat(device, "drm", &status, AT_SYMLINK_NOFOLLOW) != 0)
            ::fstatat(device, "graphics", &status, AT_SYMLINK_NOFOLLOW);
        readAttribute(device, "modalias");
        linkTarget(device, "driver");
        readAttribute(device, "driver_override");
        const std::string group = linkTarget(device, "iommu_group");
        linkTarget(device, "physfn");
        readAttribute(device, "reset_method");
        ::close(device);
        listGroup(root, group);
    }
    return 0;
}

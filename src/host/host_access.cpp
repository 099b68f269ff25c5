#include "host_access.h"

#include "error.h"
#include "tree_hardware_names.h"

#include <cerrno>
#include <sys/stat.h>

namespace vfioctl {

HostAccess openLiveHost(WithNames names)
{
    HostAccess access;
    access.root = std::make_unique<DirectoryHostRoot>("/");
    access.names = names == WithNames::Yes ? openHardwareDatabase() : std::make_unique<NoHardwareNames>();
    access.modules = makeKmodLoader();
    access.services = makeSystemdManager();
    access.live = true;
    return access;
}

HostAccess openCapturedTree(const std::string &directory, WithNames names, RootGivenBy givenBy)
{
    const bool option = givenBy == RootGivenBy::Option;
    const std::string given = option ? "--root " + directory : "VFIOCTL_ROOT=" + directory;
    struct stat info;
    if (directory.empty())
        throw Error(option ? "--root needs a directory; use --root / for this host"
                           : "VFIOCTL_ROOT is set but empty; unset it for this host",
                    EINVAL);
    if (::stat(directory.c_str(), &info) != 0)
        throw Error(given + ": " + errnoText(errno), errno);
    if (!S_ISDIR(info.st_mode))
        throw Error(given + " is not a directory", ENOTDIR);
    HostAccess access;
    access.root = std::make_unique<DirectoryHostRoot>(directory);
    access.names = names == WithNames::Yes ? openTreeHardwareNames(*access.root) : std::make_unique<NoHardwareNames>();
    access.modules = makeRefusingLoader();
    access.services = makeRefusingServiceManager();
    return access;
}

HostAccess openHost(const std::string &root, WithNames names, RootGivenBy givenBy)
{
    if (!root.empty() && root.find_first_not_of('/') == std::string::npos)
        return openLiveHost(names);
    return openCapturedTree(root, names, givenBy);
}

} // namespace vfioctl

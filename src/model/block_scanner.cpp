#include "child_scanners.h"
#include "error.h"
#include "mount_table.h"
#include "scan_notes.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <map>

namespace vfioctl {

namespace {

// Everything that makes the host need this block device (disk or partition).
void collectUses(const HostRoot &host, const MountTable &mounts, const std::string &name, BlockDevice &disk)
{
    const std::string path = joinPath(layout::blockClass, name);
    std::string majorMinor = trimmed(host.read(joinPath(path, "dev")).value_or(""));
    std::vector<std::string> points;
    if (auto found = mounts.byMajorMinor.find(majorMinor); !majorMinor.empty() && found != mounts.byMajorMinor.end())
        points = found->second;
    else if (auto bySource = mounts.bySource.find(name); bySource != mounts.bySource.end())
        points = bySource->second;
    for (const auto &point : points) {
        disk.mountPoints.push_back(point);
        disk.uses.push_back({name, name + " mounted at " + point});
    }
    if (mounts.swapDevices.contains(name))
        disk.uses.push_back({name, name + " used as swap"});
    for (const auto &holder : host.list(joinPath(path, "holders")))
        disk.uses.push_back({name, name + " held by " + holder + " (device-mapper, LVM or md)"});
}

} // namespace

std::vector<BlockDevice> scanBlockDevices(const HostRoot &host, std::vector<std::string> &notes, const ScanScope &scope)
{
    MountTable mounts = parseMountTable(host.read(std::string(layout::mountInfo)).value_or(""),
                                        host.read(std::string(layout::swaps)).value_or(""));
    std::map<std::string, BlockDevice> disks;
    std::map<std::string, std::vector<std::string>> partitionsOf;
    forEachEntry(host, layout::blockClass, notes, [&](const std::string &entry) {
        if (!scope.wants(host, layout::blockClass, entry))
            return;
        const std::string path = joinPath(layout::blockClass, entry);
        if (host.exists(joinPath(path, "partition"))) {
            partitionsOf[baseName(dirName(host.canonical(path)))].push_back(entry);
            return;
        }
        BlockDevice disk;
        disk.name = entry;
        disk.majorMinor = trimmed(host.read(joinPath(path, "dev")).value_or(""));
        disk.pciDevice = nearestPciAncestor(host.canonical(path));
        disks.emplace(entry, std::move(disk));
    });
    std::vector<BlockDevice> result;
    for (auto &[name, disk] : disks) {
        try {
            collectUses(host, mounts, name, disk);
            for (const auto &partition : partitionsOf[name]) {
                disk.partitions.push_back(partition);
                collectUses(host, mounts, partition, disk);
            }
        } catch (const Error &error) {
            notes.push_back("the holders of " + name + " skipped: " + error.what());
        }
        result.push_back(std::move(disk));
    }
    return result;
}

std::vector<SharedFilesystem> scanSharedFilesystems(const HostRoot &host, std::vector<std::string> &notes,
                                                    const ScanScope &scope)
{
    MountTable mounts = parseMountTable(host.read(std::string(layout::mountInfo)).value_or(""), "");
    std::vector<SharedFilesystem> shares;
    forEachEntry(host, layout::virtioDevices, notes, [&](const std::string &entry) {
        if (!scope.wants(host, layout::virtioDevices, entry))
            return;
        const std::string path = joinPath(layout::virtioDevices, entry);
        // virtio-9p publishes "mount_tag", virtiofs "tag".
        auto tag = host.read(joinPath(path, "mount_tag"));
        if (!tag)
            tag = host.read(joinPath(path, "tag"));
        if (!tag)
            return;
        SharedFilesystem share;
        share.tag = trimmed(std::string(tag->c_str())); // mount_tag is NUL-terminated
        if (auto found = mounts.byShareTag.find(share.tag); found != mounts.byShareTag.end())
            share.mountPoints = found->second;
        share.pciDevice = nearestPciAncestor(host.canonical(path));
        shares.push_back(std::move(share));
    });
    return shares;
}

} // namespace vfioctl

#include "node_holders.h"

#include "error.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

#include <algorithm>

namespace vfioctl {

std::vector<std::string> deviceNodesOf(const HostRoot &host, const PciAddress &device, const std::string &driver,
                                       bool hasNodeDirectories)
{
    std::vector<std::string> nodes;
    const std::string path = joinPath(layout::pciDevices, device.str());
    if (hasNodeDirectories) {
        for (const auto &name : host.list(joinPath(path, "drm")))
            if (name.starts_with("card") || name.starts_with("renderD"))
                nodes.push_back(joinPath(layout::driNodes, name));
        for (const auto &name : host.list(joinPath(path, "graphics")))
            if (name.starts_with("fb"))
                nodes.push_back(joinPath(layout::deviceNodes, name));
    }
    if (driver == "nvidia") // its nodes name no device: any open one keeps the driver, and so the device, busy
        for (const auto &name : host.list(std::string(layout::deviceNodes)))
            if (name.starts_with("nvidia"))
                nodes.push_back(joinPath(layout::deviceNodes, name));
    return nodes;
}

std::vector<NodeHolder> nodeHolders(const HostRoot &host, const std::vector<std::string> &nodes)
{
    std::vector<NodeHolder> holders;
    if (nodes.empty())
        return holders;
    const std::string processes(layout::processes);
    for (const auto &entry : host.list(processes)) {
        const auto pid = parseDecimalInRange(entry, 1, 1 << 30);
        if (!pid)
            continue;
        const std::string process = joinPath(processes, entry);
        try {
            const std::string fds = joinPath(process, "fd");
            for (const auto &fd : host.list(fds)) {
                const auto target = host.readLink(joinPath(fds, fd));
                if (!target || std::find(nodes.begin(), nodes.end(), *target) == nodes.end())
                    continue;
                NodeHolder holder{static_cast<int>(*pid), trimmed(host.read(joinPath(process, "comm")).value_or("")),
                                  *target};
                if (std::find(holders.begin(), holders.end(), holder) == holders.end())
                    holders.push_back(std::move(holder));
            }
        } catch (const Error &) {
            continue; // ended while read, or not ours to read
        }
    }
    std::sort(holders.begin(), holders.end(), [](const NodeHolder &a, const NodeHolder &b) { return a.pid < b.pid; });
    return holders;
}

std::string describeHolders(const std::vector<NodeHolder> &holders)
{
    std::vector<std::string> parts;
    for (const auto &holder : holders)
        parts.push_back((holder.command.empty() ? std::string("a process") : holder.command) + " (pid " +
                        std::to_string(holder.pid) + ") has " + holder.node + " open");
    return joinWith(parts, ", ");
}

} // namespace vfioctl

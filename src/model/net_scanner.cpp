#include "child_scanners.h"
#include "host_addresses.h"
#include "scan_notes.h"
#include "sysfs_ancestry.h"
#include "sysfs_layout.h"
#include "sysfs_value.h"

namespace vfioctl {

std::vector<NetInterface> scanNetInterfaces(const HostRoot &host, std::vector<std::string> &notes,
                                            const ScanScope &scope)
{
    HostAddresses addresses;
    try {
        addresses = readHostAddresses(host);
    } catch (const Error &error) {
        notes.push_back("the host's addresses and routes skipped: " + std::string(error.what()));
    }
    std::vector<NetInterface> interfaces;
    forEachEntry(host, layout::netClass, notes, [&](const std::string &entry) {
        if (!scope.wants(host, layout::netClass, entry))
            return;
        const std::string path = joinPath(layout::netClass, entry);
        NetInterface interface;
        interface.name = entry;
        interface.mac = trimmed(host.read(joinPath(path, "address")).value_or(""));
        if (auto found = addresses.byInterface.find(entry); found != addresses.byInterface.end())
            interface.addresses = found->second;
        interface.defaultRoute = addresses.defaultRouteInterfaces.contains(entry);
        if (auto master = host.readLink(joinPath(path, "master")))
            interface.master = baseName(*master);
        // Virtual interfaces (lo, bridges) have no device link and so no PCI device.
        if (host.readLink(joinPath(path, "device")))
            interface.pciDevice = nearestPciAncestor(host.canonical(joinPath(path, "device")));
        interfaces.push_back(std::move(interface));
    });
    return interfaces;
}

} // namespace vfioctl

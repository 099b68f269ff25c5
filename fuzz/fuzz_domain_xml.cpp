// libFuzzer target: the domain XML reader and editor (untrusted: libvirt hands us whatever a user defined).
#include "domain_edit.h"
#include "domain_xml.h"
#include "error.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view xml(reinterpret_cast<const char *>(data), size);
    vfioctl::DomainPassthrough domain;
    try {
        domain = vfioctl::parseDomainXml(xml);
    } catch (const vfioctl::Error &) {
        return 0;
    }
    // A unit to stop reaches systemd as it is: only names systemd accepts, and never more than the limit.
    if (domain.policy.stopUnits.size() > vfioctl::maxStopUnits)
        std::abort();
    for (const auto &unit : domain.policy.stopUnits)
        if (!vfioctl::isUnitName(unit))
            std::abort();
    // Whatever was read, the editor must be able to take it all out again, and then nothing is left.
    std::vector<vfioctl::PciAddress> listed;
    for (const auto &hostdev : domain.hostdevs)
        listed.push_back(hostdev.address);
    try {
        std::string emptied = vfioctl::withoutPciHostdevs(xml, listed);
        if (!vfioctl::parseDomainXml(emptied).hostdevs.empty())
            std::abort();
        std::string added = vfioctl::withPciHostdevs(emptied, listed);
        if (vfioctl::parseDomainXml(added).hostdevs.size() != listed.size())
            std::abort();
    } catch (const vfioctl::Error &) {
        // The editor refuses documents it cannot rewrite faithfully; that is allowed, crashing is not.
    }
    return 0;
}

#include "resource_names.h"

#include <cctype>
#include <cstdio>
#include <map>

namespace vfioctl {

std::string hexId(uint16_t id)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%04x", id);
    return buffer;
}

namespace {

// Letters and digits kept, every other run of characters one `separator`, none at either end; at most `limit`.
enum class Case { Lower, Kept };
std::string squeezed(const std::string &text, char separator, size_t limit, Case letters)
{
    std::string out;
    bool pending = false;
    for (unsigned char c : text) {
        if (std::isalnum(c) && c < 0x80) {
            if (pending && !out.empty())
                out += separator;
            pending = false;
            out += letters == Case::Lower ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
        } else {
            pending = true;
        }
        if (out.size() >= limit)
            break;
    }
    out.resize(std::min(out.size(), limit));
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back())))
        out.pop_back();
    return out;
}

// The DNS domains of the vendors KubeVirt's own examples and the device plugins use; others from the vendor's name.
const std::map<uint16_t, std::string> &vendorDomains()
{
    static const std::map<uint16_t, std::string> domains = {
        {0x1002, "amd.com"},          {0x1022, "amd.com"},      {0x10de, "nvidia.com"},  {0x15b3, "nvidia.com"},
        {0x8086, "intel.com"},        {0x14e4, "broadcom.com"}, {0x1af4, "redhat.com"},  {0x1b36, "redhat.com"},
        {0x144d, "samsung.com"},      {0x10ec, "realtek.com"},  {0x1077, "qlogic.com"},  {0x19e5, "huawei.com"},
        {0x1d0f, "amazon.com"},       {0x1924, "amd.com"},      {0x1137, "cisco.com"},   {0x15ad, "vmware.com"},
        {0x1c5c, "skhynix.com"},      {0x1987, "phison.com"},   {0x15b7, "sandisk.com"}, {0x1344, "micron.com"},
        {0x126f, "siliconmotion.com"}};
    return domains;
}

std::string vendorDomain(const PciDevice &device)
{
    if (auto known = vendorDomains().find(device.vendorId); known != vendorDomains().end())
        return known->second;
    // "Chelsio Communications Inc" -> "chelsio.com"
    std::string first = squeezed(device.vendorName(), ' ', 63, Case::Lower);
    first = first.substr(0, first.find(' '));
    return first.empty() ? "pci-" + hexId(device.vendorId) + ".vfioctl.org" : first + ".com";
}

} // namespace

std::string novaAliasName(const PciDevice &device, const std::string &prefix)
{
    if (!prefix.empty())
        return prefix + "-" + hexId(device.vendorId) + "-" + hexId(device.deviceId);
    std::string name = squeezed(device.deviceName(), '-', 60, Case::Lower);
    return name.empty() ? "pci-" + hexId(device.vendorId) + "-" + hexId(device.deviceId) : name;
}

std::string kubevirtResourceName(const PciDevice &device)
{
    std::string name = squeezed(device.deviceName(), '_', 63, Case::Kept);
    if (name.empty())
        name = "PCI_" + hexId(device.vendorId) + "_" + hexId(device.deviceId);
    return vendorDomain(device) + "/" + name;
}

} // namespace vfioctl

#include "domain_edit.h"

#include "domain_xml.h"
#include "error.h"

#include <algorithm>
#include <cstdio>
#include <pugixml.hpp>
#include <sstream>

namespace vfioctl {

namespace {

pugi::xml_document load(std::string_view xml)
{
    pugi::xml_document document;
    unsigned options = (pugi::parse_default | pugi::parse_comments) & ~pugi::parse_doctype;
    if (nulCharacterAt(xml) || !document.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8) ||
        std::string_view(document.document_element().name()) != "domain")
        throw Error("the VM's definition is not a libvirt domain XML", EINVAL);
    return document;
}

std::string save(const pugi::xml_document &document)
{
    std::ostringstream out;
    document.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
    return out.str();
}

std::string hex(unsigned value, int digits)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "0x%0*x", digits, value);
    return buffer;
}

void appendHostdev(pugi::xml_node devices, const PciAddress &device)
{
    pugi::xml_node hostdev = devices.append_child("hostdev");
    hostdev.append_attribute("mode") = "subsystem";
    hostdev.append_attribute("type") = "pci";
    hostdev.append_attribute("managed") = "yes";
    pugi::xml_node address = hostdev.append_child("source").append_child("address");
    address.append_attribute("domain") = hex(device.domain, 4).c_str();
    address.append_attribute("bus") = hex(device.bus, 2).c_str();
    address.append_attribute("slot") = hex(device.slot, 2).c_str();
    address.append_attribute("function") = hex(device.function, 1).c_str();
}

// The PCI source of one <hostdev>/<interface> element, if it is a PCI passthrough one: parsed by the domain reader
// so both ends agree on what counts.
std::optional<PciAddress> pciSourceOf(const pugi::xml_node &element)
{
    pugi::xml_document single;
    pugi::xml_node domain = single.append_child("domain");
    domain.append_child("devices").append_copy(element);
    std::ostringstream out;
    single.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    auto parsed = parseDomainXml(out.str());
    if (parsed.hostdevs.empty())
        return std::nullopt;
    return parsed.hostdevs.front().address;
}

} // namespace

std::string pciHostdevXml(const PciAddress &device)
{
    pugi::xml_document document;
    appendHostdev(document, device);
    std::ostringstream out;
    document.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return out.str();
}

std::string withPciHostdevs(std::string_view domainXml, const std::vector<PciAddress> &devices)
{
    pugi::xml_document document = load(domainXml);
    pugi::xml_node domain = document.document_element();
    const auto present = parseDomainXml(domainXml).hostdevs;
    pugi::xml_node devicesNode = domain.child("devices");
    if (!devicesNode)
        devicesNode = domain.append_child("devices");
    for (const auto &device : devices) {
        bool already = std::any_of(present.begin(), present.end(),
                                   [&](const DomainHostdev &hostdev) { return hostdev.address == device; });
        if (!already)
            appendHostdev(devicesNode, device);
    }
    return save(document);
}

std::string withoutPciHostdevs(std::string_view domainXml, const std::vector<PciAddress> &devices)
{
    pugi::xml_document document = load(domainXml);
    pugi::xml_node devicesNode = document.document_element().child("devices");
    std::vector<pugi::xml_node> doomed;
    for (pugi::xml_node element : devicesNode.children()) {
        std::string_view name = element.name();
        if (name != "hostdev" && name != "interface")
            continue;
        auto source = pciSourceOf(element);
        if (source && std::find(devices.begin(), devices.end(), *source) != devices.end())
            doomed.push_back(element);
    }
    for (auto &element : doomed)
        devicesNode.remove_child(element);
    return save(document);
}

} // namespace vfioctl

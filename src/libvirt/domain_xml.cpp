#include "domain_xml.h"

#include "error.h"
#include "service_manager.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <pugixml.hpp>

namespace vfioctl {

namespace {

// libvirt reads address attributes with base 0 ("0x1f", "31"); the same here, bounded by the field's range.
uint32_t addressField(const pugi::xml_node &address, const char *name, uint32_t maximum, const std::string &source)
{
    pugi::xml_attribute attribute = address.attribute(name);
    if (!attribute)
        return 0; // libvirt's default for a missing domain/bus/slot/function
    std::string_view text = attribute.value();
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    } else if (text.size() > 1 && text[0] == '0') {
        text.remove_prefix(1);
        base = 8;
    }
    uint64_t value = 0;
    auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || status != std::errc() || end != text.data() + text.size() || value > maximum)
        throw Error(source + " has an invalid PCI address: " + name + "='" + attribute.value() + "'", EINVAL);
    return static_cast<uint32_t>(value);
}

PciAddress pciAddressOf(const pugi::xml_node &address, const std::string &source)
{
    PciAddress result;
    result.domain = addressField(address, "domain", 0xffff, source);
    result.bus = static_cast<uint8_t>(addressField(address, "bus", 0xff, source));
    result.slot = static_cast<uint8_t>(addressField(address, "slot", 0x1f, source));
    result.function = static_cast<uint8_t>(addressField(address, "function", 7, source));
    return result;
}

bool isYes(const pugi::xml_node &node, const char *attribute)
{
    return std::string_view(node.attribute(attribute).value()) == "yes";
}

// pugixml does not resolve namespaces: find the URI bound to the element's prefix on it or its ancestors.
std::string_view namespaceOf(const pugi::xml_node &element)
{
    std::string_view name = element.name();
    size_t colon = name.find(':');
    std::string declaration = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(name.substr(0, colon));
    for (pugi::xml_node node = element; node && node.type() == pugi::node_element; node = node.parent())
        if (pugi::xml_attribute attribute = node.attribute(declaration.c_str()))
            return attribute.value();
    return {};
}

std::string_view localName(const pugi::xml_node &element)
{
    std::string_view name = element.name();
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// One of `allowed` or empty (the default, `values[0]`); anything else is refused naming the attribute.
size_t choiceOf(const pugi::xml_node &policy, const char *attribute, std::initializer_list<std::string_view> allowed,
                const std::string &source)
{
    const std::string_view value = policy.attribute(attribute).value();
    if (value.empty())
        return 0;
    size_t index = 0;
    std::string expected;
    for (std::string_view one : allowed) {
        if (one == value)
            return index;
        expected += (index == 0 ? "'" : index + 1 == allowed.size() ? " or '" : ", '") + std::string(one) + "'";
        ++index;
    }
    throw Error(source + " has an invalid vfioctl policy: " + attribute + "='" + std::string(value.substr(0, 64)) +
                    "' (expected " + expected + ")",
                EINVAL);
}

std::vector<std::string> stopUnitsOf(const pugi::xml_node &policy, const std::string &source)
{
    std::vector<std::string> units;
    for (pugi::xml_node child : policy.children()) {
        if (child.type() != pugi::node_element || localName(child) != "stop" || namespaceOf(child) != policyNamespace)
            continue;
        const std::string unit = child.attribute("unit").value();
        if (!isUnitName(unit))
            throw Error(source + " has an invalid vfioctl policy: <stop unit='" + unit.substr(0, 64) +
                            "'> is not a systemd unit name (such as display-manager.service)",
                        EINVAL);
        if (units.size() == maxStopUnits)
            throw Error(source + " has an invalid vfioctl policy: more than " + std::to_string(maxStopUnits) +
                            " units to stop",
                        EINVAL);
        if (std::find(units.begin(), units.end(), unit) == units.end())
            units.push_back(unit);
    }
    return units;
}

DomainPolicy policyOf(const pugi::xml_node &domain, const std::string &source)
{
    DomainPolicy policy;
    for (pugi::xml_node element : domain.child("metadata").children()) {
        if (element.type() != pugi::node_element || namespaceOf(element) != policyNamespace)
            continue;
        // Our element is <policy>, directly or wrapped in one container of ours (as `virsh metadata` writes it).
        pugi::xml_node found = localName(element) == "policy" ? element : pugi::xml_node();
        for (pugi::xml_node child : element.children())
            if (!found && child.type() == pugi::node_element && localName(child) == "policy")
                found = child;
        if (!found)
            continue;
        policy.action = static_cast<HookAction>(choiceOf(found, "action", {"bind", "ignore"}, source));
        policy.companions = static_cast<CompanionPolicy>(choiceOf(found, "companions", {"take", "refuse"}, source));
        policy.console = static_cast<ConsolePolicy>(choiceOf(found, "console", {"keep", "handoff"}, source));
        policy.stopUnits = stopUnitsOf(found, source);
    }
    return policy;
}

void addHostdev(DomainPassthrough &result, DomainHostdev hostdev)
{
    auto same = [&](const DomainHostdev &known) { return known.address == hostdev.address; };
    if (std::none_of(result.hostdevs.begin(), result.hostdevs.end(), same))
        result.hostdevs.push_back(hostdev);
}

} // namespace

std::optional<size_t> nulCharacterAt(std::string_view xml)
{
    for (size_t at = 0; at < xml.size(); ++at) {
        if (xml[at] == '\0')
            return at;
        if (xml[at] != '&' || at + 2 >= xml.size() || xml[at + 1] != '#')
            continue;
        size_t digit = at + 2;
        const bool hex = xml[digit] == 'x' || xml[digit] == 'X';
        digit += hex ? 1 : 0;
        const size_t first = digit;
        while (digit < xml.size() && xml[digit] == '0')
            ++digit;
        if (digit > first && digit < xml.size() && xml[digit] == ';')
            return at;
    }
    return std::nullopt;
}

DomainPassthrough parseDomainXml(std::string_view xml, const std::string &source)
{
    if (xml.size() > maxDomainXmlBytes)
        throw Error(source + " is " + std::to_string(xml.size()) + " bytes, more than the " +
                        std::to_string(maxDomainXmlBytes) + " a domain XML may have",
                    EFBIG);
    if (auto at = nulCharacterAt(xml))
        throw Error(source + " is not valid XML (a NUL character, which XML forbids, at byte " + std::to_string(*at) +
                        ")",
                    EINVAL);
    pugi::xml_document document;
    // No parse_doctype and no DTD: entity declarations are skipped, so no entity can ever be expanded.
    unsigned options = pugi::parse_default & ~pugi::parse_doctype;
    pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size(), options, pugi::encoding_utf8);
    if (!parsed)
        throw Error(source + " is not valid XML (" + parsed.description() + " at byte " +
                        std::to_string(parsed.offset) + ")",
                    EINVAL);
    pugi::xml_node domain = document.document_element();
    if (std::string_view(domain.name()) != "domain")
        throw Error(source + " is not a libvirt domain: its root element is <" + std::string(domain.name()) + ">",
                    EINVAL);

    DomainPassthrough result;
    result.name = domain.child_value("name");
    result.uuid = domain.child_value("uuid");
    result.policy = policyOf(domain, source);
    for (pugi::xml_node device : domain.child("devices").children()) {
        std::string_view element = device.name();
        if (element == "hostdev") {
            if (std::string_view(device.attribute("mode").value()) != "subsystem" ||
                std::string_view(device.attribute("type").value()) != "pci")
                continue;
            pugi::xml_node address = device.child("source").child("address");
            if (!address)
                throw Error(source + " has a PCI <hostdev> without a source address", EINVAL);
            addHostdev(result, {pciAddressOf(address, source), isYes(device, "managed"), HostdevKind::Hostdev});
        } else if (element == "interface") {
            if (std::string_view(device.attribute("type").value()) != "hostdev")
                continue;
            pugi::xml_node address = device.child("source").child("address");
            std::string_view type = address.attribute("type").value();
            if (!address || (!type.empty() && type != "pci"))
                continue; // a USB or not-yet-allocated network: no PCI function of ours
            addHostdev(result, {pciAddressOf(address, source), isYes(device, "managed"), HostdevKind::Interface});
        }
    }
    return result;
}

} // namespace vfioctl

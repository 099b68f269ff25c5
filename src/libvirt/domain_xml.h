// What vfioctl needs from a libvirt domain XML: its name, its PCI passthrough devices, and our policy in its
// <metadata>. Reads untrusted text: never expands entities, refuses absurd sizes.
#pragma once

#include "pci_address.h"
#include "service_manager.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// The XML namespace of our element in a domain's <metadata>.
inline constexpr std::string_view policyNamespace = "https://vfioctl.org/xmlns/domain/1";
// Domain XML larger than this is refused unread (libvirt's own documents are a few tens of KiB).
inline constexpr size_t maxDomainXmlBytes = 4 * 1024 * 1024;

enum class HostdevKind { Hostdev, Interface }; // <hostdev type='pci'> or <interface type='hostdev'> (SR-IOV VF)

struct DomainHostdev {
    PciAddress address;
    bool managed = false; // libvirt detaches and reattaches it itself
    HostdevKind kind = HostdevKind::Hostdev;
};

// <vfioctl:policy action='bind|ignore' companions='take|refuse' console='keep|handoff'>
//     <vfioctl:stop unit='display-manager.service'/>...
// </vfioctl:policy>
enum class HookAction { Bind, Ignore };
enum class CompanionPolicy { Take, Refuse };
// Handoff: the VM may take the boot GPU showing the host console; the console is handed over and back.
enum class ConsolePolicy { Keep, Handoff };

struct DomainPolicy {
    HookAction action = HookAction::Bind;
    CompanionPolicy companions = CompanionPolicy::Take;
    ConsolePolicy console = ConsolePolicy::Keep;
    std::vector<std::string> stopUnits; // systemd units stopped before the hand-off, started again after, in order
};

struct DomainPassthrough {
    std::string name;
    std::string uuid;
    std::vector<DomainHostdev> hostdevs; // in document order, without duplicates
    DomainPolicy policy;
};

// Throws Error (one sentence, naming `source`) for malformed XML, a document that is not a <domain>, or a PCI
// address or policy value out of range.
// Where the text holds a NUL, raw or as a character reference (&#0; &#x0;): XML forbids it, and a parser that hands
// out C strings would read a value only up to it ("vfio&#x0;x" as "vfio"). Nothing when there is none.
std::optional<size_t> nulCharacterAt(std::string_view xml);

DomainPassthrough parseDomainXml(std::string_view xml, const std::string &source = "the domain XML");

} // namespace vfioctl

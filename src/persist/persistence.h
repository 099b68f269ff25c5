// Devices claimed for vfio-pci from early boot: one marker file per device address or vendor:device id in
// /etc/vfioctl/persist.d, named so that the udev rule can build the name on every PCI add event. An address marker
// carries the identity of the device persisted there (its ids and class), so that another device found at that
// address after cards are moved is not claimed.
#pragma once

#include "host_root.h"
#include "pci_address.h"
#include "pci_identity.h"
#include "sysfs_layout.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct PersistEntry {
    std::optional<PciAddress> address; // set for an address entry
    uint16_t vendor = 0;               // set with device for an id entry
    uint16_t device = 0;
    // An address entry's device as it was persisted; none in a marker written before identities were recorded (it
    // claims whatever is at the address, as it always did, and is listed as such).
    std::optional<PciIdentity> identity{};

    // "pci-0000:01:00.0@0x8086:0x10d3:0x8086:0xa01f:0x020000", "pci-0000:01:00.0" (no identity) or
    // "id-0x10de:0x1b80": the names the udev rule builds from $kernel and $attr{...}.
    std::string fileName() const;
    // "0000:01:00.0" or "10de:1b80"
    std::string text() const;
    // Whether this entry claims the device `now` at `at`: an id entry by its ids, an address entry while the device
    // there is the one recorded (any device, for a marker without identity).
    bool matches(const PciAddress &at, const PciIdentity &now) const;
    // The same target, whatever identity either records: one address, or one id.
    bool sameTarget(const PersistEntry &other) const;
    bool operator==(const PersistEntry &) const = default;
};

// Accepts a PCI address (any form PciAddress takes) or VENDOR:DEVICE as four hex digits each ("10de:1b80").
// Throws Error naming both forms.
PersistEntry parsePersistTarget(std::string_view text);
std::optional<PersistEntry> entryOfFileName(std::string_view name);

// Where the markers live (/etc/vfioctl/persist.d), as HostRoot paths take it; persistence and SR-IOV persistence share
// it.
inline const std::string persistMarkerDirectory{layout::persistDirectory};

class PersistStore {
public:
    explicit PersistStore(HostRoot &host) : host_(host) {}
    std::vector<PersistEntry> list() const;
    // Returns false when it was there already, with this identity. A marker for the same address with another
    // identity, or none, is replaced: the device persisted now is the one at the address now.
    bool add(const PersistEntry &entry);
    // Removes every marker of the entry's target (an address's, whatever identity it records); false for none.
    bool remove(const PersistEntry &entry);

private:
    HostRoot &host_;
};

} // namespace vfioctl

// The documented JSON shapes of the model (docs/JSON.md); one function per kind of device.
#pragma once

#include "affected.h"
#include "eligibility.h"
#include "holders.h"
#include "inventory.h"

#include <nlohmann/json.hpp>

namespace vfioctl::cli {

using Json = nlohmann::ordered_json;

// `holders` null: libvirt was not asked (the JSON says null, not an empty list).
Json toJson(const PciDevice &device, const Eligibility &eligibility, const std::vector<Holder> *holders = nullptr,
            bool holdersKnown = false);
Json toJson(const Holder &holder);
Json toJson(const UsbDevice &device);
Json toJson(const ScsiDevice &device);
Json toJson(const NetInterface &interface);
Json toJson(const BlockDevice &disk);
Json toJson(const IommuGroup &group, const Inventory &inventory);
Json toJson(const AffectedDevices &affected, const Inventory &inventory);

std::string hexId(uint32_t value, int digits);
// The document as text: bytes that are not UTF-8 (an interface name may hold any) become U+FFFD, so output is
// always whole, valid JSON and never an exception half-way through.
std::string jsonText(const Json &value, int indent = 2);

// Writes {"a": [item, item], "b": [...]} as it goes, one compact item a line.
class JsonArrayWriter {
public:
    explicit JsonArrayWriter(std::ostream &out) : out_(out) {}
    void begin(const char *key);
    void item(const Json &value);
    void finish();

private:
    void closeArray();
    std::ostream &out_;
    bool anyArray_ = false;
    bool anyItem_ = false;
};

} // namespace vfioctl::cli

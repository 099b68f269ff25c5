// The documented JSON shapes of the model (docs/JSON.md); one function per kind of device, each writing its object
// into a JsonWriter as it goes.
#pragma once

#include "affected.h"
#include "eligibility.h"
#include "holders.h"
#include "inventory.h"
#include "json_writer.h"

#include <nlohmann/json.hpp>

namespace vfioctl::cli {

// The small documents of the other commands (check, status, export...) are built whole.
using Json = nlohmann::ordered_json;

// `holders` null: libvirt was not asked (the JSON says null, not an empty list).
void writeJson(JsonWriter &out, const PciDevice &device, const Eligibility &eligibility,
               const std::vector<Holder> *holders = nullptr, bool holdersKnown = false);
// What a listing that shows only `shown` of a PCI function's members (null: all) reads of each: the reads that only
// left-out members show are skipped (every member that eligibility, notes or the hand-off need is still read).
PciFacts pciFactsShowing(const JsonWriter::MemberNames *shown);
void writeJson(JsonWriter &out, const Holder &holder);
void writeJson(JsonWriter &out, const UsbDevice &device);
void writeJson(JsonWriter &out, const ScsiDevice &device);
void writeJson(JsonWriter &out, const NetInterface &interface);
void writeJson(JsonWriter &out, const BlockDevice &disk);
void writeJson(JsonWriter &out, const IommuGroup &group, const Inventory &inventory);
void writeJson(JsonWriter &out, const AffectedDevices &affected, const Inventory &inventory);

std::string hexId(uint32_t value, int digits);
// The document as text: bytes that are not UTF-8 (an interface name may hold any) become U+FFFD, so output is
// always whole, valid JSON and never an exception half-way through.
std::string jsonText(const Json &value, int indent = 2);

// Writes {"a": [item, item], "b": [...]} as it goes, one compact item a line.
class JsonArrayWriter {
public:
    explicit JsonArrayWriter(std::ostream &out) : writer_(out) {}
    void begin(const char *key);
    // The writer, placed for the next item: write exactly one value into it.
    JsonWriter &item();
    void finish();
    // Only these members of each item (`list --json --fields`); null: all.
    void onlyMembers(const JsonWriter::MemberNames *names) { writer_.onlyMembers(names); }

private:
    void closeArray();
    JsonWriter writer_;
    bool anyArray_ = false;
    bool anyItem_ = false;
};

} // namespace vfioctl::cli

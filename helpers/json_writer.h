// JSON written as it is produced, into a buffer handed to the stream in large blocks: the device listings of a host
// with tens of thousands of functions never build a document (docs/PERFORMANCE.md, "Enumeration").
//
// The text is byte for byte what nlohmann::json's dump gives (compact, or indented by 2), with bytes that are not
// UTF-8 replaced by U+FFFD: the documents scripts read did not change when this writer replaced it
// (tests/unit/cli/test_json_output.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace vfioctl::cli {

class JsonWriter {
public:
    // indent 0: compact, everything on one line; 2: one member a line, as `jq` would print it.
    explicit JsonWriter(std::ostream &out, int indent = 0);
    ~JsonWriter();
    JsonWriter(const JsonWriter &) = delete;
    JsonWriter &operator=(const JsonWriter &) = delete;

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();
    JsonWriter &key(std::string_view name);

    JsonWriter &string(std::string_view text);
    JsonWriter &stringOrNull(std::string_view text); // null when empty: "no driver", not ""
    JsonWriter &hex(uint32_t value, int digits);     // "10de": ids as lspci -n prints them
    JsonWriter &number(long long value);
    JsonWriter &boolean(bool value);
    JsonWriter &null();
    template <typename T> JsonWriter &numberOrNull(const std::optional<T> &value)
    {
        return value ? number(*value) : null();
    }
    JsonWriter &strings(const std::vector<std::string> &items);

    // Only these members of the outermost objects written from now on (`list --json --fields`); null: all. A member
    // left out is written and then taken back, so every value is written the same way whether or not it is kept.
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
    };
    using MemberNames = std::unordered_set<std::string, NameHash, std::equal_to<>>;
    void onlyMembers(const MemberNames *names) { onlyMembers_ = names; }

    // Text placed as it is between values: the line layout of a listing (JsonArrayWriter).
    JsonWriter &raw(std::string_view text);
    // Hands what is buffered to the stream; the destructor does too.
    void flush();

private:
    void beforeValue();
    void close(char bracket);
    void newline(size_t depth);
    void valueWritten();

    std::ostream &out_;
    const int indent_;
    std::string buffer_;
    std::vector<bool> empty_; // per open container: nothing written in it yet
    bool afterKey_ = false;
    const MemberNames *onlyMembers_ = nullptr;
    // A member being left out: where its text began, and whether its object was empty before it.
    std::optional<std::pair<size_t, bool>> leftOut_;
};

} // namespace vfioctl::cli

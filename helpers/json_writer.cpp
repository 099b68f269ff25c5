#include "json_writer.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <ostream>

namespace vfioctl::cli {

namespace {

constexpr size_t flushAt = 1 << 16;

// Printable ASCII but the quote and the backslash is written as it is; anything else takes nlohmann's own escaping
// (control characters, and U+FFFD for bytes that are not UTF-8), so the two can never differ.
bool plainAscii(std::string_view text)
{
    for (unsigned char c : text)
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            return false;
    return true;
}

void appendEscaped(std::string &out, std::string_view text)
{
    if (plainAscii(text)) {
        out += '"';
        out += text;
        out += '"';
        return;
    }
    out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

JsonWriter::JsonWriter(std::ostream &out, int indent) : out_(out), indent_(indent)
{
    buffer_.reserve(flushAt + 4096);
}

JsonWriter::~JsonWriter()
{
    flush();
}

void JsonWriter::flush()
{
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
}

void JsonWriter::newline(size_t depth)
{
    buffer_ += '\n';
    buffer_.append(depth * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::beforeValue()
{
    if (afterKey_) {
        afterKey_ = false;
        return;
    }
    if (empty_.empty())
        return;
    if (!empty_.back())
        buffer_ += ',';
    empty_.back() = false;
    if (indent_)
        newline(empty_.size());
}

JsonWriter &JsonWriter::beginObject()
{
    beforeValue();
    buffer_ += '{';
    empty_.push_back(true);
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    beforeValue();
    buffer_ += '[';
    empty_.push_back(true);
    return *this;
}

// Ends a member being left out once its value is whole: its text is taken back, and its object is as it was.
void JsonWriter::valueWritten()
{
    if (!leftOut_ || empty_.size() != 1)
        return;
    buffer_.resize(leftOut_->first);
    empty_.back() = leftOut_->second;
    leftOut_.reset();
}

void JsonWriter::close(char bracket)
{
    const bool wasEmpty = empty_.back();
    empty_.pop_back();
    if (indent_ && !wasEmpty)
        newline(empty_.size());
    buffer_ += bracket;
    valueWritten();
    if (buffer_.size() >= flushAt && !leftOut_)
        flush();
}

JsonWriter &JsonWriter::endObject()
{
    close('}');
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    close(']');
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view name)
{
    if (onlyMembers_ && empty_.size() == 1 && !leftOut_ && !onlyMembers_->contains(name))
        leftOut_.emplace(buffer_.size(), empty_.back());
    beforeValue();
    appendEscaped(buffer_, name);
    buffer_ += indent_ ? ": " : ":";
    afterKey_ = true;
    return *this;
}

JsonWriter &JsonWriter::string(std::string_view text)
{
    beforeValue();
    appendEscaped(buffer_, text);
    valueWritten();
    return *this;
}

JsonWriter &JsonWriter::stringOrNull(std::string_view text)
{
    return text.empty() ? null() : string(text);
}

JsonWriter &JsonWriter::hex(uint32_t value, int digits)
{
    static constexpr char digitsOf[] = "0123456789abcdef";
    beforeValue();
    char text[10];
    int length = 0;
    for (uint32_t rest = value; rest; rest >>= 4)
        ++length;
    length = std::max(length, digits);
    for (int i = length - 1; i >= 0; --i, value >>= 4)
        text[i] = digitsOf[value & 0xf];
    buffer_ += '"';
    buffer_.append(text, static_cast<size_t>(length));
    buffer_ += '"';
    valueWritten();
    return *this;
}

JsonWriter &JsonWriter::number(long long value)
{
    beforeValue();
    char text[24];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    buffer_.append(text, end);
    valueWritten();
    return *this;
}

JsonWriter &JsonWriter::boolean(bool value)
{
    beforeValue();
    buffer_ += value ? "true" : "false";
    valueWritten();
    return *this;
}

JsonWriter &JsonWriter::null()
{
    beforeValue();
    buffer_ += "null";
    valueWritten();
    return *this;
}

JsonWriter &JsonWriter::strings(const std::vector<std::string> &items)
{
    beginArray();
    for (const auto &item : items)
        string(item);
    return endArray();
}

JsonWriter &JsonWriter::raw(std::string_view text)
{
    buffer_ += text;
    return *this;
}

} // namespace vfioctl::cli
